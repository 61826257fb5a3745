package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// Group commit. On SQLite every commit waits for an fsync, and there is one
// writer, so a busy server would acknowledge at most one write per fsync.
// Writes that arrive while another is committing are instead gathered and
// committed together: each runs in its own savepoint (its failure rolls back
// only its own changes), and one fsync makes the whole group durable before
// any of them is acknowledged. PostgreSQL groups commits by itself and runs
// writers concurrently; there transact is a plain transaction.
//
// What every write adds to shared rows is left for the group's end, so
// that a group of a hundred submissions costs one of each instead of a
// hundred: the coverage refresh of its schools, its activity counters and
// its audit entries (chained in the order the writes ran, with one read of
// the chain's head and one bump of the data generation). A write hands
// them over only when its savepoint is released; a write that fails leaves
// nothing behind. The statements run by plain SQL stay prepared on the
// writer connection (writestmts.go), and run without a cancellable context,
// which the SQLite driver would watch from a goroutine per statement and
// per row.

// maxGroup bounds how many writes share one commit.
const maxGroup = 128

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan error
}

// transact runs fn in a transaction, grouped with concurrent writes on
// SQLite; on PostgreSQL fn runs again when the server aborted it to break a
// deadlock (runTx), so fn must set, not add to, what it hands out. It
// returns fn's error, or the commit's.
func (s *Store) transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.group == nil {
		return s.runTx(ctx, fn)
	}
	req := writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.group <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if the caller gives up: the
	// write may commit, and an error must not be reported for it.
	return <-req.done
}

// groupCommits is the single goroutine that commits grouped writes.
func (s *Store) groupCommits(requests <-chan writeRequest, stopped chan<- struct{}) {
	defer close(stopped)
	wdb, _ := s.w.DB()
	kept := newKeptStmts(wdb)
	defer kept.close()
	for first := range requests {
		kept.prepareWanted()
		batch := []writeRequest{first}
	gather:
		for len(batch) < maxGroup {
			select {
			case r, ok := <-requests:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		results := make([]error, len(batch))
		err := s.w.Transaction(func(tx *gorm.DB) error {
			g := &writeGroup{stmts: map[string]*sql.Stmt{}, kept: kept}
			g.tx, _ = tx.Statement.ConnPool.(*sql.Tx)
			all := groupWork{activity: activity{}}
			for i, r := range batch {
				if err := r.ctx.Err(); err != nil {
					results[i] = err
					continue
				}
				w := &groupWork{activity: activity{}}
				ctx := context.WithValue(context.WithValue(context.WithoutCancel(r.ctx), pendingKey{}, w), groupKey{}, g)
				if results[i] = s.savepoint(tx.WithContext(ctx), r.fn); results[i] == nil {
					all.take(w)
				}
			}
			return s.finishGroup(tx.WithContext(context.WithValue(context.Background(), groupKey{}, g)), &all)
		})
		for i, r := range batch {
			if err != nil {
				r.done <- err
			} else {
				r.done <- results[i]
			}
		}
	}
}

// savepoint runs fn in a savepoint of tx: its failure (or panic) rolls back
// its own changes only.
func (s *Store) savepoint(tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	if _, err := s.execW(tx, "SAVEPOINT write"); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done || err != nil {
			if _, rerr := s.execW(tx, "ROLLBACK TO SAVEPOINT write"); rerr == nil {
				_, _ = s.execW(tx, "RELEASE SAVEPOINT write")
			}
		}
	}()
	err = fn(tx)
	done = true
	if err == nil {
		_, err = s.execW(tx, "RELEASE SAVEPOINT write")
	}
	return err
}

// groupWork is what writes leave for their group's end: the schools whose
// coverage to refresh, activity counter changes and audit entries.
type groupWork struct {
	refresh  []int64
	activity activity
	audit    []auditRow
	// submitted are the checklists created submitted, by id, for the
	// refresh (see latestChecklists).
	submitted map[int64]*model.Checklist
}

// take adds a write's work to the group's.
func (g *groupWork) take(w *groupWork) {
	g.refresh = append(g.refresh, w.refresh...)
	for k, n := range w.activity {
		g.activity[k] += n
	}
	g.audit = append(g.audit, w.audit...)
	for id, c := range w.submitted {
		if g.submitted == nil {
			g.submitted = map[int64]*model.Checklist{}
		}
		g.submitted[id] = c
	}
}

// finishGroup writes the group's shared work in its transaction. The
// activity counters reuse the places the refresh read.
func (s *Store) finishGroup(tx *gorm.DB, all *groupWork) error {
	if err := s.insertAudit(tx, all.audit); err != nil {
		return err
	}
	pl := newPlaces()
	if err := s.refreshAt(tx, all.refresh, pl, all.submitted); err != nil {
		return err
	}
	return s.writeActivityAt(tx, all.activity, pl)
}

// pendingKey marks a write inside a group commit: its coverage refreshes,
// activity counters and audit entries are collected and written once at
// the group's end.
type pendingKey struct{}

// deferred returns the collector of tx's group work, if any.
func deferred(tx *gorm.DB) (*groupWork, bool) {
	if tx.Statement == nil || tx.Statement.Context == nil {
		return nil, false
	}
	w, ok := tx.Statement.Context.Value(pendingKey{}).(*groupWork)
	return w, ok
}
