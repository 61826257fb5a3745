package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

const schoolPageSize = 50

// showDashboard is "/": the dashboard of the user's scope.
func (s *Server) showDashboard(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	switch u.Role {
	case model.SchoolRep:
		return c.Redirect(http.StatusSeeOther, web.SchoolURL(u.ScopeCode))
	case model.Leader, model.Inspector:
		d, err := s.store.Division(ctx, u.ScopeCode)
		if err != nil {
			return err
		}
		return s.renderDivision(c, d, "dashboard")
	}
	provinces, err := s.store.Children(ctx, "")
	if err != nil {
		return err
	}
	if len(provinces) == 1 {
		return s.renderDivision(c, provinces[0], "dashboard")
	}
	return s.renderDivision(c, model.Division{}, "dashboard")
}

// showDivision is a division's coverage page.
func (s *Server) showDivision(c echo.Context) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	return s.renderDivision(c, d, "dashboard")
}

func (s *Server) renderDivision(c echo.Context, d model.Division, nav string) error {
	ctx := c.Request().Context()
	filter, err := schoolFilterOf(c)
	if err != nil {
		return err
	}
	asOf, err := asOfParam(c, s.store.Today())
	if err != nil {
		return err
	}
	sort, err := gridSortOf(c)
	if err != nil {
		return err
	}
	title := i18n.DivisionName(ctx, d)
	if d.Code == "" {
		title = i18n.T(ctx, "division.national")
	}
	key, gen, err := s.pageKey(c)
	if err != nil {
		return err
	}
	if page, ok := s.pages.entry(key); ok {
		return s.renderInLayout(c, s.base(c, title, nav), page)
	}
	children, err := s.store.Children(ctx, d.Code)
	if err != nil {
		return err
	}
	p := web.DivisionPage{Division: d, AsOf: asOf, CanExport: d.Code != "", Query: c.QueryParams(), Sort: sort}
	if d.Code != "" {
		if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
			return err
		}
	}
	if p.Verified, p.Reported, p.Children, err = s.divisionCoverage(ctx, d, children, asOf); err != nil {
		return err
	}
	sortChildren(p.Children, sort, func(d model.Division) string { return i18n.DivisionName(ctx, d) })
	if p.Trend, err = s.trend(ctx, d, children, asOf); err != nil {
		return err
	}
	if p.Campaigns, err = s.store.RunningCampaigns(ctx, d.Code, s.store.Today()); err != nil {
		return err
	}
	items, total, err := s.store.Schools(ctx, store.SchoolQuery{
		Under: d.Code, Search: filter.Query, Type: filter.Type, Uncovered: string(filter.Uncovered), Gap: filter.Gap,
		Due: filter.Due, Basis: filter.Basis, Limit: schoolPageSize, Offset: (filter.Page - 1) * schoolPageSize,
		Total: listTotal(filter, p.Verified, p.Reported, asOf == s.store.Today()),
	})
	if err != nil {
		return err
	}
	p.Schools = web.SchoolList{Filter: filter, Rows: schoolRows(items), Total: int(total), Page: filter.Page, PageSize: schoolPageSize}
	if err := s.markOverdue(ctx, p.Schools.Rows); err != nil {
		return err
	}
	p.Base = s.base(c, title, nav)
	body, err := renderBody(c, web.DivisionBody(p))
	if err != nil {
		return err
	}
	return s.renderInLayout(c, p.Base, s.pages.putContent(key, gen, body))
}

// divisionCoverage reads the division's own counts and its children's on
// both bases. The national root is the sum of the provinces.
func (s *Server) divisionCoverage(ctx context.Context, d model.Division, children []model.Division, asOf model.Date) (v, r model.Counts, rows []web.ChildRow, err error) {
	codes := make([]string, 0, len(children)+1)
	for _, ch := range children {
		codes = append(codes, ch.Code)
	}
	if d.Code != "" {
		codes = append(codes, d.Code)
	}
	ver, err := s.store.Coverage(ctx, codes, model.BasisVerified, asOf)
	if err != nil {
		return v, r, nil, err
	}
	rep, err := s.store.Coverage(ctx, codes, model.BasisReported, asOf)
	if err != nil {
		return v, r, nil, err
	}
	rows = make([]web.ChildRow, len(children))
	for i, ch := range children {
		rows[i] = web.ChildRow{Division: ch, Verified: ver[ch.Code], Reported: rep[ch.Code]}
		if d.Code == "" {
			v, r = v.Add(ver[ch.Code]), r.Add(rep[ch.Code])
		}
	}
	if d.Code != "" {
		v, r = ver[d.Code], rep[d.Code]
	}
	return v, r, rows, nil
}

// schoolFilterOf reads the school list filter from the query string.
func schoolFilterOf(c echo.Context) (web.SchoolFilter, error) {
	f := web.SchoolFilter{Query: c.QueryParam("q"), Due: c.QueryParam("due") == "1", Page: 1}
	var err error
	if f.Basis, err = basisParam(c); err != nil {
		return f, err
	}
	if f.Type, err = schoolTypeParam(c); err != nil {
		return f, err
	}
	if m := c.QueryParam("uncovered"); m != "" {
		if !store.ValidUncovered(m) {
			return f, echo.NewHTTPError(http.StatusBadRequest, "uncovered must be a measure key or all_five")
		}
		f.Uncovered = model.Measure(m)
	}
	if g := c.QueryParam("gap"); g != "" {
		k, ok := model.ParseGapKind(g)
		if !ok || !store.ValidGap(k, f.Uncovered) {
			return f, echo.NewHTTPError(http.StatusBadRequest, "gap must be no_check, check_expired, or hazard_open or rule_failed with uncovered set to a measure")
		}
		f.Gap = k
	}
	if f.Page, err = pageParam(c); err != nil {
		return f, err
	}
	return f, nil
}

