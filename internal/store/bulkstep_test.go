package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// TestBulkStepBindsAsTheDriver: the import's C path (bulkstep.go) is the
// one SQLite's bulk writes take, and it stores what binding each value
// through the driver stores: the same type and the same bytes, for every
// kind of value the bulk writes give it, across batches and a last
// partial batch.
func TestBulkStepBindsAsTheDriver(t *testing.T) {
	s, _ := newTestStore(t, "sqlite", model.NewDate(2026, 3, 2))
	ctx := context.Background()
	d := model.NewDate(2026, 3, 2)
	at := time.Date(2026, 3, 2, 1, 2, 3, 4000, time.FixedZone("CST", 8*3600))
	values := []any{nil, "s", "", "北门 \"东\" <1> & 2\x00end", int64(-3), 7, true, false, 2.5, []byte("b"), []byte{}, []byte(nil),
		at, at, at.UTC(), ptr(int64(9)), (*int64)(nil), &d, (*model.Date)(nil), model.Basis("verified")}
	table := bulkTable{name: "bulk_probe", cols: []string{"way", "n", "v"}}
	// More rows than one statement takes, so that a full and a partial
	// batch both run.
	rows := 3*max(1, min(bulkMaxRows, bulkMaxArgs/len(table.cols))) + 7
	err := s.bulkTransaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("CREATE TEMP TABLE bulk_probe (way TEXT, n INTEGER, v)").Error; err != nil {
			return err
		}
		if err := tx.Exec("CREATE TEMP TABLE bulk_checked (n INTEGER CHECK (n >= 0))").Error; err != nil {
			return err
		}
		if err := tx.Statement.ConnPool.(*sql.Conn).Raw(func(dc any) error {
			st, err := dc.(*sqlite3.SQLiteConn).Prepare("SELECT 1")
			if err != nil {
				return err
			}
			defer st.Close()
			if _, ok := newBulkStep(st); !ok {
				t.Errorf("the bulk path does not reach SQLite's statement in %T", st)
			}
			return nil
		}); err != nil {
			return err
		}
		if err := s.insertRows(tx, table, rows, func(i int, args []any) []any {
			return append(args, "bulk", int64(i), values[i%len(values)])
		}); err != nil {
			return err
		}
		for i := range rows {
			if err := tx.Exec("INSERT INTO bulk_probe (way, n, v) VALUES (?, ?, ?)", "driver", int64(i), values[i%len(values)]).Error; err != nil {
				return err
			}
		}
		stored := func(way string) (got []string) {
			if err := tx.Raw("SELECT n || ' ' || typeof(v) || ' ' || quote(v) FROM bulk_probe WHERE way = ? ORDER BY n", way).
				Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			return got
		}
		bulk, driver := stored("bulk"), stored("driver")
		if len(bulk) != rows {
			t.Errorf("%d rows written in bulk, want %d", len(bulk), rows)
		}
		if diff := cmp.Diff(driver, bulk); diff != "" {
			t.Errorf("bulk rows differ from the driver's (-driver +bulk):\n%s", diff)
		}
		if !strings.Contains(strings.Join(bulk, "\n"), "text '2026-03-02 01:02:03.000004+08:00'") {
			t.Errorf("no time in the driver's format among %q", bulk[:len(values)])
		}
		// A failing row is SQLite's error, with its message.
		err := s.insertRows(tx, bulkTable{name: "bulk_checked", cols: []string{"n"}}, 3, func(i int, args []any) []any {
			return append(args, int64(1-i))
		})
		if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("a row failing its CHECK: %v", err)
		}
		return errDryRun // leave nothing behind
	})
	if err != errDryRun {
		t.Fatal(err)
	}
}

// TestImportLeavesForeignKeysOn: the import's transaction runs without
// foreign key checks (orFail), and the writer's connection has them again
// afterwards, after a success and after a failure.
func TestImportLeavesForeignKeysOn(t *testing.T) {
	s, _ := newTestStore(t, "sqlite", model.NewDate(2026, 3, 2))
	ctx := context.Background()
	line := func(code, division string) model.SchoolLine {
		return model.SchoolLine{Line: 2, School: model.School{Code: code, Name: "学校" + code, Type: model.Primary,
			DivisionCode: division, Students: 100, Ownership: model.Public, Active: true}}
	}
	for _, rows := range [][]model.SchoolLine{{line("1500000001", "150102")}, {line("1500000002", "159999")}} {
		_, _ = s.ImportSchools(ctx, testAdmin, rows, false)
		var on int
		if err := s.w.WithContext(ctx).Raw("PRAGMA foreign_keys").Scan(&on).Error; err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Fatalf("foreign_keys = %d on the writer after importing %s", on, rows[0].School.Code)
		}
	}
}

