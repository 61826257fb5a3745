package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// TestGroupCommitIsolatesFailures sends many submissions at once, some for
// a school that does not exist: those fail alone, the others commit, and
// coverage counts exactly the ones that committed.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 6, 1)
		s, _ := newTestStore(t, engine, d0)
		schools := []model.School{addSchool(t, s, "G001", "150102", 300), addSchool(t, s, "G002", "150103", 300)}
		errs := concurrently(60, func(i int) error {
			id := schools[i%2].ID
			if i%5 == 0 {
				id = 999999
			}
			_, err := s.CreateChecklist(ctx, testAdmin, id, ChecklistInput{CheckedOn: d0, Facts: goodFacts(d0), Submit: true})
			return err
		})
		for i, err := range errs {
			switch {
			case i%5 == 0 && !errors.Is(err, ErrNotFound):
				t.Errorf("submission %d for an unknown school: got %v, want ErrNotFound", i, err)
			case i%5 != 0 && err != nil:
				t.Errorf("submission %d: %v", i, err)
			}
		}
		var n int64
		if err := s.r.Model(&checklistRow{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 48 {
			t.Errorf("%d checklists stored, want 48", n)
		}
		got := coverageOf(t, s, "150000", model.BasisReported, d0)
		if want := (model.Counts{Schools: 2, Measures: [5]int{2, 2, 2, 2, 2}, AllFive: 2}); got != want {
			t.Errorf("reported coverage: got %+v, want %+v", got, want)
		}
	})
}

// TestGroupWorkOfFailedWritesIsDropped has writes audit and count, then
// some of them fail: a failed write leaves neither its audit entry nor its
// count (they wait for the group's end), the others' entries chain, and the
// counters hold exactly theirs.
func TestGroupWorkOfFailedWritesIsDropped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 6, 1)
		s, _ := newTestStore(t, engine, d0)
		school := addSchool(t, s, "G001", "150102", 300)
		boom := errors.New("boom")
		errs := concurrently(40, func(i int) error {
			return s.transact(ctx, func(tx *gorm.DB) error {
				if err := s.audit(tx, testAdmin, "probe", "checklist", itoa(int64(i)), "150102", nil, map[string]any{"i": i}); err != nil {
					return err
				}
				if err := s.countChecklists(tx, model.ActivitySubmitted, school.ID); err != nil {
					return err
				}
				if i%4 == 0 {
					return boom
				}
				return nil
			})
		})
		for i, err := range errs {
			if want := i%4 == 0; errors.Is(err, boom) != want || (!want && err != nil) {
				t.Errorf("write %d: %v", i, err)
			}
		}
		var ids []string
		if err := s.r.Model(&auditRow{}).Where("action = ?", "probe").Pluck("entity_id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		if len(ids) != 30 {
			t.Errorf("%d audit entries, want 30", len(ids))
		}
		for _, id := range ids {
			if n, _ := strconv.Atoi(id); n%4 == 0 {
				t.Errorf("the failed write %s left its audit entry", id)
			}
		}
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		for _, division := range []string{"150102", "150000"} {
			var n int
			if err := s.r.Raw("SELECT n FROM activity_counts WHERE division_code = ? AND kind = ? AND day = ?",
				division, string(model.ActivitySubmitted), d0).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != 30 {
				t.Errorf("%s: %d submissions counted, want 30", division, n)
			}
		}
	})
}

// concurrently runs f(0) … f(n-1) at once and returns their errors.
func concurrently(n int, f func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}

