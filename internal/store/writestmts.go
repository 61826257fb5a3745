package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// Plain SQL on the write path. A submission's few fixed statements cost
// more through GORM (statement building, reflection, a fresh prepare for
// every call) than SQLite's work on them; execW and queryW run them as
// written, "?" placeholders numbered for PostgreSQL. Inside a group commit
// each statement is prepared once per group, on the group's transaction.

// groupKey carries a group commit's writeGroup in its writes' contexts.
type groupKey struct{}

// writeGroup holds the statements prepared in one group commit's
// transaction; they close with it.
type writeGroup struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// stmt returns q prepared on the group's transaction.
func (g *writeGroup) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := g.stmts[q]; ok {
		return st, nil
	}
	st, err := g.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	g.stmts[q] = st
	return st, nil
}

// groupOf returns tx's group commit, if it runs in one.
func groupOf(ctx context.Context) (*writeGroup, bool) {
	g, ok := ctx.Value(groupKey{}).(*writeGroup)
	return g, ok && g.tx != nil
}

// execW runs a statement in tx.
func (s *Store) execW(tx *gorm.DB, q string, args ...any) (sql.Result, error) {
	ctx := tx.Statement.Context
	if g, ok := groupOf(ctx); ok {
		st, err := g.stmt(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.ExecContext(ctx, args...)
	}
	if s.postgres {
		q = numberPlaceholders(q)
	}
	return tx.Statement.ConnPool.ExecContext(ctx, q, args...)
}

// queryRowW runs a query of one row in tx and scans it into dest;
// sql.ErrNoRows when there is none.
func (s *Store) queryRowW(tx *gorm.DB, q string, args []any, dest ...any) error {
	ctx := tx.Statement.Context
	if g, ok := groupOf(ctx); ok {
		st, err := g.stmt(ctx, q)
		if err != nil {
			return err
		}
		return st.QueryRowContext(ctx, args...).Scan(dest...)
	}
	if s.postgres {
		q = numberPlaceholders(q)
	}
	return tx.Statement.ConnPool.QueryRowContext(ctx, q, args...).Scan(dest...)
}
