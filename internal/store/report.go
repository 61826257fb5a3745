package store

import (
	"context"
	"fmt"

	"safecampus/internal/model"
)

// Report is the period report of division d (Code "" is the national root,
// the sum of its children) and each of its children for [from, to], both
// inclusive (SPEC section 9). It reads the activity counters and the
// coverage ledger: two queries over the counters and two coverage reads,
// whatever the number of schools.
func (s *Store) Report(ctx context.Context, d model.Division, children []model.Division, from, to model.Date) (_ model.Report, err error) {
	defer wrap(&err, "report of %q from %s to %s", d.Code, from, to)
	if from > to {
		return model.Report{}, model.FieldErrors{{Field: "to", Message: fmt.Sprintf("the period ends (%s) before it starts (%s)", to, from)}}
	}
	codes := make([]string, 0, len(children)+1)
	for _, ch := range children {
		codes = append(codes, ch.Code)
	}
	if d.Code != "" {
		codes = append(codes, d.Code)
	}
	figures, err := s.activityFigures(ctx, codes, from, to)
	if err != nil {
		return model.Report{}, err
	}
	start, err := s.Coverage(ctx, codes, model.BasisVerified, from.AddDays(-1))
	if err != nil {
		return model.Report{}, err
	}
	end, err := s.Coverage(ctx, codes, model.BasisVerified, to)
	if err != nil {
		return model.Report{}, err
	}
	rep := model.Report{Division: d, From: from, To: to, Children: make([]model.ReportRow, len(children))}
	for _, code := range codes {
		f := figures[code]
		f.Start, f.End = start[code], end[code]
		figures[code] = f
	}
	for i, ch := range children {
		rep.Children[i] = model.ReportRow{Division: ch, ReportFigures: figures[ch.Code]}
		if d.Code == "" {
			rep.ReportFigures = rep.ReportFigures.Add(figures[ch.Code])
		}
	}
	if d.Code != "" {
		rep.ReportFigures = figures[d.Code]
	}
	model.RankRows(rep.Children)
	return rep, nil
}

// activityFigures sums the counters of each division for the period.
func (s *Store) activityFigures(ctx context.Context, codes []string, from, to model.Date) (map[string]model.ReportFigures, error) {
	out := make(map[string]model.ReportFigures, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	db := s.r.WithContext(ctx)
	// Events dated in the period. An inspection whose school's previous one
	// is before the period is the school's first in it: counting those
	// counts the distinct schools. A hazard raised in the period is
	// rectified by its end when its closing day is not after to.
	var rows []struct {
		DivisionCode        string
		Inspections         int
		SchoolsInspected    int
		HazardsFound        int
		FoundAndClosed      int
		HazardsClosed       int
		ChecklistsSubmitted int
		ChecklistsVerified  int
	}
	err := db.Raw(`
		SELECT division_code,
			SUM(CASE WHEN kind = ? THEN n ELSE 0 END) AS inspections,
			SUM(CASE WHEN kind = ? AND other_day < ? THEN n ELSE 0 END) AS schools_inspected,
			SUM(CASE WHEN kind = ? THEN n ELSE 0 END) AS hazards_found,
			SUM(CASE WHEN kind = ? AND other_day <= ? THEN n ELSE 0 END) AS found_and_closed,
			SUM(CASE WHEN kind = ? THEN n ELSE 0 END) AS hazards_closed,
			SUM(CASE WHEN kind = ? THEN n ELSE 0 END) AS checklists_submitted,
			SUM(CASE WHEN kind = ? THEN n ELSE 0 END) AS checklists_verified
		FROM activity_counts
		WHERE division_code IN ? AND kind IN ? AND day >= ? AND day <= ?
		GROUP BY division_code`,
		model.ActivityInspection, model.ActivityInspection, from,
		model.ActivityRaised, model.ActivityRaised, to,
		model.ActivityClosed, model.ActivitySubmitted, model.ActivityVerified,
		codes, []model.ActivityKind{model.ActivityInspection, model.ActivityRaised, model.ActivityClosed,
			model.ActivitySubmitted, model.ActivityVerified}, from, to).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.DivisionCode] = model.ReportFigures{Inspections: r.Inspections, SchoolsInspected: r.SchoolsInspected,
			HazardsFound: r.HazardsFound, FoundAndClosed: r.FoundAndClosed, HazardsClosed: r.HazardsClosed,
			ChecklistsSubmitted: r.ChecklistsSubmitted, ChecklistsVerified: r.ChecklistsVerified}
	}
	// Open at the end of to (closed after it, or not at all) with a
	// deadline before it. A deadline is never before the day the hazard
	// was raised, so such a hazard was raised by to.
	var overdue []struct {
		DivisionCode string
		N            int
	}
	err = db.Raw(`
		SELECT division_code, SUM(n) AS n FROM activity_counts
		WHERE division_code IN ? AND kind = ? AND day > ? AND other_day < ?
		GROUP BY division_code`, codes, model.ActivityOpenUntil, to, to).Scan(&overdue).Error
	if err != nil {
		return nil, err
	}
	for _, r := range overdue {
		f := out[r.DivisionCode]
		f.OverdueOpen = r.N
		out[r.DivisionCode] = f
	}
	return out, nil
}
