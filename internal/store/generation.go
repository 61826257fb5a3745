package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// The data generation is a counter in the data_generation row, bumped in
// every transaction that records an audit entry (every write records one)
// and by the few writes that change what a request sees without one
// (signing out, a language choice). Readers key their caches by it: a page,
// an API answer or a session's user cached under generation g is served
// only while the row still says g. On PostgreSQL the row's lock orders the
// commits that bump it, so the counter is exact across servers too: a
// server reading g+1 sees every write committed up to it.

// bumpGeneration advances the data generation in tx.
func bumpGeneration(tx *gorm.DB) error {
	if err := tx.Exec("UPDATE data_generation SET gen = gen + 1 WHERE id = 1").Error; err != nil {
		return fmt.Errorf("store: bumping the data generation: %w", err)
	}
	return nil
}

type pinnedKey struct{}

// PinGeneration reads the data generation once and returns a context that
// answers Generation with it, so a read request's cache lookups (its
// session, its page) cost one query together. Pin only for requests that
// read: a write in the same request would not move the pinned value.
func (s *Store) PinGeneration(ctx context.Context) (context.Context, error) {
	gen, err := s.readGeneration(ctx)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, pinnedKey{}, gen), nil
}

// Generation identifies the state of the recorded data: it changes with
// every write, on any server. Pages derived from the data can be cached
// under it. A context from PinGeneration answers without a query.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	if gen, ok := ctx.Value(pinnedKey{}).(int64); ok {
		return gen, nil
	}
	return s.readGeneration(ctx)
}

func (s *Store) readGeneration(ctx context.Context) (gen int64, err error) {
	defer wrap(&err, "generation")
	err = s.queryRow(ctx, "SELECT gen FROM data_generation WHERE id = 1", nil, &gen)
	return gen, err
}
