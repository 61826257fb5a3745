package web

import (
	"context"
	"net/url"
	"strings"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// ReviewConfirmPage says exactly what verifying a selection will change
// before it is done.
type ReviewConfirmPage struct {
	Base
	Rows     []ReviewRow
	Back     string  // the queue as it was filtered
	Conflict []int64 // checklists someone else reviewed meanwhile, left out
	Error    string
}

// reviewPageSize is how many checklists the review queue shows per page.
const reviewPageSize = 100

// ReviewPageSize is reviewPageSize for the server.
const ReviewPageSize = reviewPageSize

// schoolCount is how many different schools the rows are of.
func schoolCount(rows []ReviewRow) int {
	seen := map[int64]bool{}
	for _, r := range rows {
		seen[r.School.ID] = true
	}
	return len(seen)
}

// unmetMeasures lists the measures a checklist does not meet.
func unmetMeasures(rs [5]model.Result) []model.Measure {
	var out []model.Measure
	for i, r := range rs {
		if !r.Met {
			out = append(out, model.Measures[i])
		}
	}
	return out
}

// measureList names measures in the page's language.
func measureList(ctx context.Context, ms []model.Measure) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = i18n.Measure(ctx, m)
	}
	sep := ", "
	if i18n.Lang(ctx) == i18n.Chinese {
		sep = "、"
	}
	return strings.Join(names, sep)
}

// ReviewQuery is the review queue's filter as a query string, without
// the page.
func ReviewQuery(f ReviewFilter) url.Values {
	q := url.Values{}
	if f.Division != "" {
		q.Set("division", f.Division)
	}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.Failing != "" {
		q.Set("failing", string(f.Failing))
	}
	return q
}
