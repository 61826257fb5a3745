package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"safecampus/internal/model"
)

// keyUser adds a school user for school and returns it.
func keyUser(t *testing.T, s *Store, name string, school model.School) model.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), testAdmin, model.User{Username: name, Role: model.SchoolRep, ScopeCode: school.Code}, "Key-pass-123")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func countChecklists(t *testing.T, s *Store, school model.School) int {
	t.Helper()
	cs, err := s.SchoolChecklists(context.Background(), school.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

func TestIdempotentChecklistCreate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		day := model.NewDate(2026, 3, 2)
		s, clk := newTestStore(t, engine, day)
		ctx := context.Background()
		school := addSchool(t, s, "K1", "150102", 500)
		u := keyUser(t, s, "k1-admin", school)
		other := keyUser(t, s, "k1-other", school)
		in := ChecklistInput{CheckedOn: day, Facts: goodFacts(day), Submit: true, Key: "key-1"}

		first, err := s.CreateChecklist(ctx, u, school.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.CreateChecklist(ctx, u, school.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || again.State != model.Submitted {
			t.Errorf("repeat answered #%d %s, want #%d submitted", again.ID, again.State, first.ID)
		}
		if n := countChecklists(t, s, school); n != 1 {
			t.Errorf("after a repeat: %d checklists, want 1", n)
		}

		// The same key with another body is refused, and creates nothing.
		changed := in
		changed.Notes = "something else"
		if _, err := s.CreateChecklist(ctx, u, school.ID, changed); !errors.Is(err, ErrKeyReused) {
			t.Errorf("same key, other body: err %v, want ErrKeyReused", err)
		}
		// Keys are per user: another user's same key is a new checklist.
		theirs, err := s.CreateChecklist(ctx, other, school.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if theirs.ID == first.ID {
			t.Error("another user's key answered with the first user's checklist")
		}
		// A repeat after the checklist was verified still answers with
		// the first result (its state then).
		verify(t, s, first)
		again, err = s.CreateChecklist(ctx, u, school.ID, in)
		if err != nil || again.ID != first.ID || again.State != model.Submitted {
			t.Errorf("repeat after verify: #%d %s %v", again.ID, again.State, err)
		}
		if n := countChecklists(t, s, school); n != 2 {
			t.Errorf("%d checklists, want 2", n)
		}

		// A bad key is refused before anything happens.
		bad := in
		bad.Key = "has space"
		if _, err := s.CreateChecklist(ctx, u, school.ID, bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("bad key: err %v, want ErrBadKey", err)
		}

		// Keys are kept for KeyRetention, then pruned; a repeat after
		// that is a new checklist.
		clk.t = clk.t.Add(KeyRetention - time.Hour)
		if n, err := s.PruneIdempotencyKeys(ctx); err != nil || n != 0 {
			t.Fatalf("pruned %d keys before their time (%v)", n, err)
		}
		clk.t = clk.t.Add(2 * time.Hour)
		if n, err := s.PruneIdempotencyKeys(ctx); err != nil || n != 2 {
			t.Fatalf("pruned %d keys, want 2 (%v)", n, err)
		}
	})
}

func TestIdempotentChecklistCreateUnderConcurrentRepeats(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		day := model.NewDate(2026, 3, 2)
		s, _ := newTestStore(t, engine, day)
		school := addSchool(t, s, "K2", "150102", 500)
		u := keyUser(t, s, "k2-admin", school)
		const repeats = 12
		for round := range 3 {
			in := ChecklistInput{CheckedOn: day, Facts: goodFacts(day), Submit: true, Key: fmt.Sprintf("storm-%d", round)}
			ids := make([]int64, repeats)
			errs := make([]error, repeats)
			var wg sync.WaitGroup
			for i := range repeats {
				wg.Go(func() {
					c, err := s.CreateChecklist(context.Background(), u, school.ID, in)
					ids[i], errs[i] = c.ID, err
				})
			}
			wg.Wait()
			for i := range repeats {
				if errs[i] != nil {
					t.Fatalf("round %d repeat %d: %v", round, i, errs[i])
				}
				if ids[i] != ids[0] || ids[i] == 0 {
					t.Fatalf("round %d: ids %v, want one id", round, ids)
				}
			}
			if n := countChecklists(t, s, school); n != round+1 {
				t.Fatalf("after round %d: %d checklists, want %d", round, n, round+1)
			}
		}
	})
}