// asOfParam reads as_of=YYYY-MM-DD (default today); the future is refused.
func asOfParam(c echo.Context, today model.Date) (model.Date, error) {
	v := c.QueryParam("as_of")
	if v == "" {
		return today, nil
	}
	d, err := model.ParseDate(v)
	if err != nil {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "as_of: "+err.Error())
	}
	if d > today {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "as_of "+v+" is in the future")
	}
	if d < model.FirstRealDay {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "as_of "+v+" is before "+model.FirstRealDay.String())
	}
	return d, nil
}

func schoolRows(items []store.SchoolListItem) []web.SchoolRow {
	rows := make([]web.SchoolRow, len(items))
	for i, it := range items {
		rows[i] = web.SchoolRow{School: it.School, DivisionName: it.DivisionName, Status: it.Status, Due: it.Due}
	}
	return rows
}

// listTotal is the school list's length when the coverage ledger already
// knows it: all active schools, or those not covered on one measure. Other
// filters count with a query.
func listTotal(f web.SchoolFilter, verified, reported model.Counts, today bool) *int64 {
	if !today || f.Query != "" || f.Type != "" || f.Due || f.Gap != "" {
		return nil
	}
	c := verified
	if f.Basis == model.BasisReported {
		c = reported
	}
	n := int64(c.Schools)
	switch {
	case f.Uncovered == "":
	case f.Uncovered == model.AllFive:
		n -= int64(c.AllFive)
	case f.Uncovered.Valid():
		n -= int64(c.Measures[f.Uncovered.Index()])
	default:
		return nil
	}
	return &n
}

const (
	// gapPreview is how many schools each group shows on the overview.
	gapPreview = 10
	// gapPageSize is a page of one group.
	gapPageSize = 50
)

// showGaps is a division's gap list: the active schools not covered today,
// grouped by kind of gap and measure. Without kind= it shows every
// non-empty group with its first schools; with kind= (and measure= for the
// kinds that depend on it) it pages through one group. The counts are one
// aggregate query; each group's rows are a capped query, so the page stays
// bounded however many schools the scope holds.
func (s *Server) showGaps(c echo.Context) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	basis, err := basisParam(c)
	if err != nil {
		return err
	}
	var one *web.GapGroup
	if k := c.QueryParam("kind"); k != "" {
		kind, ok := model.ParseGapKind(k)
		m := model.Measure(c.QueryParam("measure"))
		if !ok || (kind.PerMeasure() && !m.Valid()) || (!kind.PerMeasure() && m != "") {
			return echo.NewHTTPError(http.StatusBadRequest, "kind must be no_check or check_expired, or hazard_open or rule_failed with measure set to a measure key")
		}
		one = &web.GapGroup{Kind: kind, Measure: m}
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	p := web.GapsPage{Division: d, Basis: basis, Page: page, PageSize: gapPageSize}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
		return err
	}
	if p.Counts, err = s.store.GapCounts(ctx, d.Code, basis); err != nil {
		return err
	}
	groups := gapGroups(p.Counts)
	limit, offset := gapPreview, 0
	if one != nil {
		groups, limit, offset, p.One = []web.GapGroup{*one}, gapPageSize, (page-1)*gapPageSize, true
	}
	for _, g := range groups {
		// The counts query already knows each group's size: no COUNT per group.
		i := 0
		if g.Measure.Valid() {
			i = g.Measure.Index()
		}
		known := int64(p.Counts.Count(g.Kind, i))
		items, total, err := s.store.Schools(ctx, store.SchoolQuery{Under: d.Code, Basis: basis,
			Uncovered: string(g.Measure), Gap: g.Kind, Limit: limit, Offset: offset, Total: &known})
		if err != nil {
			return err
		}
		g.Count, g.Rows = int(total), schoolRows(items)
		p.Groups = append(p.Groups, g)
	}
	p.Base = s.base(c, i18n.T(ctx, "gaps.title")+" · "+i18n.DivisionName(ctx, d), "dashboard")
	return render(c, http.StatusOK, web.GapsView(p))
}

// gapGroups lists the non-empty groups in display order: no current check
// and expired checks (all five measures), then per measure open hazards and
// failed rules.
func gapGroups(n model.GapCounts) []web.GapGroup {
	var out []web.GapGroup
	for _, k := range []model.GapKind{model.GapNoCheck, model.GapExpired} {
		if n.Count(k, 0) > 0 {
			out = append(out, web.GapGroup{Kind: k})
		}
	}
	for i, m := range model.Measures {
		for _, k := range []model.GapKind{model.GapHazard, model.GapRule} {
			if n.Count(k, i) > 0 {
				out = append(out, web.GapGroup{Kind: k, Measure: m})
			}
		}
	}
	return out
}
