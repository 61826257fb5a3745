package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Bulk writes. GORM's CreateInBatches builds every batch anew by
// reflection, has SQLite prepare it anew, and reads back every id; on the
// import and the coverage refresh that was most of the time (see README,
// Performance). insertRows writes multi-row INSERT statements instead: one
// statement of many rows, prepared once per call and executed for every
// full batch, the arguments appended by the caller without reflection.
// Portable: the same SQL runs on SQLite and PostgreSQL (with $n
// placeholders there).

// bulkTable is the shape of a multi-row INSERT.
type bulkTable struct {
	name   string
	cols   []string
	suffix string // what follows the VALUES, such as an ON CONFLICT clause
}

// bulkMaxArgs keeps a statement under SQLite's limit of bound parameters
// (32,766) and PostgreSQL's (65,535).
const bulkMaxArgs = 30_000

// bulkMaxRows bounds the rows of one statement.
const bulkMaxRows = 500

// insertRows writes n rows in tx. row appends the i-th row's values, one
// per column, to args and returns it. In a bulkTransaction on SQLite the
// statements run on the driver's connection itself (bulksqlite.go).
func (s *Store) insertRows(tx *gorm.DB, t bulkTable, n int, row func(i int, args []any) []any) error {
	per := max(1, min(bulkMaxRows, bulkMaxArgs/len(t.cols)))
	ctx, pool := tx.Statement.Context, tx.Statement.ConnPool
	if c, ok := pool.(*sql.Conn); ok && !s.postgres {
		return s.insertRowsRaw(ctx, c, t, n, per, row)
	}
	if g, ok := groupOf(ctx); ok && !s.postgres {
		return s.insertRowsKept(ctx, g, t, n, row)
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	return eachBatch(t, n, per, row, func(rows int, args []any) (err error) {
		switch {
		case rows < per:
			_, err = pool.ExecContext(ctx, s.insertSQL(t, rows), args...)
		case full == nil:
			if full, err = pool.PrepareContext(ctx, s.insertSQL(t, per)); err == nil {
				_, err = full.ExecContext(ctx, args...)
			}
		default:
			_, err = full.ExecContext(ctx, args...)
		}
		return err
	})
}

// keptChunks are the row counts of the INSERTs a group commit runs,
// largest first: a group's n rows go as the fewest of them, each statement
// kept prepared on the writer connection (writestmts.go). Compiling a new
// statement of n rows for every group was 3% of the server's CPU under
// 200 submitting clients (the ledger's alone 2.8%).
var keptChunks = []int{128, 32, 8, 1}

// insertRowsKept is insertRows in a group commit on SQLite.
func (s *Store) insertRowsKept(ctx context.Context, g *writeGroup, t bulkTable, n int, row func(i int, args []any) []any) error {
	var args []any
	for start := 0; start < n; {
		k := keptChunks[len(keptChunks)-1]
		for _, c := range keptChunks {
			if c <= n-start && c*len(t.cols) <= bulkMaxArgs {
				k = c
				break
			}
		}
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = row(i, args)
		}
		if err := checkArity(t, len(args), k); err != nil {
			return err
		}
		st, err := g.stmt(ctx, s.insertSQL(t, k))
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
		}
		if err != nil {
			return fmt.Errorf("store: writing %s: %w", t.name, err)
		}
		start += k
	}
	return nil
}

// eachBatch gathers n rows per at a time and has exec write them.
func eachBatch(t bulkTable, n, per int, row func(i int, args []any) []any, exec func(rows int, args []any) error) error {
	args := make([]any, 0, min(n, per)*len(t.cols))
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if err := checkArity(t, len(args), end-start); err != nil {
			return err
		}
		if err := exec(end-start, args); err != nil {
			return fmt.Errorf("store: writing %s: %w", t.name, err)
		}
	}
	return nil
}

// checkArity reports a row function that gave the wrong number of values.
func checkArity(t bulkTable, vals, rows int) error {
	if vals != rows*len(t.cols) {
		return fmt.Errorf("store: %s: %d values for %d rows of %d columns", t.name, vals, rows, len(t.cols))
	}
	return nil
}

// insertSQL is the INSERT of rows rows into t.
func (s *Store) insertSQL(t bulkTable, rows int) string {
	var b strings.Builder
	b.Grow(64 + rows*len(t.cols)*5 + len(t.suffix))
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	arg := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			arg++
			if s.postgres {
				b.WriteString("$" + strconv.Itoa(arg))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	if t.suffix != "" {
		b.WriteString(" " + t.suffix)
	}
	return b.String()
}

// insertOnly is t without its ON CONFLICT clause: for rows known to be
// new. An upsert makes SQLite keep a statement journal (see orFail).
func (t bulkTable) insertOnly() bulkTable {
	t.suffix = ""
	return t
}

// upsertTable is a bulkTable whose rows replace those with the same keys:
// every column but the keys and keep takes the new row's value.
func upsertTable(name string, cols, keys []string, keep ...string) bulkTable {
	var sets []string
	for _, c := range cols {
		if !slices.Contains(keys, c) && !slices.Contains(keep, c) {
			sets = append(sets, c+" = excluded."+c)
		}
	}
	return bulkTable{name: name, cols: cols,
		suffix: "ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")}
}
