// Package web holds SafeCampus's pages as templ components: typed functions
// of the page data below, with no queries and no HTTP framework. Handlers
// fill a page struct and render its View.
package web

import (
	"net/url"

	"safecampus/internal/model"
)

// Base is what every page's layout needs.
type Base struct {
	Title string      // page title; a view supplies one when empty
	User  *model.User // nil when signed out
	CSRF  string      // token for the hidden input "_csrf" of every POST form
	Lang  string      // "zh-CN" or "en"; the html lang attribute
	Nav   string      // active nav item: "dashboard", "review", "hazards", "due", "audit", "admin"
	Flash string      // one-off notice shown at the top
	Today model.Date
	Path  string // current URL path and query, where the language switch returns
	// Unread is the signed-in user's count of unread notifications: the bell.
	Unread int64
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Base
	Username string
	Error    string
	Next     string      // where to go after signing in
	Demo     []DemoLogin // demo accounts, shown only in demo mode
}

// DemoLogin is a demo account listed on the login page of a demo server.
type DemoLogin struct {
	Username, Password, Role string
}

// ErrorPage shows an HTTP error to a person.
type ErrorPage struct {
	Base
	Status  int
	Message string
	// RequestID names the request in the server's log, for a support call.
	RequestID string
}

// DivisionPage is a division's coverage page: tiles, the children grid and
// the school list.
type DivisionPage struct {
	Base
	Division           model.Division   // zero Code = the national root listing provinces
	Breadcrumb         []model.Division // ancestors, top first
	AsOf               model.Date
	Verified, Reported model.Counts
	Children           []ChildRow
	Schools            SchoolList
	CanExport          bool
	Query              url.Values       // the request's query, kept by sort and history links
	Sort               GridSort         // order of Children, already applied
	Trend              Trend            // month ends up to AsOf
	Campaigns          []model.Campaign // campaigns over this division running today
}

// ChildRow is one child division in the grid.
type ChildRow struct {
	Division           model.Division
	Verified, Reported model.Counts
}

// SchoolList is a filtered, paged list of schools.
type SchoolList struct {
	Filter         SchoolFilter
	Rows           []SchoolRow
	Total          int
	Page, PageSize int
}

// SchoolFilter is the school list's filter, read from the query string.
type SchoolFilter struct {
	Query     string
	Type      model.SchoolType
	Uncovered model.Measure // "" any, a measure key, or "all_five"
	Gap       model.GapKind // "" any, or why the school is not covered on Uncovered
	Due       bool
	Basis     model.Basis
	Page      int
}

// SchoolRow is one school in a list.
type SchoolRow struct {
	School         model.School
	DivisionName   string
	Status         model.SchoolStatus // on Filter.Basis
	Due            bool
	OverdueHazards int // hazards past their deadline, not closed
}

// SchoolPage is one school's page.
type SchoolPage struct {
	Base
	School                      model.School
	Breadcrumb                  []model.Division // province..county
	Verified, Reported          model.SchoolStatus
	Checklists                  []model.Checklist // newest first
	Hazards                     []model.Hazard    // open ones
	CanFill, CanReview, CanEdit bool
	Inspections                 []model.Inspection // latest first
	CanInspect                  bool               // may raise hazards and record inspections here
	Registers                   RegisterSummary    // the guard register's figures and conflicts
}

// ChecklistFormPage is the form to fill in or correct a checklist.
type ChecklistFormPage struct {
	Base
	School       model.School
	ChecklistID  int64  // 0 = new
	Action       string // form action URL
	PreviewURL   string
	Values       map[string]string // raw values as typed: "checked_on", "notes", "<measure>.<fact>"
	Errors       model.FieldErrors // same keys; Field "" = form-level
	Preview      [5]model.Result
	ReturnReason string // non-empty when correcting a returned checklist
}

// ChecklistPage shows one checklist and, to reviewers, the review forms.
type ChecklistPage struct {
	Base
	School             model.School
	Checklist          model.Checklist
	Results            [5]model.Result
	ExpiresOn          model.Date
	CanReview, CanEdit bool
	ReturnError        string // why the return form was refused
	ReturnValue        string // the reason as typed
	CorrectURL         string // for a returned checklist: the form that starts its correction
	Evidence           EvidenceBlock
	Conflict           string               // another reviewer acted first: what happened
	RegisterDiffs      []model.RegisterDiff // facts that differ from the school's registers on the check date
}

// ReviewPage is the inspector's queue of submitted checklists.
type ReviewPage struct {
	Base
	Rows   []ReviewRow
	Filter ReviewFilter
	Total  int
	Shown  int        // after the Failing filter, before paging
	Page   int        // 1-based
	Query  url.Values // the filter as a query string
	Capped bool       // more are waiting than the queue reads at once

	Divisions DivisionPicker // the division filter
	List      ListBar
}

// ReviewRow is one checklist waiting for review.
type ReviewRow struct {
	Checklist    model.Checklist
	School       model.School
	DivisionName string
	Results      [5]model.Result
}

// ReviewFilter narrows the review queue.
type ReviewFilter struct {
	Division string
	Type     model.SchoolType
	Failing  model.Measure
}

// HazardsPage lists hazards (隐患) in the user's scope.
type HazardsPage struct {
	Base
	Rows     []HazardRow
	Total    int
	Filter   HazardFilter
	PageSize int
	Query    url.Values // the filter as a query string, for pagination

	Divisions DivisionPicker // the division filter
	List      ListBar
}

// HazardRow is one hazard with its school.
type HazardRow struct {
	Hazard       model.Hazard
	School       model.School
	DivisionName string
}

// AdminSchoolsPage is the administrators' school list.
type AdminSchoolsPage struct {
	Base
	Query                 string
	Rows                  []SchoolRow
	Total, Page, PageSize int
}

// SchoolFormPage creates or edits a school.
type SchoolFormPage struct {
	Base
	IsNew    bool
	Code     string            // existing code when editing
	Values   map[string]string // code,name,type,division_code,address,students,boarders,police_station,ownership
	Errors   model.FieldErrors
	Counties []model.Division // offered for division_code
	Active   bool
}

// ImportPage uploads a schools file.
type ImportPage struct {
	Base
	Result *ImportResult
}

// ImportResult reports one import or dry run.
type ImportResult struct {
	FileName         string
	DryRun           bool
	Created, Updated int
	Errors           []string // "line N: reason" each
}

// UsersPage lists the users.
type UsersPage struct {
	Base
	Users []model.User
}

// UserFormPage creates a user.
type UserFormPage struct {
	Base
	Values map[string]string // username,role,scope,password,language
	Errors model.FieldErrors

	Divisions []model.Division // suggested for scope
}
