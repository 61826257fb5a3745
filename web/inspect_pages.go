package web

import (
	"net/url"
	"time"

	"safecampus/internal/model"
)

// Page data of the inspectors' tools: hazards, inspections, evidence, due
// lists, batch review, rule settings and the audit trail.

// HazardFilter narrows the hazard list; it is read from the query string.
type HazardFilter struct {
	Division string        // subtree code; "" = the user's scope
	School   string        // one school's code
	Measure  model.Measure // "" any, a measure key, or "other"
	State    string        // "" (not closed), "open", "answered", "closed", "all"
	Overdue  bool
	Page     int
}

// HazardStates are the choices of HazardFilter.State, the default first.
var HazardStates = []string{"", "open", "answered", "closed", "all"}

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

// InspectionFormPage records an on-site inspection.
type InspectionFormPage struct {
	Base
	School model.School
	Values map[string]string // inspected_on, participants, notes, "<measure>.result|note|raise|severity|deadline"
	Errors model.FieldErrors
}

// InspectionPage shows one inspection and the hazards raised from it.
type InspectionPage struct {
	Base
	School     model.School
	Inspection model.Inspection
	Hazards    map[int64]model.Hazard // by id, as they stand now
}

// EvidenceBlock lists the files of a checklist or hazard answer and, when
// allowed, the form to add more.
type EvidenceBlock struct {
	Files     []model.Evidence
	UploadURL string // "" = no upload form
	CanDelete bool   // files may be removed (draft checklists)
	Error     string // why the last upload was refused
	CSRF      string
	Key       string // the upload form's idempotency key
}

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
}

// DueFilter narrows the reminder list.
type DueFilter struct {
	Kind  string // "", "never", "expired", "soon"
	Type  model.SchoolType
	Basis model.Basis
	Page  int
}

// DueRow is one school on the reminder list.
type DueRow struct {
	School       model.School
	DivisionName string
	Kind         string // "never", "expired", "soon"
	CheckedOn    *model.Date
	ExpiresOn    *model.Date
	DaysLate     int
}

// ReviewConfirmPage says exactly what verifying a selection will change
// before it is done.
type ReviewConfirmPage struct {
	Base
	Rows     []ReviewRow
	Back     string  // the queue as it was filtered
	Conflict []int64 // checklists someone else reviewed meanwhile, left out
	Error    string
}

// RulesPage shows the rule set in force, the versions to come and past,
// and the form for a new version.
type RulesPage struct {
	Base
	Current  RuleVersion
	Versions []RuleVersion // latest effective first
	Values   map[string]string
	Errors   model.FieldErrors
	Examples []GuardExample // the guards the rule in force requires
}

// RuleVersion is one stored version of the rule set.
type RuleVersion struct {
	ID        int64
	RuleSet   model.RuleSet
	CreatedBy string
	CreatedAt time.Time
	Future    bool // not yet in effect; may be cancelled
	Current   bool
}

// GuardExample is the guard requirement for one enrolment.
type GuardExample struct {
	Students, Boarders, Guards int
}

// AuditPage is the audit trail with its filters.
type AuditPage struct {
	Base
	Filter    AuditFilter
	Entities  []string
	Rows      []AuditRow
	Total     int
	Page      int
	PageSize  int
	Query     url.Values // the filter as a query string, for pagination
	ScopeNote string     // for inspectors: which subtree they see
}

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	Entity, EntityID, User, Division string
	From, To                         string // YYYY-MM-DD as typed
	Errors                           model.FieldErrors
}

// AuditRow is one recorded change.
type AuditRow struct {
	ID           int64
	At           string // local time
	Username     string
	Action       string
	Entity       string
	EntityID     string
	Link         string // the record's page, if it has one
	DivisionName string
	Changes      []Change
}

// Change is one field's old and new value in an audit entry.
type Change struct {
	Field    string
	Old, New string
}
