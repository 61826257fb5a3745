package store

import (
	"context"
	"database/sql"
	"strconv"

	"gorm.io/gorm"
)

// Plain SQL on the write path. A submission's few fixed statements cost
// more through GORM (statement building, reflection, a fresh prepare for
// every call) than SQLite's work on them; execW and queryRowW run them as
// written, "?" placeholders numbered for PostgreSQL. Inside a group commit
// a statement met for the first time is prepared on the group's
// transaction, and then once more on the writer connection between groups
// (keptStmts), where it stays prepared for every later group.

// groupKey carries a group commit's writeGroup in its writes' contexts.
type groupKey struct{}

// writeGroup holds the statements of one group commit's transaction; they
// close with it.
type writeGroup struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	kept  *keptStmts
}

// stmt returns q prepared for the group's transaction.
func (g *writeGroup) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := g.stmts[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if k, ok := g.kept.stmts[q]; ok {
		// Prepared on the writer connection already: the transaction,
		// on that connection, uses it as it is.
		st = g.tx.StmtContext(ctx, k)
	} else {
		var err error
		if st, err = g.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		g.kept.wanted[q] = true
	}
	g.stmts[q] = st
	return st, nil
}

// keptStmts are the statements kept prepared on the SQLite writer
// connection. Only the group-commit goroutine uses them. A statement cannot
// be prepared on the connection while a transaction holds it (the pool has
// one connection), so those first met in a group are prepared after it.
type keptStmts struct {
	db     *sql.DB
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

func newKeptStmts(db *sql.DB) *keptStmts {
	return &keptStmts{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// prepareWanted prepares the statements the last group met for the first
// time. One that fails is tried again when a group meets it again.
func (k *keptStmts) prepareWanted() {
	for q := range k.wanted {
		if st, err := k.db.Prepare(q); err == nil {
			k.stmts[q] = st
		}
		delete(k.wanted, q)
	}
}

func (k *keptStmts) close() {
	for _, st := range k.stmts {
		st.Close()
	}
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

// groupRowsOfIDs runs q, whose one parameter is a JSON array of ids (as in
// "IN (SELECT value FROM json_each(?))"), on the group commit's kept
// statement. ok is false outside a group commit on SQLite: the caller then
// runs its portable query.
func (s *Store) groupRowsOfIDs(tx *gorm.DB, q string, ids []int64) (_ *sql.Rows, ok bool, _ error) {
	ctx := tx.Statement.Context
	g, ok := groupOf(ctx)
	if !ok || s.postgres {
		return nil, false, nil
	}
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	st, err := g.stmt(ctx, q)
	if err != nil {
		return nil, true, err
	}
	rows, err := st.QueryContext(ctx, string(append(b, ']')))
	return rows, true, err
}

// groupRows reads rows by q, as groupRowsOfIDs runs it, each scanned into
// the columns fields gives, in q's order. Outside a group commit on SQLite
// portable reads them instead.
func groupRows[T any](s *Store, tx *gorm.DB, q string, ids []int64, portable func(out *[]T) error, fields func(*T) []any) ([]T, error) {
	var out []T
	rows, ok, err := s.groupRowsOfIDs(tx, q, ids)
	if !ok {
		return out, portable(&out)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r T
		if err := rows.Scan(fields(&r)...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
