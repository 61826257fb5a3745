package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"safecampus/internal/model"
	"safecampus/internal/roster"
)

// formulaStart is what a spreadsheet reads as the start of a formula.
const formulaStart = "=+-@\t\r"

// TestEveryExportNeutralisesFormulas puts formulas in every text that an
// export can carry (school codes and names, division names in both
// languages) and downloads every CSV and XLSX route of the route table:
// no text cell may begin like a formula; numbers stay numbers.
func TestEveryExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	divs := roster.InnerMongolia()
	for i := range divs {
		if divs[i].Code == countyYQ {
			divs[i].Name, divs[i].NameEn = "=cmd|' /C calc'!A0", "+SUM(1,2)"
		}
	}
	if err := app.store.ImportDivisions(ctx, divs); err != nil {
		t.Fatal(err)
	}
	hostile := []model.School{
		{Code: "=2+3", Name: `=HYPERLINK("http://x","y")`},
		{Code: "@SUM(1)", Name: "+1+2"},
		{Code: "-9", Name: "-2+3"},
		{Code: "+7", Name: "@SUM(A1:A9)"},
		{Code: "1501040005", Name: "\t=1+1"},
		{Code: "1501040006", Name: "\r=1+1"},
	}
	for _, s := range hostile {
		s.Type, s.DivisionCode, s.Students, s.Active, s.Ownership = model.Primary, countyYQ, 100, true, model.Public
		if !model.ValidSchoolCode(s.Code) {
			app.saveLegacySchool(t, s) // codes are letters, digits, - and _ now
			continue
		}
		if _, err := app.store.SaveSchool(ctx, seedAdmin, s); err != nil {
			t.Fatalf("school %q: %v", s.Code, err)
		}
	}
	// A campaign over the hostile schools: its ledger lists them.
	camp, err := app.store.CreateCampaign(ctx, seedAdmin, model.CampaignInput{Name: "=1+1", DivisionCode: countyYQ,
		StartsOn: app.clock.Today(), EndsOn: app.clock.Today().AddDays(30)})
	if err != nil {
		t.Fatal(err)
	}
	var exports []string
	for _, r := range routeTable(t) {
		if r.Method == http.MethodGet && (strings.HasSuffix(r.Path, ".csv") || strings.HasSuffix(r.Path, ".xlsx")) {
			for _, code := range []string{province, prefHohhot, countyYQ} {
				exports = append(exports, strings.Replace(strings.Replace(r.Path, ":code", code, 1), ":id", fmt.Sprint(camp.ID), 1))
			}
		}
	}
	if len(exports) < 6*3 {
		t.Fatalf("only %d exports found in the route table", len(exports))
	}
	quoted := 0
	for _, lang := range []string{"zh-CN", "en"} {
		c := app.signedIn(t, userAdmin)
		c.header.Set("Accept-Language", lang)
		for _, path := range exports {
			r := c.get(path)
			wantStatus(t, path, r, http.StatusOK)
			var cells [][]string
			var numbers [][]bool
			if strings.HasSuffix(path, ".csv") {
				body := strings.TrimPrefix(r.body, "\uFEFF")
				rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				cells = rows
			} else {
				cells, numbers = xlsxCells(t, path, r.body)
			}
			for i, row := range cells {
				for j, v := range row {
					if numbers != nil && numbers[i][j] {
						continue
					}
					if v != "" && strings.ContainsRune(formulaStart, rune(v[0])) {
						t.Errorf("%s (%s) row %d col %d: %q begins like a formula", path, lang, i+1, j+1, v)
					}
					if strings.HasPrefix(v, "'") && len(v) > 1 && strings.ContainsRune(formulaStart, rune(v[1])) {
						quoted++
					}
				}
			}
		}
	}
	if quoted < len(hostile) {
		t.Errorf("only %d neutralised cells across the exports; the hostile texts were not exported", quoted)
	}
}

// xlsxCells reads every cell of the workbook's only sheet, and whether it
// is a number.
func xlsxCells(t *testing.T, path, body string) ([][]string, [][]bool) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	// Every sheet's cells, one sheet after another (a report has two).
	var cells [][]string
	var numbers [][]bool
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			isNumber := make([]bool, len(row))
			for j := range row {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, err := f.GetCellType(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				isNumber[j] = typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && row[j] != "" && strings.Trim(row[j], "0123456789.") == ""
			}
			cells, numbers = append(cells, row), append(numbers, isNumber)
		}
	}
	return cells, numbers
}
