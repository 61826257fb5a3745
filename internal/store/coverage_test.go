package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestCoverageFollowsChecklistsReviewsAndExpiry(t *testing.T) {
	forEachEngine(t, testCoverageFollowsChecklistsReviewsAndExpiry)
}

func testCoverageFollowsChecklistsReviewsAndExpiry(t *testing.T, engine string) {
	d0 := model.NewDate(2026, 3, 1)
	ctx := context.Background()
	s, clk, a := newStoreWithSchool(t, engine, d0)
	b := addSchool(t, s, "1000000002", "150102", 1240) // needs 3 guards
	c := addSchool(t, s, "1000000003", "150202", 50)

	full := model.Counts{Schools: 3}
	if got := coverageOf(t, s, "150000", model.BasisVerified, d0); got != full {
		t.Fatalf("new schools: got %+v, want %+v", got, full)
	}

	ca := submit(t, s, a, d0, goodFacts(d0))
	cb := submit(t, s, b, d0, goodFacts(d0)) // 2 guards: fails security_guards
	submit(t, s, c, d0, goodFacts(d0))

	wantReported := model.Counts{Schools: 3, Measures: [5]int{3, 3, 2, 3, 3}, AllFive: 2}
	if diff := cmp.Diff(wantReported, coverageOf(t, s, "150000", model.BasisReported, d0)); diff != "" {
		t.Errorf("reported after submit (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(model.Counts{Schools: 3}, coverageOf(t, s, "150000", model.BasisVerified, d0)); diff != "" {
		t.Errorf("verified before review (-want +got):\n%s", diff)
	}

	d1 := d0.AddDays(2)
	clk.day(d1)
	verify(t, s, ca)
	verify(t, s, cb)
	wantV := model.Counts{Schools: 3, Measures: [5]int{2, 2, 1, 2, 2}, AllFive: 1}
	if diff := cmp.Diff(wantV, coverageOf(t, s, "150000", model.BasisVerified, d1)); diff != "" {
		t.Errorf("province verified (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(model.Counts{Schools: 2, Measures: [5]int{2, 2, 1, 2, 2}, AllFive: 1},
		coverageOf(t, s, "150102", model.BasisVerified, d1)); diff != "" {
		t.Errorf("county verified (-want +got):\n%s", diff)
	}
	// History: as of d0 the verified figures were still empty.
	if diff := cmp.Diff(model.Counts{Schools: 3}, coverageOf(t, s, "150000", model.BasisVerified, d0)); diff != "" {
		t.Errorf("history as of d0 (-want +got):\n%s", diff)
	}

	// The check of d0 counts through d0+180 and not the day after.
	last := d0.AddDays(180)
	if got := coverageOf(t, s, "150102", model.BasisVerified, last).AllFive; got != 1 {
		t.Errorf("all five on the last valid day: got %d, want 1", got)
	}
	if got := coverageOf(t, s, "150102", model.BasisVerified, last.AddDays(1)); got != (model.Counts{Schools: 2}) {
		t.Errorf("day after expiry: got %+v, want only the 2 schools", got)
	}

	// A hazard uncovers its measure from today; closing restores it.
	clk.day(d1.AddDays(1))
	h, err := s.CreateHazard(ctx, testAdmin, a.ID, HazardInput{Measure: model.VideoNetworking, Description: "camera broken", Severity: model.High, Deadline: d1.AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	got := coverageOf(t, s, "150102", model.BasisVerified, d1.AddDays(1))
	if got.Measures[4] != 1 || got.AllFive != 0 {
		t.Errorf("with hazard open: got %+v, want video 1 and all five 0", got)
	}
	clk.day(d1.AddDays(3))
	if _, err := s.CloseHazard(ctx, testAdmin, h.ID); err != nil {
		t.Fatal(err)
	}
	if got := coverageOf(t, s, "150102", model.BasisVerified, d1.AddDays(3)); got.Measures[4] != 2 || got.AllFive != 1 {
		t.Errorf("after hazard closed: got %+v", got)
	}
	if _, err := s.CloseHazard(ctx, testAdmin, h.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("closing twice: got %v, want ErrConflict", err)
	}

	// Deactivating leaves the denominator.
	if err := s.SetSchoolActive(ctx, testAdmin, b.Code, false); err != nil {
		t.Fatal(err)
	}
	if got := coverageOf(t, s, "150102", model.BasisVerified, d1.AddDays(3)); got != (model.Counts{Schools: 1, Measures: [5]int{1, 1, 1, 1, 1}, AllFive: 1}) {
		t.Errorf("after deactivation: got %+v", got)
	}

	// Checkpoints change nothing that reads see.
	clk.day(d0.AddDays(200))
	before := coverageOf(t, s, "150000", model.BasisReported, d0.AddDays(100))
	if err := s.MaintainCheckpoints(ctx); err != nil {
		t.Fatal(err)
	}
	if after := coverageOf(t, s, "150000", model.BasisReported, d0.AddDays(100)); after != before {
		t.Errorf("checkpoint changed history: before %+v, after %+v", before, after)
	}
}

func TestVerifyTwiceConflicts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		testVerifyTwiceConflicts(t, engine)
	})
}

func testVerifyTwiceConflicts(t *testing.T, engine string) {
	d0 := model.NewDate(2026, 3, 1)
	s, _, a := newStoreWithSchool(t, engine, d0)
	c := verified(t, s, a, d0)
	if _, err := s.VerifyChecklist(context.Background(), testAdmin, c.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("second verify: got %v, want ErrConflict", err)
	}
	if _, err := s.VerifyChecklist(context.Background(), testAdmin, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown checklist: got %v, want ErrNotFound", err)
	}
}

// TestLatestChecklistsTakesKnownOnes: the refresh after a submission in a
// group commit takes the checklist the write had in hand instead of
// reading its row back and decoding its facts; the state is still the
// index's, and the other checklist that counts is read as before.
func TestLatestChecklistsTakesKnownOnes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		d0 := model.NewDate(2026, 6, 1)
		s, _, school := newStoreWithSchool(t, engine, d0)
		first := submit(t, s, school, d0.AddDays(-3), goodFacts(d0.AddDays(-3)))
		verify(t, s, first)
		second := submit(t, s, school, d0, goodFacts(d0))
		inHand := second
		inHand.State = model.Draft // the index's state wins
		inHand.Facts = model.Facts{NursingPost: model.NursingPostFacts{AMStaff: ptr(7)}}
		got, err := s.latestChecklists(s.w, []int64{school.ID}, map[int64]*model.Checklist{second.ID: &inHand})
		if err != nil {
			t.Fatal(err)
		}
		rep, ver := got[school.ID][model.BasisReported], got[school.ID][model.BasisVerified]
		if rep == nil || rep.ID != second.ID || rep.State != model.Submitted || !cmp.Equal(rep.Facts, inHand.Facts) {
			t.Errorf("reported: got %+v, want checklist %d submitted with the facts in hand", rep, second.ID)
		}
		if ver == nil || ver.ID != first.ID || ver.State != model.Verified || !cmp.Equal(ver.Facts, goodFacts(d0.AddDays(-3))) {
			t.Errorf("verified: got %+v, want checklist %d as stored", ver, first.ID)
		}
		got, err = s.latestChecklists(s.w, []int64{school.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep := got[school.ID][model.BasisReported]; rep == nil || !cmp.Equal(rep.Facts, goodFacts(d0)) {
			t.Errorf("reported, nothing in hand: got %+v, want the stored facts", rep)
		}
	})
}
