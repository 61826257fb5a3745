package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The roster import's bulk path on SQLite. Through database/sql, every
// statement of 6,000 values converted each value, checked it against the
// driver and built a new argument list (a profile of the 100,000-school
// import: 0.6 s of 7 s, and most of its garbage). bulkTransaction runs a
// transaction on a connection of its own, so that insertRows reaches the
// driver's connection (sql.Conn.Raw) and binds the values it already has,
// with one argument list for every statement. Everything else in the
// transaction goes through GORM as usual, on the same connection.

// bulkTransaction runs fn in one transaction, as Transaction does, with a
// connection of its own as tx's pool on SQLite (see above). On PostgreSQL
// it is Transaction.
func (s *Store) bulkTransaction(ctx context.Context, fn func(tx *gorm.DB) error) (err error) {
	if s.postgres {
		return s.w.WithContext(ctx).Transaction(fn)
	}
	db, err := s.w.DB()
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// No foreign key checks in the transaction (see orFail): the bulk
	// write checks what it refers to itself (the roster's divisions are
	// read in the transaction). They are on again before the connection
	// goes back to the pool, or it does not go back.
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // an error, or a panic on its way up
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	// No default transactions: the connection is in one already.
	tx := s.w.Session(&gorm.Session{Context: ctx, NewDB: true, SkipDefaultTransaction: true})
	tx.Statement.ConnPool = conn
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	done = true
	return nil
}

// insertRowsRaw is insertRows on the SQLite driver's connection: its
// multi-row statements prepared once per size, each batch bound and
// stepped in one call into C (bulkstep.go), or where that is not
// available, executed with driver values.
func (s *Store) insertRowsRaw(ctx context.Context, c *sql.Conn, t bulkTable, n, per int, row func(i int, args []any) []any) error {
	return c.Raw(func(dc any) error {
		conn, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("store: %T is not a SQLite connection", dc)
		}
		stmts := map[int]driver.Stmt{}
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		prepared := func(rows int) (driver.Stmt, error) {
			st, ok := stmts[rows]
			if !ok {
				var err error
				if st, err = conn.Prepare(orFail(s.insertSQL(t, rows))); err != nil {
					return nil, err
				}
				stmts[rows] = st
			}
			return st, nil
		}
		var vals bulkValues
		named := make([]driver.NamedValue, 0, min(n, per)*len(t.cols))
		return eachBatch(t, n, per, row, func(rows int, args []any) error {
			st, err := prepared(rows)
			if err != nil {
				return err
			}
			if step, ok := newBulkStep(st); ok {
				if err := vals.set(args); err != nil {
					return err
				}
				return step.insert(&vals)
			}
			named = named[:0]
			for i, v := range args {
				dv, err := driverValue(v)
				if err != nil {
					return fmt.Errorf("value %d: %w", i+1, err)
				}
				named = append(named, driver.NamedValue{Ordinal: i + 1, Value: dv})
			}
			_, err = st.(driver.StmtExecContext).ExecContext(ctx, named)
			return err
		})
	})
}

// orFail makes an INSERT stop at its first failing row instead of undoing
// its other rows first. In a bulkTransaction any error rolls everything
// back, so that undo is of no use, and it is costly: a multi-row INSERT
// that might abort half-way keeps a statement journal, a copy of every
// page it changes (for 100,000 schools, 61 MB written to a temporary file
// in 20,000 writes). A foreign key check or an upsert makes a statement
// one that might abort whatever its OR clause; so bulkTransaction turns
// the checks off, and a write of rows known to be new inserts them only
// (bulkTable.insertOnly).
func orFail(insert string) string {
	return "INSERT OR FAIL INTO " + strings.TrimPrefix(insert, "INSERT INTO ")
}

// bulkValues is a batch of values packed for C (bulkstep.go): no Go
// pointers, text and blobs copied into one buffer. Bound as the driver
// binds them: a string or time as text (the time in the driver's format),
// a bool as 0 or 1, a nil []byte as NULL.
type bulkValues struct {
	vals  []bulkValue
	bytes []byte
	// The last time written and where: a batch's times are mostly the
	// one moment of the whole write.
	lastTime      time.Time
	lastAt, lastN int
}

// bulkValue is one value; its layout is C's sc_value.
type bulkValue struct {
	kind int32 // bulkNull, …
	n    int32 // text or blob: its length
	i    int64 // integer; float: its bits; text or blob: its offset in bytes
}

const (
	bulkNull int32 = iota
	bulkInt
	bulkFloat
	bulkText
	bulkBlob
)

// set packs args, converted as driverValue converts them.
func (b *bulkValues) set(args []any) error {
	b.vals, b.bytes = b.vals[:0], b.bytes[:0]
	b.lastTime, b.lastN = time.Time{}, -1
	for i, v := range args {
		dv, err := driverValue(v)
		if err != nil {
			return fmt.Errorf("value %d: %w", i+1, err)
		}
		switch dv := dv.(type) {
		case nil:
			b.vals = append(b.vals, bulkValue{kind: bulkNull})
		case int64:
			b.vals = append(b.vals, bulkValue{kind: bulkInt, i: dv})
		case bool:
			var one int64
			if dv {
				one = 1
			}
			b.vals = append(b.vals, bulkValue{kind: bulkInt, i: one})
		case float64:
			b.vals = append(b.vals, bulkValue{kind: bulkFloat, i: int64(math.Float64bits(dv))})
		case string:
			b.text(bulkText, len(b.bytes), len(dv))
			b.bytes = append(b.bytes, dv...)
		case []byte:
			if dv == nil {
				b.vals = append(b.vals, bulkValue{kind: bulkNull})
				break
			}
			b.text(bulkBlob, len(b.bytes), len(dv))
			b.bytes = append(b.bytes, dv...)
		case time.Time:
			if b.lastN < 0 || dv != b.lastTime {
				at := len(b.bytes)
				b.bytes = dv.AppendFormat(b.bytes, sqlite3.SQLiteTimestampFormats[0])
				b.lastTime, b.lastAt, b.lastN = dv, at, len(b.bytes)-at
			}
			b.text(bulkText, b.lastAt, b.lastN)
		default:
			return fmt.Errorf("value %d: %T cannot be bound", i+1, dv)
		}
	}
	if len(b.bytes) > math.MaxInt32 {
		return fmt.Errorf("store: a batch of %d bytes", len(b.bytes))
	}
	return nil
}

// text adds a text or blob value of n bytes at offset at.
func (b *bulkValues) text(kind int32, at, n int) {
	b.vals = append(b.vals, bulkValue{kind: kind, n: int32(n), i: int64(at)})
}

// driverValue converts v as database/sql would for the driver: the
// driver's own types as they are, the rest (int, pointers, Valuers) by the
// default converter. The SQLite driver binds nothing for a type it does
// not know, so nothing else may reach it.
func driverValue(v any) (driver.Value, error) {
	switch v := v.(type) {
	case nil, string, int64, bool, float64, []byte, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	case *int64:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	case *model.Date: // the coverage rows' days
		if v == nil {
			return nil, nil
		}
		return v.Value()
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}
