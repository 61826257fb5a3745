package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
)

// listExportCap bounds a list export; the lists it serves are work lists
// of one area, far below it.
const listExportCap = 100000

// exportReviewCSV is the review queue with the page's filters, every row
// the filters match (not only the page shown): one line per checklist,
// each measure 1 when the facts meet its rule.
func (s *Server) exportReviewCSV(c echo.Context) error {
	u, _ := currentUser(c)
	if !canReview(u) {
		return errForbidden
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
	u, _ := currentUser(c)
	if !canReview(u) {
		return errForbidden
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
