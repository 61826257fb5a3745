package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"safecampus/internal/model"
)

// TestConcurrentWritersKeepAggregatesExact has two stores on one database,
// as two application servers would be, submit and review checklists for the
// same schools at once. The ledger must still equal a rebuild from the raw
// records, and each checklist must be reviewed exactly once.
func TestConcurrentWritersKeepAggregatesExact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 5, 4)
		a, b := twoStores(t, engine, d0)
		var schools []model.School
		for i := range 6 {
			schools = append(schools, addSchool(t, a, fmt.Sprintf("C%03d", i), "150102", 300))
		}

		const perWorker = 15
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ids []int64
		errs := make(chan error, 100)
		for w, st := range []*Store{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWorker {
					sc := schools[(w+i)%len(schools)]
					c, err := st.CreateChecklist(ctx, testAdmin, sc.ID, ChecklistInput{CheckedOn: d0, Facts: goodFacts(d0), Submit: true})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					ids = append(ids, c.ID)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// Every checklist reviewed by both stores at once: one wins.
		var won, lost int
		for _, id := range ids {
			var once sync.WaitGroup
			results := make(chan error, 2)
			for _, st := range []*Store{a, b} {
				once.Add(1)
				go func() {
					defer once.Done()
					_, err := st.VerifyChecklist(ctx, testAdmin, id)
					results <- err
				}()
			}
			once.Wait()
			close(results)
			for err := range results {
				switch {
				case err == nil:
					won++
				case errors.Is(err, ErrConflict):
					lost++
				default:
					errs <- err
				}
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if won != len(ids) || lost != len(ids) {
			t.Errorf("reviews: %d won and %d lost, want %d each", won, lost, len(ids))
		}
		before := coverageOf(t, a, "150000", model.BasisVerified, d0)
		want := model.Counts{Schools: 6, Measures: [5]int{6, 6, 6, 6, 6}, AllFive: 6}
		if before != want {
			t.Errorf("coverage after concurrent writes: got %+v, want %+v", before, want)
		}
		rep := coverageOf(t, a, "150000", model.BasisReported, d0)
		if err := a.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		if got := coverageOf(t, a, "150000", model.BasisVerified, d0); got != before {
			t.Errorf("verified: incremental %+v, rebuild %+v", before, got)
		}
		if got := coverageOf(t, a, "150000", model.BasisReported, d0); got != rep {
			t.Errorf("reported: incremental %+v, rebuild %+v", rep, got)
		}
	})
}

// twoStores opens two stores on one new database of the engine, as two
// application servers would be, on one clock starting at day start.
func twoStores(t *testing.T, engine string, start model.Date) (*Store, *Store) {
	t.Helper()
	dsn := testDSN(t, engine)
	a, clk := openTestStoreAt(t, dsn, start)
	return a, openStoreOn(t, dsn, clk)
}

// Reviewers racing on one hazard and on overlapping batches: exactly one
// wins each race, on both engines; the others get ErrConflict.
func TestConcurrentStepsConflict(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, _, a := newStoreWithSchool(t, engine, d0)
		b := addSchool(t, s, "1000000002", "150103", 500)
		h, err := s.CreateHazard(ctx, testInspector, a.ID, HazardInput{Measure: model.VideoNetworking, Description: "x", Severity: model.Low, Deadline: d0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "fixed", nil); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if i%2 == 0 {
					_, errs[i] = s.CloseHazardFrom(ctx, testInspector, h.ID, model.HazardAnswered, "")
				} else {
					_, errs[i] = s.SendBackHazard(ctx, testInspector, h.ID, "no")
				}
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrConflict):
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d hazard steps won, want 1", wins, n)
		}
		events, _ := s.HazardEvents(ctx, h.ID)
		if len(events) != 2 {
			t.Errorf("%d events, want the answer and one winner", len(events))
		}

		ca, cb := submit(t, s, a, d0, goodFacts(d0)), submit(t, s, b, d0, goodFacts(d0))
		for i := range n {
			wg.Go(func() {
				ids := []int64{ca.ID, cb.ID}
				if i%2 == 1 {
					ids = []int64{cb.ID}
				}
				_, errs[i] = s.VerifyChecklists(ctx, testInspector, ids)
			})
		}
		wg.Wait()
		wins = 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if !errors.Is(err, ErrConflict) {
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d overlapping batches won, want 1", wins, n)
		}
		if _, total, _ := s.AuditTrail(ctx, AuditQuery{Entity: "checklist", Username: testInspector.Username}); total < 1 || total > 2 {
			t.Errorf("%d verify entries", total)
		}
	})
}

// TestConcurrentWritesNeverFail drives, on two stores over one database,
// what a busy deployment does at once to a few neighbouring schools:
// submissions (several for the same school and day), reviews of them, and
// the schools' own edits and closures. Every write must either succeed or
// fail for a reason the client is told (the school is closed, the record
// moved on): never with the database's own aborts (a PostgreSQL deadlock,
// 40P01), which the API would answer 500.
func TestConcurrentWritesNeverFail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 5, 4)
		a, b := twoStores(t, engine, d0)
		schools := []model.School{
			addSchool(t, a, "1000000001", "150102", 300),
			addSchool(t, a, "1000000002", "150102", 300),
			addSchool(t, a, "1000000003", "150103", 300),
		}
		submitter := model.User{Username: "submitter", Role: model.Admin}
		var err error
		if submitter, err = a.CreateUser(ctx, testAdmin, submitter, "a long enough password 1"); err != nil {
			t.Fatal(err)
		}
		const rounds = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed []error
		fail := func(err error) {
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, err)
		}
		// What a client is told in 404, 409 or 422 terms.
		told := func(err error) bool {
			return err == nil || errors.Is(err, ErrSchoolClosed) || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound)
		}
		for w, st := range []*Store{a, b, a, b, a, b} {
			wg.Go(func() {
				for i := range rounds {
					sc := schools[(w+i)%2] // the first two: same and neighbouring
					if i%4 == 3 {
						sc = schools[2]
					}
					c, err := st.CreateChecklist(ctx, submitter, sc.ID, ChecklistInput{CheckedOn: d0, Facts: goodFacts(d0), Submit: true})
					if !told(err) {
						fail(fmt.Errorf("submit for %s: %w", sc.Code, err))
						continue
					}
					if err != nil || i%2 == 1 {
						continue
					}
					if w%2 == 0 {
						_, err = st.VerifyChecklist(ctx, testInspector, c.ID)
					} else {
						_, err = st.ReturnChecklist(ctx, testInspector, c.ID, "again")
					}
					if !told(err) {
						fail(fmt.Errorf("review %d: %w", c.ID, err))
					}
				}
			})
		}
		for w, st := range []*Store{a, b} {
			wg.Go(func() {
				for i := range rounds {
					sc := schools[0]
					sc.Students = 300 + 10*w + i
					if _, err := st.SaveSchool(ctx, testAdmin, sc); !told(err) {
						fail(fmt.Errorf("save school: %w", err))
					}
					if err := st.SetSchoolActive(ctx, testAdmin, schools[1].Code, i%2 == 1); !told(err) {
						fail(fmt.Errorf("close or open school: %w", err))
					}
				}
			})
		}
		wg.Wait()
		for _, err := range failed {
			t.Error(err)
		}
		// Nor did one have to run again: the writers take their locks in
		// one order, and only a cycle the order missed would need it.
		if n := a.reruns.Load() + b.reruns.Load(); n != 0 {
			t.Errorf("%d writes aborted by PostgreSQL and run again, want none", n)
		}
		if _, err := a.VerifyAudit(ctx); err != nil {
			t.Error(err)
		}
	})
}
