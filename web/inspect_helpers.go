package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

func hazardURL(id int64) string { return "/hazards/" + strconv.FormatInt(id, 10) }

func inspectionURL(id int64) string { return "/inspections/" + strconv.FormatInt(id, 10) }

func evidenceURL(id int64) string { return "/evidence/" + strconv.FormatInt(id, 10) }

// HazardQuery is the hazard list's filter as a query string, without the
// page.
func HazardQuery(f HazardFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"division": f.Division, "school": f.School, "measure": string(f.Measure), "state": f.State} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "1")
	}
	return q
}

// DueQuery is the reminder list's filter as a query string, without the
// page.
func DueQuery(f DueFilter) url.Values {
	q := url.Values{}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.Basis != "" && f.Basis != model.BasisReported {
		q.Set("basis", string(f.Basis))
	}
	return q
}

// dueURL is a division's reminder list; "" is the whole country's.
func dueURL(code string) string {
	if code == "" {
		return "/due"
	}
	return divisionURL(code) + "/due"
}

// hazardTargets are the measures a hazard can name: the five, then other.
func hazardTargets() []model.Measure { return model.InspectionTargets[:] }

// sizeText is a file size in KiB or MiB.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// thumbSize scales an image's dimensions to fit a 160-pixel box, for the
// width and height attributes of its thumbnail.
func thumbSize(w, h int) (string, string) {
	if w <= 0 || h <= 0 {
		return "160", "120"
	}
	const box = 160
	if w >= h {
		return strconv.Itoa(box), strconv.Itoa(max(1, h*box/w))
	}
	return strconv.Itoa(max(1, w*box/h)), strconv.Itoa(box)
}

func thumbW(e model.Evidence) string { w, _ := thumbSize(e.Width, e.Height); return w }
func thumbH(e model.Evidence) string { _, h := thumbSize(e.Width, e.Height); return h }

// eventEvidence picks the files that came with one hazard event.
func eventEvidence(files []model.Evidence, eventID int64) []model.Evidence {
	var out []model.Evidence
	for _, f := range files {
		if f.HazardEventID == eventID {
			out = append(out, f)
		}
	}
	return out
}

// dueKindText names why a school is on the reminder list, with its days.
func dueKindText(ctx context.Context, r DueRow) string {
	switch r.Kind {
	case "expired":
		return i18n.T(ctx, "due.expired_days", map[string]any{"Days": r.DaysLate})
	case "soon":
		if r.DaysLate == 0 {
			return i18n.T(ctx, "due.last_day")
		}
		return i18n.T(ctx, "due.soon_days", map[string]any{"Days": -r.DaysLate})
	}
	return i18n.T(ctx, "due.never")
}

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

func findingOf(in model.Inspection, m model.Measure) (model.Finding, bool) {
	for _, f := range in.Findings {
		if f.Measure == m {
			return f, true
		}
	}
	return model.Finding{}, false
}

// timeText formats an instant the server has already put in the
// deployment's zone.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04")
}

func checked(v string) bool { return v == "1" || v == "on" || v == "yes" }

// orKey is key, or fallback when key is empty.
func orKey(key, fallback string) string {
	if key == "" {
		return fallback
	}
	return key
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

// effectiveText is the day a rule set took effect; the built-in default
// has always been in force.
func effectiveText(ctx context.Context, d model.Date) string {
	if d <= 0 {
		return i18n.T(ctx, "rules.from_start")
	}
	return d.String()
}

// auditText translates an audit entry's action or entity, falling back to
// the stored word for one this version does not know.
func auditText(ctx context.Context, prefix, word string) string {
	key := prefix + word
	if s := i18n.T(ctx, key); s != key {
		return s
	}
	return word
}
