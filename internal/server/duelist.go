package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
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
	to := queryText(c, "division")
	if to == "" || to == current {
		return "", false
	}
	return web.DueURLKeeping(to, c.QueryParams()), true
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
	p.Base = s.titledBase(c, "due.title", "due")
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
	var err error
	if c.QueryParam("basis") != "" {
		if f.Basis, err = basisParam(c); err != nil {
			return f, q, err
		}
	}
	if f.Type, err = schoolTypeParam(c); err != nil {
		return f, q, err
	}
	q.Basis, q.Type = f.Basis, f.Type
	if f.Page, err = pageParam(c); err != nil {
		return f, q, err
	}
	return f, q, nil
}
