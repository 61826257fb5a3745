package store

import (
	"context"

	"gorm.io/gorm"
)

// Group commit. On SQLite every commit waits for an fsync, and there is one
// writer, so a busy server would acknowledge at most one write per fsync.
// Writes that arrive while another is committing are instead gathered and
// committed together: each runs in its own savepoint (its failure rolls back
// only its own changes), and one fsync makes the whole group durable before
// any of them is acknowledged. PostgreSQL groups commits by itself and runs
// writers concurrently; there transact is a plain transaction.

// maxGroup bounds how many writes share one commit.
const maxGroup = 128

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan error
}

// transact runs fn in a transaction, grouped with concurrent writes on
// SQLite. It returns fn's error, or the commit's.
func (s *Store) transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.group == nil {
		return s.w.WithContext(ctx).Transaction(fn)
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
	for first := range requests {
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
			var pending []int64
			for i, r := range batch {
				if err := r.ctx.Err(); err != nil {
					results[i] = err
					continue
				}
				// A nested transaction is a savepoint: a failing write is
				// rolled back alone. Its schools are re-derived once for
				// the whole group, below.
				ctx := context.WithValue(r.ctx, pendingKey{}, &pending)
				results[i] = tx.WithContext(ctx).Transaction(r.fn)
			}
			return s.refreshSchools(tx.WithContext(context.Background()), pending...)
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

// pendingKey marks a transaction whose coverage refreshes are collected
// and run once at its end.
type pendingKey struct{}

// deferredRefresh returns the collector of tx's refreshes, if any.
func deferredRefresh(tx *gorm.DB) (*[]int64, bool) {
	if tx.Statement == nil || tx.Statement.Context == nil {
		return nil, false
	}
	p, ok := tx.Statement.Context.Value(pendingKey{}).(*[]int64)
	return p, ok
}
