package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// TestDeadlockedWriteRunsAgain makes two PostgreSQL writes deadlock: each
// locks one of two schools, waits for the other to do the same, then
// locks the other's school. PostgreSQL aborts one of them (40P01); transact
// runs that one again, and both succeed. The aborted attempt leaves
// nothing behind: the audit log holds one entry per write, chained.
func TestDeadlockedWriteRunsAgain(t *testing.T) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 5, 4)
	s, _ := newTestStore(t, "postgres", d0)
	a := addSchool(t, s, "1000000001", "150102", 300)
	b := addSchool(t, s, "1000000002", "150103", 300)
	_, before, err := s.AuditTrail(ctx, AuditQuery{Entity: "deadlock"})
	if err != nil {
		t.Fatal(err)
	}
	var both sync.WaitGroup // both writes hold their first lock
	both.Add(2)
	var runs atomic.Int32
	write := func(first, second int64) error {
		var attempt int
		return s.transact(ctx, func(tx *gorm.DB) error {
			runs.Add(1)
			attempt++
			var id int64
			if err := tx.Raw("SELECT id FROM schools WHERE id = ? FOR UPDATE", first).Scan(&id).Error; err != nil {
				return err
			}
			if attempt == 1 {
				both.Done()
				both.Wait()
			}
			if err := tx.Raw("SELECT id FROM schools WHERE id = ? FOR UPDATE", second).Scan(&id).Error; err != nil {
				return err
			}
			return s.audit(tx, testAdmin, "lock", "deadlock", itoa(first), "", nil, nil)
		})
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = write(a.ID, b.ID) })
	wg.Go(func() { errs[1] = write(b.ID, a.ID) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("write failed: %v", err)
		}
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("%d runs, want 3 (one write aborted and run again)", n)
	}
	if _, after, err := s.AuditTrail(ctx, AuditQuery{Entity: "deadlock"}); err != nil || after-before != 2 {
		t.Errorf("%d audit entries (%v), want 2", after-before, err)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
}
