package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/store"
	"safecampus/web"
)

const duePageSize = 100

// showDueHome is /due: the reminder list of the user's scope.
func (s *Server) showDueHome(c echo.Context) error {
	u, _ := currentUser(c)
	if to, ok := dueElsewhere(c, ""); ok && u.Role != model.SchoolRep {
		return c.Redirect(http.StatusSeeOther, to)
	}
	switch u.Role {
	case model.Leader, model.Inspector:
		return c.Redirect(http.StatusSeeOther, web.DivisionURL(u.ScopeCode)+"/due")
	case model.SchoolRep:
		return errForbidden
	}
	provinces, err := s.store.Children(c.Request().Context(), "")
	if err != nil {
		return err
	}
	if len(provinces) == 1 {
		return c.Redirect(http.StatusSeeOther, web.DivisionURL(provinces[0].Code)+"/due")
	}
	return s.renderDue(c, model.Division{})
}

// showDue is a division's reminder list.
func (s *Server) showDue(c echo.Context) error {
	d, u, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	if u.Role == model.SchoolRep {
		return errForbidden
	}
	if to, ok := dueElsewhere(c, d.Code); ok {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return s.renderDue(c, d)
}

// dueElsewhere is where the division picker sends a due list asked for
// another division (?division=CODE): that division's list, with the other
// filters. Its handler checks the scope.
func dueElsewhere(c echo.Context, current string) (string, bool) {
	to := strings.TrimSpace(c.QueryParam("division"))
	if to == "" || to == current {
		return "", false
	}
	q := url.Values{}
	for k, vs := range c.QueryParams() {
		if k != "division" && k != "page" {
			q[k] = vs
		}
	}
	return web.WithQuery(web.DueURL(to), q), true
}

func (s *Server) renderDue(c echo.Context, d model.Division) error {
	ctx := c.Request().Context()
	f, q, err := dueFilterOf(c)
	if err != nil {
		return err
	}
	q.Under, q.Limit, q.Offset = d.Code, duePageSize, (f.Page-1)*duePageSize
	items, total, err := s.store.DueSchools(ctx, q)
	if err != nil {
		return err
	}
	p := web.DuePage{Division: d, Filter: f, Total: int(total), Page: f.Page, PageSize: duePageSize, SoonDays: model.SoonDueDays}
	if d.Code != "" {
		if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
			return err
		}
		p.Breadcrumb = append(p.Breadcrumb, d)
	}
	for _, it := range items {
		p.Rows = append(p.Rows, web.DueRow{School: it.School, DivisionName: it.DivisionName, Kind: it.Kind,
			CheckedOn: it.CheckedOn, ExpiresOn: it.ExpiresOn, DaysLate: it.DaysLate, LastDrillOn: it.LastDrillOn})
	}
	u, _ := currentUser(c)
	if p.Divisions, err = s.divisionPicker(ctx, u, "division", d.Code); err != nil {
		return err
	}
	p.Divisions.Required = true
	csv := ""
	if d.Code != "" {
		csv = web.DueURL(d.Code) + ".csv"
	}
	p.List = listBar(c, web.DueURL(d.Code), csv, web.DueQuery(f), int(total))
	p.Base = s.base(c, i18n.T(ctx, "due.title"), "due")
	return render(c, http.StatusOK, web.DueView(p))
}

// dueFilterOf reads the reminder list's filter from the query string.
func dueFilterOf(c echo.Context) (web.DueFilter, store.DueQuery, error) {
	f := web.DueFilter{Kind: model.DueKind(c.QueryParam("kind")), Page: 1, Basis: model.BasisReported}
	var q store.DueQuery
	var ok bool
	if q.Kind, ok = model.ParseDueKind(string(f.Kind)); !ok {
		return f, q, echo.NewHTTPError(http.StatusBadRequest, "kind must be never, expired or soon")
	}
	if b := c.QueryParam("basis"); b != "" {
		basis, ok := model.ParseBasis(b)
		if !ok {
			return f, q, echo.NewHTTPError(http.StatusBadRequest, "basis must be verified or reported")
		}
		f.Basis = basis
	}
	q.Basis = f.Basis
	if t := c.QueryParam("type"); t != "" {
		st, ok := model.ParseSchoolType(t)
		if !ok {
			return f, q, echo.NewHTTPError(http.StatusBadRequest, "unknown school type "+strconv.Quote(t))
		}
		f.Type, q.Type = st, st
	}
	var err error
	if f.Page, err = pageParam(c); err != nil {
		return f, q, err
	}
	return f, q, nil
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
		"due", "checked_on", "expires_on", "days_late", "last_drill_on"}
	var rows [][]roster.Cell
	q.Under, q.Limit = d.Code, 5000
	for {
		items, total, err := s.store.DueSchools(c.Request().Context(), q)
		if err != nil {
			return err
		}
		for _, it := range items {
			checked, expires, late, drill := roster.Empty(), roster.Empty(), roster.Empty(), roster.Empty()
			if it.ExpiresOn != nil {
				checked, expires, late = roster.Text(it.CheckedOn.String()), roster.Text(it.ExpiresOn.String()), roster.Int(it.DaysLate)
			}
			if it.LastDrillOn != nil {
				drill = roster.Text(it.LastDrillOn.String())
			}
			rows = append(rows, []roster.Cell{roster.Text(it.School.Code), roster.Text(it.School.Name), roster.Text(string(it.School.Type)),
				roster.Text(it.School.DivisionCode), roster.Text(it.DivisionName), roster.Int(it.School.Students),
				roster.Text(it.School.PoliceStation), roster.Text(string(it.Kind)), checked, expires, late, drill})
		}
		q.Offset += len(items)
		if len(items) == 0 || int64(q.Offset) >= total {
			break
		}
	}
	name := fmt.Sprintf("due-%s-%s-%s.%s", d.Code, q.Basis, s.store.Today(), format)
	return writeTable(c, format, name, "due", header, rows)
}