func TestIdempotentHazardAnswerAndEvidence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		day := model.NewDate(2026, 3, 2)
		s, _ := newTestStore(t, engine, day)
		ctx := context.Background()
		school := addSchool(t, s, "K3", "150102", 500)
		u := keyUser(t, s, "k3-admin", school)
		h, err := s.CreateHazard(ctx, testAdmin, school.ID, HazardInput{Measure: model.SecurityGuards, Description: "gate open",
			Severity: model.High, Deadline: day.AddDays(10)})
		if err != nil {
			t.Fatal(err)
		}
		file := func(n int) EvidenceInput {
			return EvidenceInput{StoredName: fmt.Sprintf("ab/%032x.jpg", n), FileName: fmt.Sprintf("p%d.jpg", n),
				ContentType: "image/jpeg", Size: 10, SHA256: fmt.Sprintf("%064x", n), Width: 10, Height: 10}
		}

		// Evidence for an open hazard, then its repeat.
		added, repeated, err := s.AddHazardEvidence(ctx, u, h.ID, []EvidenceInput{file(1)}, "ev-1")
		if err != nil || repeated || len(added) != 1 {
			t.Fatalf("first upload: %v %v %v", added, repeated, err)
		}
		again, repeated, err := s.AddHazardEvidence(ctx, u, h.ID, []EvidenceInput{file(1)}, "ev-1")
		if err != nil || !repeated || len(again) != 1 || again[0].ID != added[0].ID {
			t.Fatalf("repeat upload: %v %v %v", again, repeated, err)
		}
		if _, _, err := s.AddHazardEvidence(ctx, u, h.ID, []EvidenceInput{file(2)}, "ev-1"); !errors.Is(err, ErrKeyReused) {
			t.Errorf("other file under the same key: %v", err)
		}

		// The answer, twice.
		if _, repeated, err := s.AnswerHazardOnce(ctx, u, h.ID, "fixed the gate", []EvidenceInput{file(3)}, "ans-1"); err != nil || repeated {
			t.Fatalf("answer: %v %v", repeated, err)
		}
		got, repeated, err := s.AnswerHazardOnce(ctx, u, h.ID, "fixed the gate", []EvidenceInput{file(3)}, "ans-1")
		if err != nil || !repeated || got.State != model.HazardAnswered {
			t.Fatalf("repeated answer: %v %v %v", got.State, repeated, err)
		}
		if _, _, err := s.AnswerHazardOnce(ctx, u, h.ID, "another answer", nil, "ans-1"); !errors.Is(err, ErrKeyReused) {
			t.Errorf("other answer under the same key: %v", err)
		}
		events, err := s.HazardEvents(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 {
			t.Errorf("%d hazard events, want 1 answer", len(events))
		}
		files, err := s.HazardEvidence(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 2 {
			t.Errorf("%d files on the hazard, want 2", len(files))
		}

		// Checklist evidence, twice.
		cl, err := s.CreateChecklist(ctx, u, school.ID, ChecklistInput{CheckedOn: day, Facts: goodFacts(day)})
		if err != nil {
			t.Fatal(err)
		}
		one, repeated, err := s.AddChecklistEvidenceOnce(ctx, u, cl.ID, []EvidenceInput{file(4)}, "cev-1")
		if err != nil || repeated || len(one) != 1 {
			t.Fatalf("checklist upload: %v %v %v", one, repeated, err)
		}
		two, repeated, err := s.AddChecklistEvidenceOnce(ctx, u, cl.ID, []EvidenceInput{file(4)}, "cev-1")
		if err != nil || !repeated || len(two) != 1 || two[0].ID != one[0].ID {
			t.Fatalf("repeated checklist upload: %v %v %v", two, repeated, err)
		}
		if all, _ := s.ChecklistEvidence(ctx, cl.ID); len(all) != 1 {
			t.Errorf("%d files on the checklist, want 1", len(all))
		}
	})
}

