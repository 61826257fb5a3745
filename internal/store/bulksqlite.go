package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
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

// insertRowsRaw is insertRows on the SQLite driver's connection: each
// statement prepared once per size and executed with driver values.
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
		named := make([]driver.NamedValue, 0, min(n, per)*len(t.cols))
		return eachBatch(t, n, per, row, func(rows int, args []any) error {
			named = named[:0]
			for i, v := range args {
				dv, err := driverValue(v)
				if err != nil {
					return fmt.Errorf("value %d: %w", i+1, err)
				}
				named = append(named, driver.NamedValue{Ordinal: i + 1, Value: dv})
			}
			st, ok := stmts[rows]
			if !ok {
				var err error
				if st, err = conn.Prepare(s.insertSQL(t, rows)); err != nil {
					return err
				}
				stmts[rows] = st
			}
			_, err := st.(driver.StmtExecContext).ExecContext(ctx, named)
			return err
		})
	})
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
