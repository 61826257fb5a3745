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
		rules, err := s.store.RulesToday(c.Request().Context(), divisionsOf(items, func(it store.SchoolListItem) model.School { return it.School }))
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
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(filename, `"`, "")+`"`)
	h.Set("Cache-Control", "no-store")
	if format == "csv" {
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		return roster.WriteCSV(c.Response(), header, rows)
	}
	h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Response().WriteHeader(http.StatusOK)
	return roster.WriteXLSX(c.Response(), sheet, header, rows)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// divisionsOf lists the divisions of the items' schools, each once, in
// order: the divisions whose rules judge them.
func divisionsOf[T any](items []T, school func(T) model.School) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if code := school(it).DivisionCode; !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	return out
}

// listExportCap bounds a list export; the lists it serves are work lists
// of one area, far below it.
const listExportCap = 100000

// exportReviewCSV is the review queue with the page's filters, every row
// the filters match (not only the page shown): one line per checklist,
// each measure 1 when the facts meet its rule.
func (s *Server) exportReviewCSV(c echo.Context) error {
	u, err := currentReviewer(c)
	if err != nil {
		return err
	}
	_, items, _, err := s.reviewRowsOf(c, u)
	if err != nil {
		return err
	}
	header := []string{"checklist_id", "school_code", "school", "type", "division_code", "division", "checked_on"}
	for _, m := range model.Measures {
		header = append(header, string(m))
	}
	header = append(header, "failing")
	ctx := c.Request().Context()
	rows := make([][]roster.Cell, 0, len(items))
	for _, it := range items {
		row := []roster.Cell{roster.Int(int(it.Checklist.ID)), roster.Text(it.School.Code), roster.Text(it.School.Name),
			roster.Text(string(it.School.Type)), roster.Text(it.School.DivisionCode), roster.Text(it.DivisionName),
			roster.Text(it.Checklist.CheckedOn.String())}
		var failing []string
		for i, r := range it.Results {
			row = append(row, roster.Int(b2i(r.Met)))
			if !r.Met {
				failing = append(failing, i18n.Measure(ctx, model.Measures[i])+": "+i18n.Reasons(ctx, r.Reasons))
			}
		}
		rows = append(rows, append(row, roster.Text(strings.Join(failing, "; "))))
	}
	return writeTable(c, "csv", fmt.Sprintf("review-%s.csv", s.store.Today()), "review", header, rows)
}

// exportHazardsCSV is the hazard list with the page's filters, every row
// they match.
func (s *Server) exportHazardsCSV(c echo.Context) error {
	u, _ := currentUser(c)
	_, q, err := s.hazardFilterOf(c, u)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	today := s.store.Today()
	header := []string{"id", "school_code", "school", "division", "measure", "severity", "state", "deadline", "overdue", "description"}
	var rows [][]roster.Cell
	q.Limit, q.Offset = 1000, 0
	for len(rows) < listExportCap {
		items, total, err := s.store.Hazards(ctx, q)
		if err != nil {
			return err
		}
		for _, it := range items {
			h := it.Hazard
			rows = append(rows, []roster.Cell{roster.Int(int(h.ID)), roster.Text(it.School.Code), roster.Text(it.School.Name),
				roster.Text(it.DivisionName), roster.Text(string(h.Measure)), roster.Text(string(h.Severity)),
				roster.Text(string(h.State)), roster.Text(h.Deadline.String()), roster.Int(b2i(h.Overdue(today))),
				roster.Text(h.Description)})
		}
		q.Offset += len(items)
		if len(items) == 0 || int64(q.Offset) >= total {
			break
		}
	}
	return writeTable(c, "csv", fmt.Sprintf("hazards-%s.csv", today), "hazards", header, rows)
}

// exportAuditCSV is the audit trail with the page's filters, every entry
// they match, newest first; changes as "field: old → new" joined by "; ".
func (s *Server) exportAuditCSV(c echo.Context) error {
	u, err := currentReviewer(c)
	if err != nil {
		return err
	}
	f, q, err := s.auditFilterOf(c, u)
	if err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, f.Errors[0].Message)
	}
	ctx := c.Request().Context()
	loc := s.store.Location()
	header := []string{"id", "at", "user", "action", "entity", "entity_id", "division", "changes"}
	var rows [][]roster.Cell
	q.Limit, q.Offset = 1000, 0
	for len(rows) < listExportCap {
		entries, total, err := s.store.AuditTrail(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range entries {
			var changes []string
			for _, ch := range auditChanges(e.Old, e.New) {
				changes = append(changes, ch.Field+": "+ch.Old+" → "+ch.New)
			}
			rows = append(rows, []roster.Cell{roster.Int(int(e.ID)), roster.Text(e.At.In(loc).Format("2006-01-02 15:04:05")),
				roster.Text(e.Username), roster.Text(e.Action), roster.Text(e.Entity), roster.Text(e.EntityID),
				roster.Text(e.DivisionName), roster.Text(strings.Join(changes, "; "))})
		}
		q.Offset += len(entries)
		if len(entries) == 0 || int64(q.Offset) >= total {
			break
		}
	}
	return writeTable(c, "csv", "audit-"+s.store.Today().String()+".csv", "audit", header, rows)
}

func (s *Server) exportDueCSV(c echo.Context) error  { return s.exportDue(c, "csv") }
func (s *Server) exportDueXLSX(c echo.Context) error { return s.exportDue(c, "xlsx") }

// exportDue writes the whole reminder list of a division, with the page's
// filters, for an inspector to work through offline.
func (s *Server) exportDue(c echo.Context, format string) error {
	d, u, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	if u.Role == model.SchoolRep {
		return errForbidden
	}
	_, q, err := dueFilterOf(c)
	if err != nil {
		return err
	}
	header := []string{"code", "name", "type", "division_code", "division", "students", "police_station",
		"due", "checked_on", "expires_on", "days_late"}
	var rows [][]roster.Cell
	q.Under, q.Limit = d.Code, 5000
	for {
		items, total, err := s.store.DueSchools(c.Request().Context(), q)
		if err != nil {
			return err
		}
		for _, it := range items {
			checked, expires, late := roster.Empty(), roster.Empty(), roster.Empty()
			if it.ExpiresOn != nil {
				checked, expires, late = roster.Text(it.CheckedOn.String()), roster.Text(it.ExpiresOn.String()), roster.Int(it.DaysLate)
			}
			rows = append(rows, []roster.Cell{roster.Text(it.School.Code), roster.Text(it.School.Name), roster.Text(string(it.School.Type)),
				roster.Text(it.School.DivisionCode), roster.Text(it.DivisionName), roster.Int(it.School.Students),
				roster.Text(it.School.PoliceStation), roster.Text(string(it.Kind)), checked, expires, late})
		}
		q.Offset += len(items)
		if len(items) == 0 || int64(q.Offset) >= total {
			break
		}
	}
	name := fmt.Sprintf("due-%s-%s-%s.%s", d.Code, q.Basis, s.store.Today(), format)
	return writeTable(c, format, name, "due", header, rows)
}
