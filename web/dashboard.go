package web

import (
	"context"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"safecampus/internal/model"
)

// historical reports whether the page shows a past day.
func historical(p DivisionPage) bool { return p.AsOf != 0 && p.AsOf != p.Base.Today }

// scopePath names the division with its ancestors: "内蒙古自治区 › 呼和浩特市".
func scopePath(ctx context.Context, ancestors []model.Division, d model.Division) string {
	names := make([]string, 0, len(ancestors)+1)
	for _, a := range ancestors {
		names = append(names, divisionTitle(ctx, a))
	}
	return strings.Join(append(names, divisionTitle(ctx, d)), " › ")
}

// coverageExportQuery is the grid export's query: the page's basis, order
// and day.
func coverageExportQuery(p DivisionPage) url.Values {
	q := url.Values{}
	for _, k := range []string{"basis", "sort", "dir", "as_of"} {
		if v := p.Query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if historical(p) {
		q.Set("as_of", p.AsOf.String())
	}
	return q
}

// sortAttrs is aria-sort on the header of the column the grid is sorted by.
func sortAttrs(cur GridSort, key string) templ.Attributes {
	if v := ariaSort(cur, key); v != "" {
		return templ.Attributes{"aria-sort": v}
	}
	return templ.Attributes{}
}

// gapCount is how many schools a tile's percentage leaves out.
func gapCount(covered, total int) int { return total - covered }

// tileGapsURL points a tile at its measure's part of the gap list.
func tileGapsURL(gaps string, m model.Measure) string {
	if m == model.AllFive {
		return gaps
	}
	return gaps + "#gaps-" + string(m)
}
