package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestVerifyChecklistsBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, _, a := newStoreWithSchool(t, engine, d0)
		b := addSchool(t, s, "1000000002", "150103", 500)
		c := addSchool(t, s, "1000000003", "150202", 500)
		ca, cb, cc := submit(t, s, a, d0, goodFacts(d0)), submit(t, s, b, d0, goodFacts(d0)), submit(t, s, c, d0, goodFacts(d0))

		verify(t, s, cc) // someone else got there first
		_, err := s.VerifyChecklists(ctx, testInspector, []int64{ca.ID, cb.ID, cc.ID})
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
			t.Fatalf("batch with a reviewed one: got %v, want a ConflictError", err)
		}
		if diff := cmp.Diff([]int64{cc.ID}, ce.IDs); diff != "" {
			t.Errorf("conflicting ids (-want +got):\n%s", diff)
		}
		if got, _ := s.Checklist(ctx, ca.ID); got.State != model.Submitted {
			t.Errorf("after a failed batch %d is %s, want still submitted (all or nothing)", ca.ID, got.State)
		}

		out, err := s.VerifyChecklists(ctx, testInspector, []int64{cb.ID, ca.ID, ca.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].State != model.Verified {
			t.Errorf("verified %+v", out)
		}
		if got := coverageOf(t, s, "150000", model.BasisVerified, d0); got.AllFive != 3 {
			t.Errorf("province all five = %d, want 3", got.AllFive)
		}
		trail, n, err := s.AuditTrail(ctx, AuditQuery{Entity: "checklist", Username: "test-inspector"})
		if err != nil || n != 2 || trail[0].Action != "verified" {
			t.Errorf("audit of the batch: %d entries %+v, %v", n, trail, err)
		}
		var fe model.FieldErrors
		if _, err := s.VerifyChecklists(ctx, testInspector, nil); !errors.As(err, &fe) {
			t.Errorf("empty batch: got %v, want a field error", err)
		}
	})
}
