package web

import (
	"strconv"
	"strings"

	"safecampus/internal/model"
)

// EscortPostsURL lists a division's escort posts (护学岗).
func EscortPostsURL(code string) string { return DivisionURL(code) + "/escort-posts" }

// EscortPresenceURL is a division's police presence page.
func EscortPresenceURL(code string) string { return DivisionURL(code) + "/escort-presence" }

// CheckInURL is the check-in screen of a post.
func CheckInURL(id int64) string { return "/escort-posts/" + strconv.FormatInt(id, 10) + "/check-in" }

// CheckInsURL is where the check-in form posts.
func CheckInsURL(id int64) string { return "/escort-posts/" + strconv.FormatInt(id, 10) + "/check-ins" }

// CalendarURL is the admins' page of holidays and make-up school days.
func CalendarURL() string { return "/admin/calendar" }

// EscortPostsPage lists a division's posts and, for inspectors and
// admins, sets up a new one.
type EscortPostsPage struct {
	Base
	Division   model.Division
	Breadcrumb []model.Division
	Posts      []model.EscortPost
	CanRun     bool              // may set up posts
	Values     map[string]string // the form as typed: division_code, name, schools
	Errors     model.FieldErrors
}

// CheckInPage is the check-in screen of one post: two taps on a phone.
type CheckInPage struct {
	Base
	Post    model.EscortPost
	Values  map[string]string // session, police_officers, staff
	Errors  model.FieldErrors
	Recent  []model.CheckIn
	Session model.Session // preselected by the time of day
}

// PresencePage is a division's police presence over a period, its
// children's and the missed sessions.
type PresencePage struct {
	Base
	Division   model.Division
	Breadcrumb []model.Division
	From, To   model.Date
	Total      model.Presence
	Children   []model.Presence
	Missed     []model.MissedSession
	MoreMissed bool // the list was cut at its limit
}

// CalendarPage lists the deployment calendar and edits it.
type CalendarPage struct {
	Base
	Days   []model.CalendarDay
	Values map[string]string // day, kind, note
	Errors model.FieldErrors
}

// schoolList joins school codes for display.
func schoolList(codes []string) string { return strings.Join(codes, ", ") }