// TestGroupInsertsRunKeptStatements: in a group commit a multi-row insert
// goes as statements of the kept chunk sizes (prepared once on the writer
// connection, not compiled anew for every group's row count), and every
// row lands.
func TestGroupInsertsRunKeptStatements(t *testing.T) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 6, 1)
	s, _ := newTestStore(t, "sqlite", d0)
	const n = 128 + 2*32 + 8 + 3 // every chunk size, some twice
	var used []string
	err := s.transact(ctx, func(tx *gorm.DB) error {
		g, ok := groupOf(tx.Statement.Context)
		if !ok {
			t.Fatal("not in a group commit")
		}
		err := s.insertRows(tx, activityTable, n, func(i int, args []any) []any {
			return append(args, "150102", "probe", d0.AddDays(i), model.FirstDay, i+1)
		})
		for q := range g.stmts {
			if strings.HasPrefix(q, "INSERT INTO activity_counts") {
				used = append(used, q)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, k := range keptChunks {
		want[s.insertSQL(activityTable, k)] = true
	}
	if len(used) != len(keptChunks) {
		t.Errorf("%d insert statements, want one of each of the %d kept sizes", len(used), len(keptChunks))
	}
	for _, q := range used {
		if !want[q] {
			t.Errorf("an insert of another row count: %.80s…", q)
		}
	}
	var count, sum int
	if err := s.r.Raw("SELECT COUNT(*), SUM(n) FROM activity_counts WHERE kind = 'probe'").Row().Scan(&count, &sum); err != nil {
		t.Fatal(err)
	}
	if count != n || sum != n*(n+1)/2 {
		t.Errorf("%d rows summing %d, want %d summing %d", count, sum, n, n*(n+1)/2)
	}
}

// TestGroupReadsMatchPortableOnes: the refresh's reads by kept statements
// in a group commit (schools, coverage rows, the checklists that count)
// give what the portable queries give outside one.
func TestGroupReadsMatchPortableOnes(t *testing.T) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 6, 1)
	s, clk := newTestStore(t, "sqlite", d0)
	a, b := addSchool(t, s, "G001", "150102", 300), addSchool(t, s, "G002", "150202", 800)
	first := submit(t, s, a, d0, goodFacts(d0))
	verify(t, s, first)
	clk.day(d0.AddDays(2))
	submit(t, s, a, d0.AddDays(2), goodFacts(d0.AddDays(2)))
	weak := goodFacts(d0.AddDays(1))
	weak.SecurityGuards.FullTimeGuards, weak.SecurityGuards.LicensedGuards = ptr(0), ptr(0)
	submit(t, s, b, d0.AddDays(1), weak)
	ids := []int64{a.ID, b.ID, 999999}
	read := func(tx *gorm.DB) (schools []schoolRow, cov []schoolCoverageRow, latest map[int64]map[model.Basis]*model.Checklist, err error) {
		if schools, err = s.schoolsOf(tx, ids); err != nil {
			return
		}
		if cov, err = s.coverageRowsOf(tx, ids); err != nil {
			return
		}
		latest, err = s.latestChecklists(tx, ids, nil)
		return
	}
	wantSchools, wantCov, wantLatest, err := read(s.w)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantSchools) != 2 || len(wantCov) != 4 || len(wantLatest) != 2 {
		t.Fatalf("portable reads: %d schools, %d coverage rows, %d schools' checklists", len(wantSchools), len(wantCov), len(wantLatest))
	}
	err = s.transact(ctx, func(tx *gorm.DB) error {
		if _, ok := groupOf(tx.Statement.Context); !ok {
			t.Fatal("not in a group commit")
		}
		schools, cov, latest, err := read(tx)
		if err != nil {
			return err
		}
		sortRows := cmpopts.SortSlices(func(x, y schoolCoverageRow) bool {
			return x.SchoolID < y.SchoolID || (x.SchoolID == y.SchoolID && x.Basis < y.Basis)
		})
		if d := cmp.Diff(wantSchools, schools); d != "" {
			t.Errorf("schools (-portable +kept):\n%s", d)
		}
		if d := cmp.Diff(wantCov, cov, sortRows); d != "" {
			t.Errorf("coverage rows (-portable +kept):\n%s", d)
		}
		if d := cmp.Diff(wantLatest, latest); d != "" {
			t.Errorf("checklists that count (-portable +kept):\n%s", d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
