package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"safecampus/internal/model"
)

// Hot reads. A cached dashboard still asked the database three things on
// every view: the data generation, the division in its URL and the
// viewer's unread notifications. Through GORM each cost more (statement
// building, reflection, a fresh prepare) than the answer. The generation
// now runs as plain SQL, portable to both engines, prepared once on the
// read pool; the other two are cached per generation (every write that
// changes them bumps it), which saves PostgreSQL two round trips a view.

// hotCache holds the division and unread-count answers of one data
// generation (genCache, credcache.go).
type hotCache struct {
	divisions genCache[model.Division]
	unread    genCache[int64] // by user id
}

// preparedStmts maps a query to its prepared statement.
type preparedStmts struct{ m sync.Map }

// stmt returns q prepared on the read pool, preparing it on first use.
// Placeholders are written "?" and numbered for PostgreSQL.
func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	text := q
	if s.postgres {
		text = numberPlaceholders(q)
	}
	st, err := s.rsql.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// closeStmts closes the prepared statements (the pools close next).
func (s *Store) closeStmts() {
	s.stmts.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// numberPlaceholders turns ? into $1, $2, … (our hot queries hold no ?
// inside literals).
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// queryRow runs a hot query and scans its one row into dest.
func (s *Store) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}
