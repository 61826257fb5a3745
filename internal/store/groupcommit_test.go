package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"safecampus/internal/model"
)

// TestGroupCommitIsolatesFailures sends many submissions at once, some for
// a school that does not exist: those fail alone, the others commit, and
// coverage counts exactly the ones that committed.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 6, 1)
		s, _ := newTestStore(t, engine, d0)
		schools := []model.School{addSchool(t, s, "G001", "150102", 300), addSchool(t, s, "G002", "150103", 300)}
		var wg sync.WaitGroup
		errs := make([]error, 60)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := schools[i%2].ID
				if i%5 == 0 {
					id = 999999
				}
				_, errs[i] = s.CreateChecklist(ctx, testAdmin, id, ChecklistInput{CheckedOn: d0, Facts: goodFacts(d0), Submit: true})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			switch {
			case i%5 == 0 && !errors.Is(err, ErrNotFound):
				t.Errorf("submission %d for an unknown school: got %v, want ErrNotFound", i, err)
			case i%5 != 0 && err != nil:
				t.Errorf("submission %d: %v", i, err)
			}
		}
		var n int64
		if err := s.r.Model(&checklistRow{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 48 {
			t.Errorf("%d checklists stored, want 48", n)
		}
		got := coverageOf(t, s, "150000", model.BasisReported, d0)
		if want := (model.Counts{Schools: 2, Measures: [5]int{2, 2, 2, 2, 2}, AllFive: 2}); got != want {
			t.Errorf("reported coverage: got %+v, want %+v", got, want)
		}
	})
}
