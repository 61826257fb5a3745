package store

import (
	"context"
	"fmt"
	"sync"

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

// bumpGeneration advances the data generation in tx. On PostgreSQL it
// first takes the audit chain's lock, as insertAudit does before it
// advances the generation, so that every transaction takes the two locks
// in the same order and none waits for another in a cycle.
func (s *Store) bumpGeneration(tx *gorm.DB) error {
	if err := s.lockAuditChain(tx); err != nil {
		return fmt.Errorf("store: locking the data generation: %w", err)
	}
	return s.advanceGeneration(tx)
}

// advanceGeneration is bumpGeneration for a transaction that holds the
// audit chain's lock already.
func (s *Store) advanceGeneration(tx *gorm.DB) error {
	if _, err := s.execW(tx, "UPDATE data_generation SET gen = gen + 1 WHERE id = 1"); err != nil {
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

// maxCachedPerGeneration bounds each genCache; past it the cache starts
// again empty.
const maxCachedPerGeneration = 10_000

// genCache is a map that holds entries of one data generation only.
type genCache[V any] struct {
	mu      sync.Mutex
	gen     int64
	entries map[string]V
}

func (c *genCache[V]) get(gen int64, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[key]
	if gen != c.gen {
		var zero V
		return zero, false
	}
	return v, ok
}

// put stores v for generation gen; an answer read at an older generation
// than the cache's is dropped, a newer one empties the cache.
func (c *genCache[V]) put(gen int64, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return
	}
	if gen > c.gen || c.entries == nil || len(c.entries) >= maxCachedPerGeneration {
		c.gen, c.entries = gen, map[string]V{}
	}
	c.entries[key] = v
}
