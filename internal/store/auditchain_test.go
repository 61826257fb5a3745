package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"safecampus/internal/model"
)

// The audit chain on both engines: intact after writes (parallel ones
// too), and broken at the right entry by an edit, a deletion or a swap.
func TestAuditChainDetectsTampering(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, _ := newTestStore(t, engine, model.NewDate(2026, 3, 2))
		ctx := WithOrigin(context.Background(), Origin{Address: "203.0.113.9", RequestID: "req-1"})
		for i := range 4 {
			addSchool(t, s, fmt.Sprintf("AC%d", i), "150102", 100+i)
		}
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.RecordEvent(ctx, testAdmin, "sign_in", "session", fmt.Sprint(i), "", nil); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		n, err := s.VerifyAudit(ctx)
		if err != nil || n < 10 {
			t.Fatalf("intact chain: %d entries, %v; want ≥ 10 and no error", n, err)
		}
		trail, _, err := s.AuditTrail(ctx, AuditQuery{Entity: "session"})
		if err != nil || len(trail) != 6 || trail[0].Address != "203.0.113.9" || trail[0].RequestID != "req-1" {
			t.Fatalf("session entries %+v, %v: want 6 with the address and request id", trail, err)
		}

		var ids []int64
		if err := s.r.Model(&auditRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		exec := func(sql string, args ...any) {
			t.Helper()
			if err := s.w.Exec(sql, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		wantBreak := func(what string, id int64) {
			t.Helper()
			_, err := s.VerifyAudit(ctx)
			var b *AuditBreak
			if !errors.As(err, &b) || b.ID != id {
				t.Errorf("%s: VerifyAudit = %v, want a break at entry %d", what, err, id)
			}
		}
		// An edit names the edited entry.
		exec("UPDATE audit_log SET username = 'someone-else' WHERE id = ?", ids[3])
		wantBreak("edited entry", ids[3])
		exec("UPDATE audit_log SET username = ? WHERE id = ?", testAdmin.Username, ids[3])
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("after undoing the edit: %v", err)
		}
		// Two entries swapped: the first of them no longer follows its
		// predecessor.
		exec("UPDATE audit_log SET id = -1 WHERE id = ?", ids[5])
		exec("UPDATE audit_log SET id = ? WHERE id = ?", ids[5], ids[6])
		exec("UPDATE audit_log SET id = ? WHERE id = -1", ids[6])
		wantBreak("swapped entries", ids[5])
		exec("UPDATE audit_log SET id = -1 WHERE id = ?", ids[5])
		exec("UPDATE audit_log SET id = ? WHERE id = ?", ids[5], ids[6])
		exec("UPDATE audit_log SET id = ? WHERE id = -1", ids[6])
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("after undoing the swap: %v", err)
		}
		// A deleted entry breaks the one after it.
		exec("DELETE FROM audit_log WHERE id = ?", ids[7])
		wantBreak("deleted entry", ids[8])
	})
}
