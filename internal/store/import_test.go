package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// TestImportMatchesSavingOneByOne holds the roster import's bulk path (new
// schools' coverage derived from the rows in hand, one audit entry each in
// bulk) to saving the same schools one by one: the same coverage rows and
// the same ledger on every day, on each engine. The import's ledger also
// survives a rebuild from the raw records, its audit chain verifies, a
// second import changes nothing, and a bad line writes nothing.
func TestImportMatchesSavingOneByOne(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		counties := []string{"150102", "150103", "150202"}
		r := rand.New(rand.NewPCG(17, 3))
		var lines []model.SchoolLine
		for i := range 60 {
			students := 20 + r.IntN(3000)
			lines = append(lines, model.SchoolLine{Line: i + 2, School: model.School{
				Code: fmt.Sprintf("15%08d", 100+i*7%60), Name: fmt.Sprintf("导入学校%d", i), Type: model.Primary,
				DivisionCode: counties[r.IntN(len(counties))], Students: students, Boarders: r.IntN(students/3 + 1),
				Address: `北门 "东" <1> & 2`, Ownership: model.Public, Active: true}})
		}
		stores := map[string]*Store{}
		for _, way := range []string{"import", "save"} {
			s, _ := newTestStore(t, engine, d0)
			stores[way] = s
			createRules(t, s, "150100", d0, params("guards_middle", "3", "validity_days", "60"))
			// Schools already there: one checked, one closed, one whose
			// enrolment the roster changes, one it leaves as it is.
			for i, l := range lines[:4] {
				sc := l.School
				if i == 2 {
					sc.Students, sc.Boarders = sc.Students+500, 0
				}
				saved, err := s.SaveSchool(ctx, testAdmin, sc)
				if err != nil {
					t.Fatal(err)
				}
				switch i {
				case 0:
					verified(t, s, saved, d0)
				case 1:
					if err := s.SetSchoolActive(ctx, testAdmin, saved.Code, false); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		imp, save := stores["import"], stores["save"]
		res, err := imp.ImportSchools(ctx, testAdmin, lines, false)
		if err != nil || res != (ImportResult{Created: 56, Updated: 4}) {
			t.Fatalf("import: %+v, %v", res, err)
		}
		ids, err := save.SchoolIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			sc := l.School
			sc.ID = ids[sc.Code]
			if _, err := save.SaveSchool(ctx, testAdmin, sc); err != nil {
				t.Fatal(err)
			}
		}
		figures := func(s *Store) map[string]model.Counts { return coverageFigures(t, s, d0.AddDays(-1), d0.AddDays(120)) }
		want := figures(save)
		if diff := cmp.Diff(want, figures(imp)); diff != "" {
			t.Errorf("ledger: import differs from saving one by one (-save +import):\n%s", diff)
		}
		if diff := cmp.Diff(coverageRows(t, save), coverageRows(t, imp)); diff != "" {
			t.Errorf("coverage rows: import differs from saving one by one (-save +import):\n%s", diff)
		}
		if n, err := imp.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain after %d entries: %v", n, err)
		}
		var entries []auditRow
		if err := imp.r.Where("action = 'import'").Order("entity_id").Find(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(lines) {
			t.Errorf("%d import entries for %d schools", len(entries), len(lines))
		}
		for _, e := range entries {
			var rec schoolRecord
			if err := json.Unmarshal([]byte(e.NewValue), &rec); err != nil || rec.Code != e.EntityID || rec.Address != lines[0].School.Address {
				t.Errorf("entry %s: %s (%v)", e.EntityID, e.NewValue, err)
			}
		}

		// Again: every school is known and unchanged.
		if res, err := imp.ImportSchools(ctx, testAdmin, lines, false); err != nil || res != (ImportResult{Updated: 60}) {
			t.Fatalf("second import: %+v, %v", res, err)
		}
		if diff := cmp.Diff(want, figures(imp)); diff != "" {
			t.Errorf("a second import changed the ledger:\n%s", diff)
		}
		if err := imp.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, figures(imp)); diff != "" {
			t.Errorf("rebuild differs from the import (-import +rebuild):\n%s", diff)
		}

		// A bad line: nothing written, the line named.
		before, _ := imp.SchoolCount(ctx)
		bad := append([]model.SchoolLine{{Line: 99, School: model.School{Code: "1599999999", Name: "x", Type: model.Primary,
			DivisionCode: "150100", Students: 1, Ownership: model.Public}}}, lines...)
		bad = append(bad, model.SchoolLine{Line: 100, School: model.School{Code: "1599999998", Name: "y", Type: model.Primary,
			DivisionCode: "159999", Students: 1, Ownership: model.Public}})
		_, err = imp.ImportSchools(ctx, testAdmin, bad, false)
		var le model.LineErrors
		if !errors.As(err, &le) || len(le) != 2 || !strings.Contains(err.Error(), "line 99: division_code 150100 is") ||
			!strings.Contains(err.Error(), "line 100: division_code 159999 does not exist") {
			t.Errorf("bad lines: %v", err)
		}
		if after, _ := imp.SchoolCount(ctx); after != before {
			t.Errorf("schools %d → %d after a rejected import", before, after)
		}
	})
}