// A closed school takes no new work through the keyed creates either, but a
// repeat of a create made before it closed still answers with the first
// result: the key is claimed before the school is checked.
func TestKeyedCreatesOnAClosedSchool(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		day := model.NewDate(2026, 3, 2)
		s, _ := newTestStore(t, engine, day)
		ctx := context.Background()
		school := addSchool(t, s, "K5", "150102", 500)
		u := keyUser(t, s, "k5-admin", school)
		in := ChecklistInput{CheckedOn: day, Facts: goodFacts(day), Key: "closed-1"}
		first, err := s.CreateChecklist(ctx, u, school.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		h, err := s.CreateHazard(ctx, testAdmin, school.ID, HazardInput{Measure: model.SecurityGuards, Description: "gate open",
			Severity: model.High, Deadline: day.AddDays(10)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSchoolActive(ctx, testAdmin, school.Code, false); err != nil {
			t.Fatal(err)
		}
		again, err := s.CreateChecklist(ctx, u, school.ID, in)
		if err != nil || again.ID != first.ID {
			t.Errorf("repeat after the school closed: #%d %v, want #%d", again.ID, err, first.ID)
		}
		in.Key = "closed-2"
		if _, err := s.CreateChecklist(ctx, u, school.ID, in); !errors.Is(err, ErrSchoolClosed) {
			t.Errorf("new keyed checklist: %v, want ErrSchoolClosed", err)
		}
		file := EvidenceInput{StoredName: fmt.Sprintf("ab/%032x.jpg", 9), FileName: "p.jpg",
			ContentType: "image/jpeg", Size: 10, SHA256: fmt.Sprintf("%064x", 9), Width: 10, Height: 10}
		if _, _, err := s.AnswerHazardOnce(ctx, u, h.ID, "fixed", []EvidenceInput{file}, "closed-3"); !errors.Is(err, ErrSchoolClosed) {
			t.Errorf("keyed answer: %v, want ErrSchoolClosed", err)
		}
		if _, _, err := s.AddHazardEvidence(ctx, u, h.ID, []EvidenceInput{file}, "closed-4"); !errors.Is(err, ErrSchoolClosed) {
			t.Errorf("keyed hazard evidence: %v, want ErrSchoolClosed", err)
		}
		if _, _, err := s.AddChecklistEvidenceOnce(ctx, u, first.ID, []EvidenceInput{file}, "closed-5"); !errors.Is(err, ErrSchoolClosed) {
			t.Errorf("keyed checklist evidence: %v, want ErrSchoolClosed", err)
		}
		if n := countChecklists(t, s, school); n != 1 {
			t.Errorf("%d checklists, want 1", n)
		}
	})
}

func TestMadeAtIsKeptWhenPlausible(t *testing.T) {
	day := model.NewDate(2026, 3, 2)
	s, clk := newTestStore(t, "sqlite", day)
	ctx := context.Background()
	school := addSchool(t, s, "K4", "150102", 500)
	for _, tc := range []struct {
		name   string
		madeAt time.Time
		kept   bool
	}{
		{"an hour ago", clk.t.Add(-time.Hour), true},
		{"tomorrow", clk.t.Add(24 * time.Hour), false},
		{"two years ago", clk.t.Add(-2 * 366 * 24 * time.Hour), false},
	} {
		c, err := s.CreateChecklist(ctx, testAdmin, school.ID, ChecklistInput{CheckedOn: day, Facts: goodFacts(day), MadeAt: &tc.madeAt})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Checklist(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if (got.MadeAt != nil) != tc.kept || (tc.kept && !got.MadeAt.Equal(tc.madeAt)) {
			t.Errorf("%s: made_at %v, kept %v", tc.name, got.MadeAt, tc.kept)
		}
	}
}
