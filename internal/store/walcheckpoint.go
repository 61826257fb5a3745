package store

import "time"

// WAL checkpoints off the write path. SQLite copies its write-ahead log
// back into the database file in the commit that grows the log past 1,000
// pages, by default: that commit, and with group commit every write queued
// behind it, then waits for the copy and the database file's fsync (the
// profile of durable checklist POSTs showed it in the commits). The store
// turns that off on its writer and checkpoints from a goroutine of its own,
// on a reader connection, PASSIVE: it neither waits for the writer nor
// holds it up. Durability is the log's, as before: a commit is acknowledged
// once its log frames are synced.

// walCheckpointEvery is how often the log is copied back. Each copy writes
// every page changed since the last one once, however often it changed:
// at 100,000 schools under 200 submitting clients, copying every 500 ms
// cost 6–7% of the server's CPU, every 2 s half that (the pages that every
// group changes, such as the upper divisions' ledger rows and the indexes'
// ends, are copied once instead of four times). The log then holds up to
// about two seconds of writes.
const walCheckpointEvery = 2 * time.Second

// startCheckpoints disables the writer's automatic checkpoints and starts
// the goroutine that does them instead; stop ends it.
func (s *Store) startCheckpoints() error {
	if err := s.w.Exec("PRAGMA wal_autocheckpoint = 0").Error; err != nil {
		return err
	}
	s.walStop, s.walStopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.walStopped)
		t := time.NewTicker(walCheckpointEvery)
		defer t.Stop()
		for {
			select {
			case <-s.walStop:
				return
			case <-t.C:
				// A failure (the database busy with a backup, say) is
				// harmless: the next tick tries again.
				_ = s.r.Exec("PRAGMA wal_checkpoint(PASSIVE)").Error
			}
		}
	}()
	return nil
}

// stopCheckpoints ends the checkpoint goroutine, if it runs.
func (s *Store) stopCheckpoints() {
	if s.walStop != nil {
		close(s.walStop)
		<-s.walStopped
	}
}
