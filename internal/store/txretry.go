package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// PostgreSQL may abort a transaction that did nothing wrong: to break a
// deadlock (SQLSTATE 40P01) or, at a stricter isolation than ours, a
// serialization failure (40001). Neither is the client's fault nor final:
// the same write run again from its start goes through. runTx runs
// PostgreSQL writes, and runs one again, a bounded number of times, when
// the server aborted it so. The failed attempt left nothing behind: its
// transaction rolled back every row it wrote (its audit entries, its
// idempotency claim, its counters), and on PostgreSQL nothing is left for
// a group's end (groupcommit.go is SQLite's). What the function hands out
// through its closure it must set, not add to, on every run.

// txAttempts bounds the runs of one write.
const txAttempts = 5

// runTx runs fn in a transaction of the writer pool, again when PostgreSQL
// aborted it (see above). It returns fn's error, or the commit's.
func (s *Store) runTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(fn)
		if err == nil || !s.postgres || attempt == txAttempts || !abortedByServer(err) {
			return err
		}
		// Logged and counted, so that a deadlock the lock order missed
		// shows.
		s.reruns.Add(1)
		s.log.Warn("transaction aborted by PostgreSQL, running it again", "attempt", attempt, "err", err)
		// The other side of the deadlock goes first: a short wait, longer
		// each time and jittered, so that the two do not meet again.
		t := time.NewTimer(time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// abortedByServer reports whether err is PostgreSQL aborting a transaction
// that may succeed when run again: a deadlock or a serialization failure.
func abortedByServer(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}