// coverageRows is every school's stored coverage, by code and basis.
func coverageRows(t *testing.T, s *Store) map[string]schoolCoverageRow {
	t.Helper()
	ids, err := s.SchoolIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int64]string{}
	for code, id := range ids {
		codes[id] = code
	}
	var rows []schoolCoverageRow
	if err := s.r.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]schoolCoverageRow{}
	for _, r := range rows {
		code := codes[r.SchoolID]
		r.SchoolID, r.ChecklistID = 0, nil // ids differ between the stores
		out[code+" "+r.Basis] = r
	}
	return out
}

// TestAuditJSONMatchesEncodingJSON: the audit log's hand-written JSON is
// encoding/json's, byte for byte, so entries and hashes do not change.
func TestAuditJSONMatchesEncodingJSON(t *testing.T) {
	samples := []string{"", "plain", "学校（基准）", `quote " and \ back`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\x7f",
		"\u2028\u2029", "bad \xff\xfe utf8", "\xe4\xb8", "emoji 🏫", "\ufffd", "a\u00a0b"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		samples = append(samples, string(b))
	}
	for _, s := range samples {
		want, _ := json.Marshal([]string{s, "x", s})
		if got := appendJSONStrings(nil, s, "x", s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		rec := schoolRecord{ID: int64(len(s)), Code: s, Name: s + "名", Type: "primary", DivisionCode: "150102", Address: s,
			Students: -len(s), Boarders: len(s) * 1000, PoliceStation: s, Ownership: "public", Active: len(s)%2 == 0}
		want, _ = json.Marshal(rec)
		if got := auditValue(rec); got != string(want) {
			t.Errorf("record %q: got %s, want %s", s, got, want)
		}
	}
}

// TestDriverValueMatchesDatabaseSQL: the import's driver path binds what
// database/sql would have bound.
func TestDriverValueMatchesDatabaseSQL(t *testing.T) {
	d := model.NewDate(2026, 3, 2)
	for _, v := range []any{nil, "s", "", int64(-3), 7, true, 2.5, []byte("b"), time.Date(2026, 3, 2, 1, 2, 3, 4, time.UTC),
		ptr(int64(9)), (*int64)(nil), &d, (*model.Date)(nil), d, model.Basis("verified")} {
		want, werr := driver.DefaultParameterConverter.ConvertValue(v)
		got, err := driverValue(v)
		if !cmp.Equal(got, want) || (err == nil) != (werr == nil) {
			t.Errorf("%T %v: got %#v (%v), want %#v (%v)", v, v, got, err, want, werr)
		}
	}
}

// A panic in the import's background work reaches the goroutine that
// waits for it, where the transaction and the server's recovery handle
// it; left in its own goroutine it would end the process.
func TestInBackgroundRaisesPanicInWaiter(t *testing.T) {
	if got := inBackground(func() int { return 7 })(); got != 7 {
		t.Fatalf("result = %d, want 7", got)
	}
	wait := inBackground(func() int { panic("boom") })
	defer func() {
		if p := recover(); p != "boom" {
			t.Fatalf("recovered %v, want the background panic", p)
		}
	}()
	wait()
	t.Fatal("waiting did not panic")
}