// TestNewSchoolsOutOfOrder: the import's new ids are matched to its rows
// whether they come back in the rows' order or not (another writer's
// school among them, or rows written in another order).
func TestNewSchoolsOutOfOrder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, _ := newTestStore(t, engine, model.NewDate(2026, 3, 2))
		want := map[string]int64{}
		for _, code := range []string{"1500000003", "1500000001", "1500000009", "1500000002"} {
			want[code] = addSchool(t, s, code, "150102", 100).ID
		}
		batch := []schoolRow{{Code: "1500000001"}, {Code: "1500000002"}, {Code: "1500000003"}}
		var added []schoolRow
		err := s.w.Transaction(func(tx *gorm.DB) (err error) {
			added, err = s.newSchools(tx, batch, map[string]schoolRow{}, 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range added {
			got[r.Code] = r.ID
		}
		for _, r := range batch {
			if r.ID != want[r.Code] || got[r.Code] != want[r.Code] {
				t.Errorf("%s: id %d, added with %d, want %d", r.Code, r.ID, got[r.Code], want[r.Code])
			}
		}
		if len(added) != len(batch) {
			t.Errorf("%d added, want %d", len(added), len(batch))
		}
	})
}

// TestImportFailingRowWritesNothing: a row that fails in the middle of the
// import's bulk write (its CHECK, past the first statement's rows) leaves
// nothing written on either path of the schools' insert (a fresh roster's
// plain INSERT, an upsert beside a known school), and the same roster
// without it imports afterwards on the same connection, its foreign key
// checks on again.
func TestImportFailingRowWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		for _, known := range []bool{false, true} {
			s, _ := newTestStore(t, engine, model.NewDate(2026, 3, 2))
			ctx := context.Background()
			var rows []model.SchoolLine
			for i := range 1200 {
				rows = append(rows, model.SchoolLine{Line: i + 2, School: model.School{Code: fmt.Sprintf("15%08d", i),
					Name: fmt.Sprintf("学校%d", i), Type: model.Primary, DivisionCode: "150102", Students: 100, Boarders: 10,
					Ownership: model.Public, Active: true}})
			}
			if known {
				addSchool(t, s, rows[3].School.Code, "150102", 50)
			}
			counts := func() (n [3]int64) {
				for i, table := range []string{"schools", "audit_log", "school_coverage"} {
					if err := s.r.Table(table).Count(&n[i]).Error; err != nil {
						t.Fatal(err)
					}
				}
				return n
			}
			before := counts()
			bad := slices.Clone(rows)
			bad[700].School.Boarders = 1000 // more than its students: CHECK
			if _, err := s.ImportSchools(ctx, testAdmin, bad, false); err == nil {
				t.Fatalf("known %v: a failing row imported", known)
			}
			if got := counts(); got != before {
				t.Errorf("known %v: schools, audit entries, coverage rows %v after a failed import, want %v", known, got, before)
			}
			if engine == "sqlite" {
				var on int
				if err := s.w.WithContext(ctx).Raw("PRAGMA foreign_keys").Scan(&on).Error; err != nil || on != 1 {
					t.Errorf("known %v: foreign_keys = %d (%v) on the writer after a failed import", known, on, err)
				}
			}
			if _, err := s.ImportSchools(ctx, testAdmin, rows, false); err != nil {
				t.Fatalf("known %v: the good roster after a failed one: %v", known, err)
			}
			if got := counts(); got[0] != 1200 || got[2] != 1200*int64(len(model.Bases)) {
				t.Errorf("known %v: %d schools, %d coverage rows after the import", known, got[0], got[2])
			}
		}
	})
}

// TestImportSameCodeTwice: ImportSchools keeps the upsert for a batch that
// has a code twice (hasDuplicateCode); the import then writes that school
// once, as it did before the new ids were matched in order, instead of
// failing to find the second row's id.
func TestImportSameCodeTwice(t *testing.T) {
	s, _ := newTestStore(t, "sqlite", model.NewDate(2026, 3, 2))
	line := func(code string, students int) model.SchoolLine {
		return model.SchoolLine{Line: 2, School: model.School{Code: code, Name: "学校" + code, Type: model.Primary,
			DivisionCode: "150102", Students: students, Ownership: model.Public, Active: true}}
	}
	rows := []model.SchoolLine{line("1500000001", 100), line("1500000002", 200), line("1500000002", 200), line("1500000003", 300)}
	if _, err := s.ImportSchools(context.Background(), testAdmin, rows, false); err != nil {
		t.Fatal(err)
	}
	var n, covered int64
	if err := s.r.Table("schools").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.r.Table("school_coverage").Count(&covered).Error; err != nil {
		t.Fatal(err)
	}
	if n != 3 || covered != 3*int64(len(model.Bases)) {
		t.Errorf("%d schools, %d coverage rows, want 3 and %d", n, covered, 3*len(model.Bases))
	}
}
