package model

import "time"

// FindingResult is what an inspector found on site for one measure.
type FindingResult string

const (
	FindingOK         FindingResult = "ok"
	FindingProblem    FindingResult = "problem"
	FindingNotChecked FindingResult = "not_checked"
)

// FindingResults lists the results in the order forms offer them.
var FindingResults = []FindingResult{FindingOK, FindingProblem, FindingNotChecked}

// Valid reports whether r is one of the results.
func (r FindingResult) Valid() bool {
	return r == FindingOK || r == FindingProblem || r == FindingNotChecked
}

// InspectionTargets are what an on-site inspection looks at: the five
// measures, then anything else.
var InspectionTargets = [6]Measure{NursingPost, ClosedManagement, SecurityGuards, OneButtonAlarm, VideoNetworking, MeasureOther}

// Finding is one measure's result in an inspection, with the hazard raised
// from it (0 = none).
type Finding struct {
	Measure  Measure
	Result   FindingResult
	Note     string
	HazardID int64
}

// Inspection is an inspector's on-site visit to a school.
type Inspection struct {
	ID           int64
	SchoolID     int64
	InspectedOn  Date
	InspectorID  int64
	Inspector    string // the username of who recorded it
	Participants string // others present, as typed
	Notes        string
	Findings     []Finding // in InspectionTargets order; not_checked ones may be absent
	CreatedAt    time.Time
}

// Problems counts the findings that are problems.
func (in Inspection) Problems() int {
	n := 0
	for _, f := range in.Findings {
		if f.Result == FindingProblem {
			n++
		}
	}
	return n
}

// HazardEventKind is what happened to a hazard after it was raised.
type HazardEventKind string

const (
	HazardAnswer   HazardEventKind = "answer"    // the school answered
	HazardSendBack HazardEventKind = "send_back" // the inspector did not accept the answer
	HazardClose    HazardEventKind = "close"     // the inspector closed it
)

// HazardEvent is one step in a hazard's life after it was raised.
type HazardEvent struct {
	ID       int64
	HazardID int64
	Kind     HazardEventKind
	Note     string
	UserID   int64
	Username string
	At       time.Time
}

// Evidence is a photo or PDF attached to a checklist or a hazard answer.
type Evidence struct {
	ID            int64
	SchoolID      int64
	ChecklistID   int64 // one of ChecklistID and HazardID is set
	HazardID      int64
	HazardEventID int64 // the answer it came with, if any
	StoredName    string
	FileName      string // as uploaded; shown, never used as a path
	ContentType   string
	Size          int64
	SHA256        string
	Width, Height int // pixels, for images
	UploadedBy    int64
	UploadedAt    time.Time
}

// IsImage reports whether the file is shown as a picture.
func (e Evidence) IsImage() bool {
	return e.ContentType == "image/jpeg" || e.ContentType == "image/png" || e.ContentType == "image/webp"
}
