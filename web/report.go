package web

import (
	"context"
	"net/url"
	"time"

	"safecampus/internal/model"
)

// ReportPage is a division's period report (SPEC section 9): the figures
// of the division and of each child, ranked, with a bar chart of all-five
// coverage at the start and end of the period. With Errors the period
// form is shown again with the values given and no figures.
type ReportPage struct {
	Base
	Report     model.Report
	Breadcrumb []model.Division
	Values     map[string]string // the period form: from, to
	Errors     model.FieldErrors
}

// LastFullMonth is the calendar month before the one of today.
func LastFullMonth(today model.Date) (from, to model.Date) {
	t := today.Time(time.UTC)
	to = model.DateOf(t.AddDate(0, 0, -t.Day()))
	first := to.Time(time.UTC)
	return model.DateOf(first.AddDate(0, 0, 1-first.Day())), to
}

// ReportURL is a division's period report; from and to 0 leave the period
// to the page's default (the last full month).
func ReportURL(code string, from, to model.Date) string {
	q := url.Values{}
	if from != 0 {
		q.Set("from", from.String())
	}
	if to != 0 {
		q.Set("to", to.String())
	}
	return WithQuery(DivisionURL(code)+"/report", q)
}

// ReportXLSXURL is the report's workbook.
func ReportXLSXURL(code string, from, to model.Date) string {
	return WithQuery(DivisionURL(code)+"/report.xlsx", url.Values{"from": {from.String()}, "to": {to.String()}})
}

// reportBar is one bar pair of the report chart: a division's all-five
// percentage at the start and the end of the period, in tenths.
type reportBar struct {
	Label      string
	Start, End model.Percent
	Y          int
}

// Chart geometry, in SVG units: a label column, then bars 0–100% wide.
const (
	chartLabelWidth = 130
	chartBarsWidth  = 400
	chartRowHeight  = 26
)

func reportBars(labels []string, rows []model.ReportRow) []reportBar {
	out := make([]reportBar, len(rows))
	for i, r := range rows {
		out[i] = reportBar{Label: labels[i], Start: r.Start.AllFivePercent(), End: r.End.AllFivePercent(), Y: i * chartRowHeight}
	}
	return out
}

// chartBar is the bar's length for a percentage (0 without schools).
func chartBar(p model.Percent) int { return p.Tenths * chartBarsWidth / 1000 }

func chartHeight(n int) int { return n*chartRowHeight + 4 }

// reportFigureKeys name the table's figure columns (period_report.<key>).
var reportFigureKeys = []string{"schools", "inspections", "schools_inspected", "hazards_found", "hazards_closed",
	"rectification_rate", "overdue_open", "checklists_submitted", "checklists_verified", "all_five_start", "all_five_end"}

func childLabels(ctx context.Context, rows []model.ReportRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = divisionTitle(ctx, r.Division)
	}
	return out
}

// lastMonthReportURL is the division's report of the last full month, the
// dashboard's one-click link.
func lastMonthReportURL(code string, today model.Date) string {
	from, to := LastFullMonth(today)
	return ReportURL(code, from, to)
}
