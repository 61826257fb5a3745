package web

import (
	"context"
	"net/url"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// DuePage is a division's reminder list: schools with no current check or
// one that ends soon.
type DuePage struct {
	Base
	Division   model.Division
	Breadcrumb []model.Division
	Filter     DueFilter
	Rows       []DueRow
	Total      int
	Page       int
	PageSize   int
	SoonDays   int

	Divisions DivisionPicker // moves the list to another division
	List      ListBar
}

// DueFilter narrows the reminder list.
type DueFilter struct {
	Kind  model.DueKind // "" = all three
	Type  model.SchoolType
	Basis model.Basis
	Page  int
}

// DueRow is one school on the reminder list.
type DueRow struct {
	School       model.School
	DivisionName string
	Kind         model.DueKind
	CheckedOn    *model.Date
	ExpiresOn    *model.Date
	DaysLate     int
	LastDrillOn  *model.Date // for a drill row: the last drill, nil = never
}

// DueQuery is the reminder list's filter as a query string, without the
// page.
func DueQuery(f DueFilter) url.Values {
	q := url.Values{}
	if f.Kind != "" {
		q.Set("kind", string(f.Kind))
	}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.Basis != "" && f.Basis != model.BasisReported {
		q.Set("basis", string(f.Basis))
	}
	return q
}

// DueURLKeeping is division code's reminder list with the filters of q,
// less the division and the page.
func DueURLKeeping(code string, q url.Values) string {
	keep := url.Values{}
	for k, vs := range q {
		if k != "division" && k != "page" {
			keep[k] = vs
		}
	}
	return WithQuery(DueURL(code), keep)
}

// DueURL is a division's reminder list; "" is the whole country's.
func DueURL(code string) string {
	if code == "" {
		return "/due"
	}
	return DivisionURL(code) + "/due"
}

func dueURL(code string) string { return DueURL(code) }

// dueKindText names why a school is on the reminder list, with its days.
func dueKindText(ctx context.Context, r DueRow) string {
	switch r.Kind {
	case model.DueDrill:
		if r.LastDrillOn == nil {
			return i18n.T(ctx, "due.drill_never")
		}
		return i18n.T(ctx, "due.drill_since", map[string]any{"Date": r.LastDrillOn.String()})
	case model.DueExpired:
		return i18n.T(ctx, "due.expired_days", map[string]any{"Days": r.DaysLate})
	case model.DueSoon:
		if r.DaysLate == 0 {
			return i18n.T(ctx, "due.last_day")
		}
		return i18n.T(ctx, "due.soon_days", map[string]any{"Days": -r.DaysLate})
	}
	return i18n.T(ctx, "due.never")
}
