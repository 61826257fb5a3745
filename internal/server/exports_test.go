package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"safecampus/internal/model"
)

// Exports of SPEC section 6, opened as a spreadsheet program would and
// compared cell by cell with what the page shows.

// readCSV checks the UTF-8 byte-order mark and parses the rest.
func readCSV(t *testing.T, r response) [][]string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	body, ok := strings.CutPrefix(r.body, "\uFEFF")
	if !ok {
		t.Errorf("CSV does not start with a UTF-8 BOM: %q", truncate(r.body, 20))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows
}

// xlsxCell is one cell as a spreadsheet sees it: its raw value and whether
// it is a number (not text).
type xlsxCell struct {
	Value  string
	Number bool
}

// readXLSX opens the workbook and returns the named sheet's cells.
func readXLSX(t *testing.T, r response, sheet string) [][]xlsxCell {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatalf("open XLSX: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets %v, want [%s]", got, sheet)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]xlsxCell, len(rows))
	for i, row := range rows {
		out[i] = make([]xlsxCell, len(row))
		for j, v := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			out[i][j] = xlsxCell{Value: v, Number: v != "" && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset)}
		}
	}
	return out
}

// n and s are expected XLSX cells: a number, a text.
func n(v string) xlsxCell { return xlsxCell{Value: v, Number: true} }
func s(v string) xlsxCell { return xlsxCell{Value: v} }

var coverageHeader = []string{"code", "name", "schools",
	"nursing_post_covered", "nursing_post_percent", "closed_management_covered", "closed_management_percent",
	"security_guards_covered", "security_guards_percent", "one_button_alarm_covered", "one_button_alarm_percent",
	"video_networking_covered", "video_networking_percent", "all_five_covered", "all_five_percent"}

