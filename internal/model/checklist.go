package model

import "time"

// ChecklistState is where a checklist stands in review.
type ChecklistState string

const (
	Draft     ChecklistState = "draft"
	Submitted ChecklistState = "submitted"
	Verified  ChecklistState = "verified"
	Returned  ChecklistState = "returned"
)

// Checklist is one school's record of the five measures on a check date.
type Checklist struct {
	ID           int64
	SchoolID     int64
	CheckedOn    Date
	State        ChecklistState
	Facts        Facts
	Notes        string
	ReturnReason string
	CreatedBy    int64
	CreatedAt    time.Time
	SubmittedAt  *time.Time
	ReviewedBy   *int64
	ReviewedAt   *time.Time
	// MadeAt is when it was filled in on the device, when it was sent
	// later (filled without a network); nil otherwise.
	MadeAt *time.Time
}

// Editable reports whether the school may still change the checklist. Only
// drafts change: once submitted a checklist is a record that coverage
// history rests on; a returned one is corrected by a new checklist.
func (c Checklist) Editable() bool { return c.State == Draft }

// ExpiresOn is the last day the check counts.
func (c Checklist) ExpiresOn(r RuleSet) Date { return c.CheckedOn.AddDays(r.ValidityDays) }

// ValidateCheckDate refuses a check date in the future.
func ValidateCheckDate(checkedOn, today Date) *FieldError {
	if e := RealDateError("checked_on", checkedOn, today); e != nil && checkedOn < FirstRealDay {
		return e
	}
	if checkedOn > today {
		e := NewFieldError("checked_on", "future_date", map[string]any{"Date": checkedOn.String()},
			"check date %s is in the future", checkedOn)
		return &e
	}
	return nil
}

// Severity of a hazard.
type Severity string

const (
	Low    Severity = "low"
	Medium Severity = "medium"
	High   Severity = "high"
)

// Severities lists the severities in increasing order.
var Severities = []Severity{Low, Medium, High}

// HazardState is where a hazard stands.
type HazardState string

const (
	HazardOpen     HazardState = "open"     // raised, waiting for the school
	HazardAnswered HazardState = "answered" // the school answered, waiting for the inspector
	HazardClosed   HazardState = "closed"
)

// Hazard (隐患) is a problem an inspector found at a school.
type Hazard struct {
	ID          int64
	SchoolID    int64
	Measure     Measure // one of the five, or MeasureOther
	Description string
	Severity    Severity
	Deadline    Date
	State       HazardState
	Answer      string
	RaisedBy    int64
	RaisedAt    time.Time
	ClosedAt    *time.Time
	// InspectionID is the on-site inspection it was found in (0 = none).
	InspectionID int64
}

// Open reports whether the hazard still blocks its measure.
func (h Hazard) Open() bool { return h.State != HazardClosed }

// Overdue reports whether an open hazard is past its deadline.
func (h Hazard) Overdue(today Date) bool { return h.Open() && today > h.Deadline }
