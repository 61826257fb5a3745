package model

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Resident ID numbers (居民身份证号码, GB 11643-1999): 17 digits and a check
// character, a digit or X. The whole number is personal data: the product
// keeps only a keyed hash of it (duplicate detection) and the masked form.

// residentIDWeights are the weights of the first 17 digits, 2^(17-i) mod 11.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDChecks maps the weighted sum mod 11 to the check character.
const residentIDChecks = "10X98765432"

// NormalizeResidentID trims the number and upper-cases a final x.
func NormalizeResidentID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ResidentIDError says what is wrong with a resident ID number, never
// quoting it; nil when it is well formed and its check character matches.
// The number is taken as NormalizeResidentID gives it.
func ResidentIDError(field, id string) *FieldError {
	bad := func(key, msg string) *FieldError {
		e := NewFieldError(field, key, nil, "%s", msg)
		return &e
	}
	if id == "" {
		return bad("required", "the resident ID number is required")
	}
	if len(id) != 18 {
		return bad("resident_id_shape", "a resident ID number has 18 characters: 17 digits and a digit or X")
	}
	check, ok := ResidentIDCheck(id[:17])
	if last := id[17]; !ok || (last != 'X' && (last < '0' || last > '9')) {
		return bad("resident_id_shape", "a resident ID number has 18 characters: 17 digits and a digit or X")
	}
	if id[17] != check {
		return bad("resident_id_check", "the resident ID number's check character does not match (a mistyped digit?)")
	}
	return nil
}

// ResidentIDCheck is the check character of the first 17 characters of a
// resident ID number; ok is false unless they are 17 digits.
func ResidentIDCheck(first17 string) (check byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * residentIDWeights[i]
	}
	return residentIDChecks[sum%11], true
}

// MaskResidentID is the only form of the number shown after entry: the
// first 6 characters (the region of issue) and the last 4.
func MaskResidentID(id string) string {
	if len(id) < 10 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-10) + id[len(id)-4:]
}

// Guard is one entry of a school's guard register (保安员).
type Guard struct {
	ID        int64
	SchoolID  int64
	Name      string
	IDMasked  string // first 6 + last 4 of the resident ID number
	LicenceNo string // 保安员证; "" = not licensed
	Employer  string
	HiredOn   Date
	TrainedOn Date // 0 = not recorded
	LeftOn    Date // the first day no longer working there; 0 = still there
	CreatedAt time.Time
	// Conflict: the licence number is also active at another school
	// (ConflictSchools names them, by code).
	Conflict        bool
	ConflictSchools []string
}

// ActiveOn reports whether the guard works at the school on day d.
func (g Guard) ActiveOn(d Date) bool {
	return g.HiredOn <= d && (g.LeftOn == 0 || g.LeftOn > d)
}

// GuardInput is a guard as entered, with the whole ID number.
type GuardInput struct {
	Name      string
	IDNumber  string
	LicenceNo string
	Employer  string
	HiredOn   Date
	TrainedOn Date // 0 = not given
}

// maxGuardText bounds the register's text fields, in characters.
const maxGuardText = 100

// Normalize trims the fields and normalizes the ID number.
func (in GuardInput) Normalize() GuardInput {
	in.Name = strings.TrimSpace(in.Name)
	in.IDNumber = NormalizeResidentID(in.IDNumber)
	in.LicenceNo = strings.TrimSpace(in.LicenceNo)
	in.Employer = strings.TrimSpace(in.Employer)
	return in
}

// Validate checks a normalized entry against today. Field names are the
// API's: name, id_number, licence_no, employer, hired_on, trained_on.
// No message quotes the ID number.
func (in GuardInput) Validate(today Date) FieldErrors {
	var errs FieldErrors
	text := func(field, v string, required bool) {
		switch {
		case v == "" && required:
			errs = append(errs, NewFieldError(field, "required", nil, "%s is required", field))
		case utf8.RuneCountInString(v) > maxGuardText:
			errs = append(errs, NewFieldError(field, "too_long", map[string]any{"Max": maxGuardText}, "%s is longer than %d characters", field, maxGuardText))
		}
	}
	text("name", in.Name, true)
	if e := ResidentIDError("id_number", in.IDNumber); e != nil {
		errs = append(errs, *e)
	}
	text("licence_no", in.LicenceNo, false)
	text("employer", in.Employer, false)
	if e := RequiredPastDateError("hired_on", in.HiredOn, today); e != nil {
		errs = append(errs, *e)
	}
	if in.TrainedOn != 0 {
		if e := PastDateError("trained_on", in.TrainedOn, today); e != nil {
			errs = append(errs, *e)
		}
	}
	return errs
}

// PastDateError refuses a day in the future or outside the real days; nil
// when d is a real day not after today. Records of what happened (a hiring,
// a test, a drill) use it.
func PastDateError(field string, d, today Date) *FieldError {
	if d > today {
		e := NewFieldError(field, "future_date", map[string]any{"Date": d.String()}, "%s %s is in the future", field, d)
		return &e
	}
	return RealDateError(field, d, today)
}

// RequiredPastDateError is PastDateError for a day that must be given.
func RequiredPastDateError(field string, d, today Date) *FieldError {
	if d == 0 {
		e := NewFieldError(field, "required", nil, "%s is required", field)
		return &e
	}
	return PastDateError(field, d, today)
}

// LeaveDateError checks the day a guard leaves: not before the hiring day
// and a real day.
func (g Guard) LeaveDateError(field string, leftOn, today Date) *FieldError {
	if leftOn == 0 {
		e := NewFieldError(field, "required", nil, "%s is required", field)
		return &e
	}
	if leftOn < g.HiredOn {
		e := NewFieldError(field, "left_before_hired", map[string]any{"Date": leftOn.String(), "Hired": g.HiredOn.String()},
			"%s %s is before the hiring day %s", field, leftOn, g.HiredOn)
		return &e
	}
	return RealDateError(field, leftOn, today)
}

// GuardCount is what the register says about a school's guards on a day:
// the figures the checklist's security_guards facts should match.
type GuardCount struct {
	Kept     bool // the school keeps a register (it has at least one entry)
	FullTime int  // active guards
	Licensed int  // active guards with a licence number
}

// CountGuards counts the guards active on day d.
func CountGuards(guards []Guard, d Date) GuardCount {
	c := GuardCount{Kept: len(guards) > 0}
	for _, g := range guards {
		if g.ActiveOn(d) {
			c.FullTime++
			if g.LicenceNo != "" {
				c.Licensed++
			}
		}
	}
	return c
}

// GuardConflict is a licence number active at two or more schools.
type GuardConflict struct {
	LicenceNo string
	Guards    []GuardAt // one per school where it is active
}

// GuardAt is a register entry with its school, for the conflicts list.
type GuardAt struct {
	Guard      Guard
	SchoolCode string
	SchoolName string
}

// RegisterDiff is a checklist fact whose value differs from the register's.
type RegisterDiff struct {
	Fact      string // "<measure>.<fact>"
	Checklist string // the value the checklist gives ("" = not answered)
	Register  string // the value the register gives
}

// GuardLine is a guard read from an import file and the line it came from.
type GuardLine struct {
	Line  int
	Guard GuardInput
}