func TestCoverageExportsMatchTheGrid(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// 新城区: A covered, B short of guards (verified). 回民区: C submitted
	// only, E nothing.
	app.verified(t, day0, schoolA, schoolB)
	app.checklist(t, schoolC, day0, goodFacts(day0), true)
	app.clock.SetDay(day0.AddDays(1))
	c := app.signedIn(t, userLeader)

	empty := func(code, name string) []string {
		return []string{code, name, "0", "0", "", "0", "", "0", "", "0", "", "0", "", "0", ""}
	}
	verified := [][]string{
		coverageHeader,
		{"150102", "新城区", "2", "2", "100.0", "2", "100.0", "1", "50.0", "2", "100.0", "2", "100.0", "1", "50.0"},
		{"150103", "回民区", "2", "0", "0.0", "0", "0.0", "0", "0.0", "0", "0.0", "0", "0.0", "0", "0.0"},
		empty("150104", "玉泉区"), empty("150105", "赛罕区"), empty("150121", "土默特左旗"), empty("150122", "托克托县"),
		empty("150123", "和林格尔县"), empty("150124", "清水河县"), empty("150125", "武川县"),
	}
	r := c.get("/divisions/" + prefHohhot + "/coverage.csv")
	wantStatus(t, "coverage.csv", r, http.StatusOK)
	if diff := cmp.Diff(verified, readCSV(t, r)); diff != "" {
		t.Errorf("coverage.csv (-want +got):\n%s", diff)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="coverage-150100-verified-2026-03-03.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}

	// The Excel file holds the same values, numbers as numbers.
	r = c.get("/divisions/" + prefHohhot + "/coverage.xlsx")
	wantStatus(t, "coverage.xlsx", r, http.StatusOK)
	book := readXLSX(t, r, "coverage")
	want := make([][]xlsxCell, len(verified))
	for i, row := range verified {
		for j, v := range row {
			switch {
			case i == 0 || j < 2:
				want[i] = append(want[i], s(v))
			case v == "":
				want[i] = append(want[i], xlsxCell{})
			default:
				want[i] = append(want[i], n(strings.TrimSuffix(v, ".0")))
			}
		}
		// Trailing empty cells are not stored.
		for len(want[i]) > 0 && want[i][len(want[i])-1] == (xlsxCell{}) {
			want[i] = want[i][:len(want[i])-1]
		}
	}
	if diff := cmp.Diff(want, book); diff != "" {
		t.Errorf("coverage.xlsx (-want +got):\n%s", diff)
	}

	// The page's basis, day and order apply.
	r = c.get("/divisions/" + prefHohhot + "/coverage.csv?basis=reported")
	if got := readCSV(t, r)[2]; got[3] != "1" || got[4] != "50.0" {
		t.Errorf("reported basis, 回民区: %v", got)
	}
	r = c.get("/divisions/" + prefHohhot + "/coverage.csv?as_of=" + day0.AddDays(-1).String())
	if got := readCSV(t, r)[1]; strings.Join(got, ",") != strings.Join(empty("150102", "新城区"), ",") {
		t.Errorf("as of the day before the schools existed: %v", got)
	}
	r = c.get("/divisions/" + prefHohhot + "/coverage.csv?sort=nursing_post")
	var order []string
	for _, row := range readCSV(t, r)[1:] {
		order = append(order, row[0])
	}
	if want := "150103 150102 150104 150105 150121 150122 150123 150124 150125"; strings.Join(order, " ") != want {
		t.Errorf("sorted by nursing_post: %v, want %s", order, want)
	}
	// The page links to exports with its own parameters.
	page := c.get("/divisions/" + prefHohhot + "?basis=reported&sort=all_five&dir=desc&as_of=" + day0.String())
	if el := element(page.body, "export-coverage-csv"); !strings.Contains(el, "coverage.csv?as_of=2026-03-02&amp;basis=reported&amp;dir=desc&amp;sort=all_five") {
		t.Errorf("export link: %s", el)
	}

	// An API token works as well as a session; another prefecture is off limits.
	if r := app.api(t, userLeader).get("/divisions/" + prefHohhot + "/coverage.csv"); r.status != http.StatusOK || !strings.HasPrefix(r.body, "\uFEFFcode,") {
		t.Errorf("coverage.csv with a token: status %d", r.status)
	}
	if r := c.get("/divisions/" + prefBaotou + "/coverage.xlsx"); r.status != http.StatusForbidden {
		t.Errorf("another prefecture: status %d, want 403", r.status)
	}
	for _, q := range []string{"basis=both", "as_of=2026-02-30", "sort=bogus"} {
		if r := c.get("/divisions/" + prefHohhot + "/coverage.csv?" + q); r.status != http.StatusBadRequest {
			t.Errorf("coverage.csv?%s: status %d, want 400", q, r.status)
		}
	}
}

var schoolsHeader = []string{"code", "name", "type", "division_code", "division", "students", "boarders",
	"nursing_post_covered", "closed_management_covered", "security_guards_covered", "one_button_alarm_covered",
	"video_networking_covered", "all_five_covered", "checked_on", "expires_on", "due", "rule_set_version", "rule_set_division"}

func TestSchoolExportsApplyThePageFilters(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.verified(t, day0, schoolA, schoolB)
	app.checklist(t, schoolE, day0, goodFacts(day0), true) // reported only
	// A name a spreadsheet would run as a formula.
	evil := model.School{Code: "1501020099", Name: "=HYPERLINK(\"http://x\",\"y\")", Type: model.Primary,
		DivisionCode: countyXC, Students: 120, Boarders: 20, Active: true, Ownership: model.Public}
	if _, err := app.store.SaveSchool(t.Context(), seedAdmin, evil); err != nil {
		t.Fatal(err)
	}
	c := app.signedIn(t, userLeader)

	rowA := []string{schoolA, "新城区第一小学", "primary", countyXC, "新城区", "500", "0", "1", "1", "1", "1", "1", "1", "2026-03-02", "2026-08-29", "0", "2", ""}
	rowB := []string{schoolB, "新城区幼儿园", "kindergarten", countyXC, "新城区", "1240", "0", "1", "1", "0", "1", "1", "0", "2026-03-02", "2026-08-29", "0", "2", ""}
	rowEvil := []string{"1501020099", `'=HYPERLINK("http://x","y")`, "primary", countyXC, "新城区", "120", "20", "0", "0", "0", "0", "0", "0", "", "", "1", "2", ""}
	rowC := []string{schoolC, "回民区初级中学", "junior", countyHM, "回民区", "50", "0", "0", "0", "0", "0", "0", "0", "", "", "1", "2", ""}
	rowE := []string{schoolE, "回民区高级中学", "senior", countyHM, "回民区", "800", "0", "0", "0", "0", "0", "0", "0", "", "", "0", "2", ""}
	rowEReported := []string{schoolE, "回民区高级中学", "senior", countyHM, "回民区", "800", "0", "1", "1", "1", "1", "1", "1", "2026-03-02", "2026-08-29", "0", "2", ""}
	tests := []struct {
		query string
		rows  [][]string
	}{
		// By county, then by name: "=" sorts before Chinese, 幼 before 第.
		{"", [][]string{rowEvil, rowB, rowA, rowC, rowE}},
		{"type=primary", [][]string{rowEvil, rowA}},
		{"uncovered=security_guards", [][]string{rowEvil, rowB, rowC, rowE}},
		{"uncovered=all_five&basis=reported", [][]string{rowEvil, rowB, rowC}},
		{"basis=reported&q=高级", [][]string{rowEReported}},
		{"due=1", [][]string{rowEvil, rowC}},
		{"uncovered=security_guards&gap=rule_failed", [][]string{rowB}},
		{"gap=no_check", [][]string{rowEvil, rowC, rowE}},
		{"q=nothing-matches", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			want := append([][]string{schoolsHeader}, tt.rows...)
			r := c.get("/divisions/" + prefHohhot + "/schools.csv?" + tt.query)
			wantStatus(t, "schools.csv", r, http.StatusOK)
			if diff := cmp.Diff(want, readCSV(t, r)); diff != "" {
				t.Errorf("schools.csv?%s (-want +got):\n%s", tt.query, diff)
			}
			r = c.get("/divisions/" + prefHohhot + "/schools.xlsx?" + tt.query)
			wantStatus(t, "schools.xlsx", r, http.StatusOK)
			book := readXLSX(t, r, "schools")
			got := make([][]string, len(book))
			for i, row := range book {
				for j, cell := range row {
					numeric := i > 0 && (j == 5 || j == 6 || (j >= 7 && j <= 12) || j == 15 || j == 16)
					if cell.Number != numeric {
						t.Errorf("schools.xlsx row %d col %s: %q number=%v, want number=%v", i, schoolsHeader[j], cell.Value, cell.Number, numeric)
					}
					got[i] = append(got[i], cell.Value)
				}
				for len(got[i]) < len(schoolsHeader) {
					got[i] = append(got[i], "")
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("schools.xlsx?%s (-want +got):\n%s", tt.query, diff)
			}
		})
	}
	// The page's export links carry its filter.
	page := c.get("/divisions/" + prefHohhot + "?type=primary&uncovered=security_guards&due=1")
	if el := element(page.body, "export-schools-xlsx"); !strings.Contains(el, "schools.xlsx?due=1&amp;type=primary&amp;uncovered=security_guards") {
		t.Errorf("export link: %s", el)
	}
}
