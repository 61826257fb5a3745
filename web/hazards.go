package web

import (
	"context"
	"net/url"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// HazardQuery is the hazard list's filter as a query string, without the
// page.
func HazardQuery(f HazardFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"division": f.Division, "school": f.School, "measure": string(f.Measure), "state": string(f.State)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "1")
	}
	return q
}

// HazardFilter narrows the hazard list; it is read from the query string.
type HazardFilter struct {
	Division string        // subtree code; "" = the user's scope
	School   string        // one school's code
	Measure  model.Measure // "" any, a measure key, or "other"
	State    model.HazardStateFilter
	Overdue  bool
	Page     int
}

// HazardPage is one hazard: what was found, what happened since, and the
// forms the user may use on it.
type HazardPage struct {
	Base
	Hazard       model.Hazard
	School       model.School
	DivisionName string
	RaisedBy     string
	Events       []model.HazardEvent
	Evidence     []model.Evidence // of all answers; each names its event
	CanAnswer    bool             // the school (or an admin) may answer now
	CanClose     bool             // a reviewer may close it now
	CanSendBack  bool
	CanUpload    bool              // evidence storage is configured
	Values       map[string]string // "answer", "reason", "note" as typed
	Errors       model.FieldErrors // same keys, and "files"
	Conflict     string            // someone else acted first: what happened
}

// HazardFormPage raises a hazard at a school.
type HazardFormPage struct {
	Base
	School model.School
	Values map[string]string // measure, description, severity, deadline
	Errors model.FieldErrors
}

// hazardTargets are the measures a hazard can name: the five, then other.
func hazardTargets() []model.Measure { return model.InspectionTargets[:] }

func daysLeft(h model.Hazard, today model.Date) int { return h.Deadline.DaysSince(today) }

// deadlineText says how far the deadline is: overdue by N days, due today,
// or N days left.
func deadlineText(ctx context.Context, h model.Hazard, today model.Date) string {
	if !h.Open() {
		return ""
	}
	switch d := daysLeft(h, today); {
	case d < 0:
		return i18n.T(ctx, "hazard.overdue_days", map[string]any{"Days": -d})
	case d == 0:
		return i18n.T(ctx, "hazard.due_today")
	default:
		return i18n.T(ctx, "hazard.days_left", map[string]any{"Days": d})
	}
}
