package model

import "time"

// Session is the half of a school day an escort post (护学岗) is staffed:
// arrival (am) or dismissal (pm).
type Session string

// The two sessions of a school day.
const (
	SessionAM Session = "am"
	SessionPM Session = "pm"
)

// Sessions lists the sessions in the order of the day.
var Sessions = []Session{SessionAM, SessionPM}

// Valid reports whether s is am or pm.
func (s Session) Valid() bool { return s == SessionAM || s == SessionPM }

// SessionAt is the session a check-in made at hour h (local) is for:
// before noon the arrival, after it the dismissal.
func SessionAt(h int) Session {
	if h < 12 {
		return SessionAM
	}
	return SessionPM
}

// EscortPost is a 护学岗 of a county serving one or more schools.
type EscortPost struct {
	ID           int64
	DivisionCode string
	Name         string
	Schools      []string // codes of the schools served
	CreatedAt    time.Time
}

// EscortPostInput is a post as entered. Field names are the API's.
type EscortPostInput struct {
	DivisionCode string
	Name         string
	Schools      []string
}

// maxPostName bounds a post's name.
const maxPostName = 100

// Validate checks the shape of a post; the store checks the division
// and the schools.
func (in EscortPostInput) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case in.Name == "":
		errs = append(errs, NewFieldError("name", "required", nil, "name is required"))
	case len([]rune(in.Name)) > maxPostName:
		errs = append(errs, NewFieldError("name", "too_long", map[string]any{"Max": maxPostName}, "name is longer than %d characters", maxPostName))
	}
	if len(in.Schools) == 0 {
		errs = append(errs, NewFieldError("schools", "required", nil, "schools: at least one school is required"))
	}
	return errs
}

// CheckIn is who was present at a post in one session of a day.
type CheckIn struct {
	ID             int64
	PostID         int64
	Day            Date
	Session        Session
	PoliceOfficers int
	Staff          int
	CreatedBy      string
	CreatedAt      time.Time
}

// CheckInInput is a check-in as entered.
type CheckInInput struct {
	Session        Session
	PoliceOfficers int
	Staff          int
}

// maxPresent bounds the people counted at a post.
const maxPresent = 1000

// Validate checks a check-in. Field names are the API's.
func (in CheckInInput) Validate() FieldErrors {
	var errs FieldErrors
	if !in.Session.Valid() {
		errs = append(errs, NewFieldError("session", "bad_choice", map[string]any{"Value": string(in.Session)},
			"session %q is not am or pm", in.Session))
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"police_officers", in.PoliceOfficers}, {"staff", in.Staff}} {
		if f.n < 0 || f.n > maxPresent {
			errs = append(errs, NewFieldError(f.name, "bad_count", map[string]any{"Max": maxPresent}, "%s %d is not from 0 to %d", f.name, f.n, maxPresent))
		}
	}
	return errs
}

// CalendarDay is a deployment calendar entry: a weekday that is a holiday
// (SchoolDay false) or a weekend day that is a make-up school day (true).
type CalendarDay struct {
	Day       Date
	SchoolDay bool
	Note      string
}

// IsSchoolDay reports whether d is a school day: Monday to Friday unless
// the calendar (day → school day) says otherwise.
func IsSchoolDay(d Date, calendar map[Date]bool) bool {
	if v, ok := calendar[d]; ok {
		return v
	}
	wd := d.Time(time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Presence is police presence (见警率) at the escort posts of a division
// over a period: Sessions = posts × school days × 2, of which
// WithPolice had a check-in with at least one police officer.
type Presence struct {
	Division   Division
	Posts      int
	Sessions   int
	WithPolice int
}

// Percent is the share of sessions with police, one decimal rounded down.
func (p Presence) Percent() Percent { return PercentOf(p.WithPolice, p.Sessions) }

// MissedSession is a school-day session of a post without police.
type MissedSession struct {
	PostID   int64
	PostName string
	Day      Date
	Session  Session
	Staff    int  // staff at a check-in without police
	Checked  bool // a check-in exists (staff only)
}
