package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/model"
	"safecampus/internal/pgtest"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// day moves the clock to noon on d.
func (c *clock) day(d model.Date) { c.t = d.Time(time.UTC).Add(12 * time.Hour) }

// engines are the databases every store test runs on.
var engines = []string{"sqlite", "postgres"}

// forEachEngine runs the test once per database engine.
func forEachEngine(t *testing.T, test func(t *testing.T, engine string)) {
	for _, e := range engines {
		t.Run(e, func(t *testing.T) { test(t, e) })
	}
}

// testDSN returns a fresh database of the engine: a SQLite file in a temp
// dir, or a new database on the test PostgreSQL server.
func testDSN(t *testing.T, engine string) string {
	t.Helper()
	if engine == "postgres" {
		return pgtest.Database(t)
	}
	return filepath.Join(t.TempDir(), "test.db")
}

// newTestStore opens a migrated store with a small tree: province 150000 >
// prefecture 150100 > counties 150102, 150103; prefecture 150200 > county
// 150202.
func newTestStore(t *testing.T, engine string, start model.Date) (*Store, *clock) {
	t.Helper()
	return openTestStoreAt(t, testDSN(t, engine), start)
}

// newStoreWithSchool is newTestStore with one school, a: 1000000001, 500
// students, in county 150102.
func newStoreWithSchool(t *testing.T, engine string, start model.Date) (*Store, *clock, model.School) {
	t.Helper()
	s, c := newTestStore(t, engine, start)
	return s, c, addSchool(t, s, "1000000001", "150102", 500)
}

// openTestStoreAt is newTestStore on a given database, for tests that open
// a second store on it (the tree is imported again, which changes nothing).
func openTestStoreAt(t *testing.T, dsn string, start model.Date) (*Store, *clock) {
	t.Helper()
	c := &clock{}
	c.day(start)
	s := openStoreOn(t, dsn, c)
	ctx := context.Background()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err := s.ImportDivisions(ctx, []model.Division{
		{Code: "150000", Name: "内蒙古自治区", Level: model.LevelProvince},
		{Code: "150100", Name: "呼和浩特市", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150102", Name: "新城区", ParentCode: "150100", Level: model.LevelCounty},
		{Code: "150103", Name: "回民区", ParentCode: "150100", Level: model.LevelCounty},
		{Code: "150200", Name: "包头市", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150202", Name: "东河区", ParentCode: "150200", Level: model.LevelCounty},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// openStoreOn opens a store on dsn that reads the clock c, closed when the
// test ends; it neither migrates nor imports.
func openStoreOn(t *testing.T, dsn string, c *clock) *Store {
	t.Helper()
	s, err := Open(Options{DSN: dsn, Now: c.now, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var testAdmin = model.User{Username: "test-admin", Role: model.Admin}

func addSchool(t *testing.T, s *Store, code, division string, students int) model.School {
	t.Helper()
	sc, err := s.SaveSchool(context.Background(), testAdmin, model.School{
		Code: code, Name: "学校" + code, Type: model.Primary, DivisionCode: division, Students: students, Active: true,
	})
	if err != nil {
		t.Fatalf("add school %s: %v", code, err)
	}
	return sc
}

func ptr[T any](v T) *T { return &v }

// goodFacts satisfies every default rule for a school of up to 999
// students checked on day d.
func goodFacts(d model.Date) model.Facts { return model.SampleFacts(d) }

func submit(t *testing.T, s *Store, school model.School, on model.Date, f model.Facts) model.Checklist {
	t.Helper()
	c, err := s.CreateChecklist(context.Background(), testAdmin, school.ID, ChecklistInput{CheckedOn: on, Facts: f, Submit: true})
	if err != nil {
		t.Fatalf("submit checklist for %s: %v", school.Code, err)
	}
	return c
}

func verify(t *testing.T, s *Store, c model.Checklist) {
	t.Helper()
	if _, err := s.VerifyChecklist(context.Background(), model.User{ID: 0, Username: "inspector"}, c.ID); err != nil {
		t.Fatalf("verify %d: %v", c.ID, err)
	}
}

// verified submits the good facts checked on day on for school and
// verifies them, returning the checklist as submitted.
func verified(t *testing.T, s *Store, school model.School, on model.Date) model.Checklist {
	t.Helper()
	c := submit(t, s, school, on, goodFacts(on))
	verify(t, s, c)
	return c
}

// threeVerifiedSchools adds schools prefix+"1", prefix+"2" and prefix+"3",
// 300 students each, in counties 150102 and 150103 of one prefecture and
// 150202 of another, each with the good facts verified on day on.
func threeVerifiedSchools(t *testing.T, s *Store, prefix string, on model.Date) (a, b, c model.School) {
	t.Helper()
	a = addSchool(t, s, prefix+"1", "150102", 300)
	b = addSchool(t, s, prefix+"2", "150103", 300)
	c = addSchool(t, s, prefix+"3", "150202", 300)
	for _, sc := range []model.School{a, b, c} {
		verified(t, s, sc, on)
	}
	return a, b, c
}

func coverageOf(t *testing.T, s *Store, code string, basis model.Basis, asOf model.Date) model.Counts {
	t.Helper()
	m, err := s.Coverage(context.Background(), []string{code}, basis, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return m[code]
}

var testInspector = model.User{Username: "test-inspector", Role: model.Inspector, ScopeCode: "150100"}

// covered reads whether measure i is covered at the school on the basis,
// from the ledger (what dashboards show) and from the school's own status
// (what the school page shows), and fails when they disagree.
func covered(t *testing.T, s *Store, sc model.School, basis model.Basis, i int) bool {
	t.Helper()
	st, err := s.SchoolStatus(context.Background(), sc, basis)
	if err != nil {
		t.Fatal(err)
	}
	return st.Measures[i].Covered
}

func (c *clock) today() model.Date { return model.DateOf(c.t) }
