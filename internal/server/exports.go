package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/store"
	"safecampus/web"
)

// Exports of SPEC section 6: the children grid and the school list of a
// division as CSV (UTF-8 with BOM) or XLSX, with the page's filters.

func (s *Server) exportCoverageCSV(c echo.Context) error  { return s.exportCoverage(c, "csv") }
func (s *Server) exportCoverageXLSX(c echo.Context) error { return s.exportCoverage(c, "xlsx") }
func (s *Server) exportSchoolsCSV(c echo.Context) error   { return s.exportSchools(c, "csv") }
func (s *Server) exportSchoolsXLSX(c echo.Context) error  { return s.exportSchools(c, "xlsx") }

func (s *Server) exportCoverage(c echo.Context, format string) error {
	cc, err := s.childCoverageOf(c)
	if err != nil {
		return err
	}
	sort, err := gridSortOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, basis, asOf, children, counts := cc.division, cc.basis, cc.asOf, cc.children, cc.counts
	// The page's order: sort the rows as the grid does, on this basis.
	grid := make([]web.ChildRow, len(children))
	for i, ch := range children {
		grid[i] = web.ChildRow{Division: ch, Verified: counts[ch.Code]}
	}
	sortChildren(grid, sort, func(d model.Division) string { return i18n.DivisionName(ctx, d) })
	for i, r := range grid {
		children[i] = r.Division
	}
	header := []string{"code", "name", "schools"}
	for _, m := range model.Measures {
		header = append(header, string(m)+"_covered", string(m)+"_percent")
	}
	header = append(header, "all_five_covered", "all_five_percent")
	rows := make([][]roster.Cell, len(children))
	for i, ch := range children {
		n := counts[ch.Code]
		row := []roster.Cell{roster.Text(ch.Code), roster.Text(ch.Name), roster.Int(n.Schools)}
		for j := range model.Measures {
			row = append(row, roster.Int(n.Measures[j]), roster.Percent(n.Percent(j)))
		}
		rows[i] = append(row, roster.Int(n.AllFive), roster.Percent(n.AllFivePercent()))
	}
	name := fmt.Sprintf("coverage-%s-%s-%s.%s", d.Code, basis, asOf, format)
	return writeTable(c, format, name, "coverage", header, rows)
}

func (s *Server) exportSchools(c echo.Context, format string) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	f, err := schoolFilterOf(c)
	if err != nil {
		return err
	}
	header := []string{"code", "name", "type", "division_code", "division", "students", "boarders"}
	for _, m := range model.Measures {
		header = append(header, string(m)+"_covered")
	}
	header = append(header, "all_five_covered", "checked_on", "expires_on", "due", "rule_set_version", "rule_set_division")
	var rows [][]roster.Cell
	q := store.SchoolQuery{Under: d.Code, Search: f.Query, Type: f.Type, Uncovered: string(f.Uncovered), Gap: f.Gap,
		Due: f.Due, Basis: f.Basis, Limit: 2000}
	for {
		items, total, err := s.store.Schools(c.Request().Context(), q)
		if err != nil {
			return err
		}
		rules, err := s.store.RulesToday(c.Request().Context(), schoolDivisions(items))
		if err != nil {
			return err
		}
		for _, it := range items {
			row := []roster.Cell{roster.Text(it.School.Code), roster.Text(it.School.Name), roster.Text(string(it.School.Type)),
				roster.Text(it.School.DivisionCode), roster.Text(it.DivisionName), roster.Int(it.School.Students), roster.Int(it.School.Boarders)}
			for _, ms := range it.Status.Measures {
				row = append(row, roster.Int(b2i(ms.Covered)))
			}
			checked, expires := roster.Empty(), roster.Empty()
			if ms := it.Status.Measures[0]; ms.CheckedOn != nil {
				checked, expires = roster.Text(ms.CheckedOn.String()), roster.Text(ms.ExpiresOn.String())
			}
			rs := rules[it.School.DivisionCode]
			rows = append(rows, append(row, roster.Int(b2i(it.Status.AllFive)), checked, expires, roster.Int(b2i(it.Due)),
				roster.Int(rs.Version), roster.Text(rs.DivisionCode)))
		}
		q.Offset += len(items)
		if len(items) == 0 || int64(q.Offset) >= total {
			break
		}
	}
	name := fmt.Sprintf("schools-%s-%s-%s.%s", d.Code, f.Basis, s.store.Today(), format)
	return writeTable(c, format, name, "schools", header, rows)
}

func writeTable(c echo.Context, format, filename, sheet string, header []string, rows [][]roster.Cell) error {
	if format == "csv" {
		attachment(c, filename, "text/csv; charset=utf-8")
		return roster.WriteCSV(c.Response(), header, rows)
	}
	return writeWorkbook(c, filename, roster.Sheet{Name: sheet, Header: header, Rows: rows})
}

// writeWorkbook answers with an .xlsx download of the sheets.
func writeWorkbook(c echo.Context, filename string, sheets ...roster.Sheet) error {
	attachment(c, filename, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return roster.WriteXLSXSheets(c.Response(), sheets...)
}

// attachment starts a download named filename.
func attachment(c echo.Context, filename, contentType string) {
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(filename, `"`, "")+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, contentType)
	c.Response().WriteHeader(http.StatusOK)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// schoolDivisions lists the divisions of the listed schools, whose rules
// judge them.
func schoolDivisions(items []store.SchoolListItem) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it.School.DivisionCode] {
			seen[it.School.DivisionCode] = true
			out = append(out, it.School.DivisionCode)
		}
	}
	return out
}
