package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

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
