package model

import "sort"

// ActivityKind names one of the period report's activity counters (SPEC
// section 9). The store keeps them per division and day in the
// transaction of each event.
type ActivityKind string

const (
	// ActivityInspection counts on-site inspections by their date, paired
	// with the school's previous inspection date (or the first day of all).
	ActivityInspection ActivityKind = "inspection"
	// ActivitySubmitted counts checklists by the day of their submission.
	ActivitySubmitted ActivityKind = "submitted"
	// ActivityVerified counts checklists by the day they were verified.
	ActivityVerified ActivityKind = "verified"
	// ActivityRaised counts hazards by the day raised, paired with the day
	// closed (LastDay while open).
	ActivityRaised ActivityKind = "raised"
	// ActivityClosed counts hazards by the day closed.
	ActivityClosed ActivityKind = "closed"
	// ActivityOpenUntil counts hazards by the day closed (LastDay while
	// open), paired with their deadline.
	ActivityOpenUntil ActivityKind = "open_until"
)

// FirstDay is before any record; LastDay after any (an open hazard's
// closing day in the counters).
var (
	FirstDay = NewDate(1, 1, 1)
	LastDay  = NewDate(9999, 12, 31)
)

// ReportFigures are the period figures of one division (SPEC section 9).
type ReportFigures struct {
	Inspections         int
	SchoolsInspected    int
	HazardsFound        int
	HazardsClosed       int
	FoundAndClosed      int // of the hazards found in the period, those closed by its end
	OverdueOpen         int
	ChecklistsSubmitted int
	ChecklistsVerified  int
	Start, End          Counts // verified coverage as of the day before from, and as of to
}

// RectificationRate is the share of the hazards found in the period that
// were closed by its end: rounded down, invalid when none were found.
func (f ReportFigures) RectificationRate() Percent {
	return PercentOf(f.FoundAndClosed, f.HazardsFound)
}

// Add sums two divisions' figures (the national root is its provinces).
func (f ReportFigures) Add(g ReportFigures) ReportFigures {
	f.Inspections += g.Inspections
	f.SchoolsInspected += g.SchoolsInspected
	f.HazardsFound += g.HazardsFound
	f.HazardsClosed += g.HazardsClosed
	f.FoundAndClosed += g.FoundAndClosed
	f.OverdueOpen += g.OverdueOpen
	f.ChecklistsSubmitted += g.ChecklistsSubmitted
	f.ChecklistsVerified += g.ChecklistsVerified
	f.Start, f.End = f.Start.Add(g.Start), f.End.Add(g.End)
	return f
}

// Add sums two sets of coverage counts.
func (c Counts) Add(d Counts) Counts {
	c.Schools += d.Schools
	c.AllFive += d.AllFive
	for i := range c.Measures {
		c.Measures[i] += d.Measures[i]
	}
	return c
}

// ReportRow is one division's figures in a report, with its rank among its
// siblings (1 = best; equal all-five percentages share a rank).
type ReportRow struct {
	Division Division
	Rank     int
	ReportFigures
}

// Report is a division's period report: its own figures and its children's,
// ranked.
type Report struct {
	Division Division // Code "" is the national root
	From, To Date
	ReportFigures
	Children []ReportRow
}

// RankRows orders rows by the all-five percentage at the end of the period,
// highest first, divisions without schools last, ties by code; equal
// percentages share a rank (1, 1, 3).
func RankRows(rows []ReportRow) {
	better := func(a, b Percent) bool {
		if a.Valid != b.Valid {
			return a.Valid
		}
		return a.Tenths > b.Tenths
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].End.AllFivePercent(), rows[j].End.AllFivePercent()
		if a != b {
			return better(a, b)
		}
		return rows[i].Division.Code < rows[j].Division.Code
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].End.AllFivePercent() == rows[i-1].End.AllFivePercent() {
			rows[i].Rank = rows[i-1].Rank
		}
	}
}
