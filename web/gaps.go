package web

import (
	"context"
	"net/url"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// GapsPage is a division's gap list: the active schools not covered today,
// grouped by measure and by why. Without a group chosen it shows every
// group with its first rows; with one it pages through that group.
type GapsPage struct {
	Base
	Division       model.Division
	Breadcrumb     []model.Division
	Basis          model.Basis
	Counts         model.GapCounts
	Groups         []GapGroup
	One            bool // Groups holds the one group asked for, paged
	Page, PageSize int
}

// GapGroup is the schools with one kind of gap on one measure ("" for the
// kinds that uncover all five at once).
type GapGroup struct {
	Kind    model.GapKind
	Measure model.Measure
	Count   int
	Rows    []SchoolRow
}

// gapsURL is a division's gap list on the basis.
func gapsURL(code string, basis model.Basis) string {
	q := url.Values{}
	if basis != "" && basis != model.BasisVerified {
		q.Set("basis", string(basis))
	}
	return withQuery(divisionURL(code)+"/gaps", q)
}

// groupQuery selects one group of the gap list (and the same schools in the
// school exports).
func groupQuery(g GapGroup, basis model.Basis) url.Values {
	return schoolQuery(SchoolFilter{Basis: basis, Uncovered: g.Measure, Gap: g.Kind})
}

// groupURL is the page of one group.
func groupURL(code string, g GapGroup, basis model.Basis) string {
	q := url.Values{"kind": {string(g.Kind)}}
	if g.Measure != "" {
		q.Set("measure", string(g.Measure))
	}
	if basis != "" && basis != model.BasisVerified {
		q.Set("basis", string(basis))
	}
	return withQuery(divisionURL(code)+"/gaps", q)
}

// groupID is the HTML id of a group's section.
func groupID(g GapGroup) string {
	if g.Measure == "" {
		return "gap-" + string(g.Kind)
	}
	return "gap-" + string(g.Measure) + "-" + string(g.Kind)
}

// groupTitle names a group: "Full-time guards: rule not met".
func groupTitle(ctx context.Context, g GapGroup) string {
	if g.Measure == "" {
		return i18n.T(ctx, "gap."+string(g.Kind))
	}
	return i18n.Measure(ctx, g.Measure) + i18n.T(ctx, "gaps.sep") + i18n.T(ctx, "gap."+string(g.Kind))
}

// gapDetail says why one school of a group is not covered.
func gapDetail(ctx context.Context, g GapGroup, r SchoolRow) string {
	i := 0
	if g.Measure.Valid() {
		i = g.Measure.Index()
	}
	ms := r.Status.Measures[i]
	if g.Kind == model.GapNoCheck && !r.Due {
		return i18n.T(ctx, "gaps.awaiting_review")
	}
	return i18n.Reasons(ctx, ms.Reasons)
}

// lastCheck is the check date of a row, or "—".
func lastCheck(r SchoolRow) string {
	return dateString(r.Status.Measures[0].CheckedOn)
}

// gapCount is a count cell's link target: the group's page.
func gapCell(code string, basis model.Basis, k model.GapKind, m model.Measure) string {
	g := GapGroup{Kind: k}
	if k.PerMeasure() {
		g.Measure = m
	}
	return groupURL(code, g, basis)
}

// groupPageQuery is the query of a group's page, for its pagination.
func groupPageQuery(g GapGroup, basis model.Basis) url.Values {
	u, _ := url.Parse(groupURL("x", g, basis))
	return u.Query()
}
