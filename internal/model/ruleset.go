package model

import (
	"encoding/json"
	"fmt"
)

// RuleSet is a named, versioned set of thresholds from which compliance is
// derived. Administrators edit the parameters; the rules themselves are code.
// A version belongs to a division (a rule profile) or to none (the
// national default); see RuleBook for which one judges a school.
type RuleSet struct {
	ID                  int64     `json:"-"`
	DivisionCode        string    `json:"-"` // "" = the national default
	Name                string    `json:"name"`
	Version             int       `json:"version"`
	EffectiveFrom       Date      `json:"effective_from"`
	ValidityDays        int       `json:"validity_days"`      // a check on day D counts through D+ValidityDays
	AlarmTestDays       int       `json:"alarm_test_days"`    // the alarm test must be at most this old on the check date
	MinRetentionDays    int       `json:"min_retention_days"` // video kept at least this long
	AntiRammingRequired bool      `json:"anti_ramming_required"`
	Guards              GuardRule `json:"guards"`
	// DrillIntervalDays: a school whose last drill is older than this is
	// due one; kindergartens have their own interval.
	DrillIntervalDays             int `json:"drill_interval_days"`
	KindergartenDrillIntervalDays int `json:"kindergarten_drill_interval_days"`
}

// GuardBasis says which students the guard bands count.
type GuardBasis string

const (
	// GuardBasisNonBoarders counts day students only (rule set v2, after
	// GB/T 29315-2022); boarders add guards through BoardersPerGuard.
	GuardBasisNonBoarders GuardBasis = "non_boarders"
	// GuardBasisAllStudents counts every student (rule set v1), so
	// boarders are counted twice when BoardersPerGuard is set.
	GuardBasisAllStudents GuardBasis = "all_students"
)

// Valid reports whether b is a known basis.
func (b GuardBasis) Valid() bool { return b == GuardBasisNonBoarders || b == GuardBasisAllStudents }

// GuardRule is the guard requirement by enrolment, after the GB/T 29315-2022
// summaries. The 100–999 band and the boarder add-on are our assumptions.
type GuardRule struct {
	Basis            GuardBasis `json:"basis"`              // which students the bands count
	SmallBelow       int        `json:"small_below"`        // fewer counted students than this: SmallGuards
	SmallGuards      int        `json:"small_guards"`       // also the minimum for 0 students
	LargeFrom        int        `json:"large_from"`         // from this many: LargeGuards + steps
	MediumGuards     int        `json:"medium_guards"`      // between SmallBelow and LargeFrom
	LargeGuards      int        `json:"large_guards"`       // at LargeFrom students
	LargeStep        int        `json:"large_step"`         // one more guard per this many students over LargeFrom
	BoardersPerGuard int        `json:"boarders_per_guard"` // one more guard per this many boarders; 0 = none
}

// DefaultRuleSet is rule set v2, the one a new database starts on.
func DefaultRuleSet() RuleSet {
	return RuleSet{
		Name:                "default",
		Version:             2,
		ValidityDays:        180,
		AlarmTestDays:       90,
		MinRetentionDays:    30,
		AntiRammingRequired: true,
		DrillIntervalDays:   defaultDrillDays, KindergartenDrillIntervalDays: defaultKindergartenDrillDays,
		Guards: GuardRule{
			Basis:      GuardBasisNonBoarders,
			SmallBelow: 100, SmallGuards: 1,
			MediumGuards: 2,
			LargeFrom:    1000, LargeGuards: 3, LargeStep: 500,
			BoardersPerGuard: 200,
		},
	}
}

// RuleSetV1 is the first rule set: all students through the bands, then
// the boarders again. Databases that hold it keep it until an
// administrator adopts the v2 defaults.
func RuleSetV1() RuleSet {
	rs := DefaultRuleSet()
	rs.Version = 1
	rs.Guards.Basis = GuardBasisAllStudents
	return rs
}

// The default drill intervals (SPEC §10); versions stored before drills
// existed take them.
const (
	defaultDrillDays             = 30
	defaultKindergartenDrillDays = 90
)

// DrillInterval is how many days may pass after a school's last drill
// before it is due another.
func (r RuleSet) DrillInterval(t SchoolType) int {
	if t == Kindergarten {
		return r.KindergartenDrillIntervalDays
	}
	return r.DrillIntervalDays
}

// DecodeRuleSet reads stored parameters. Versions stored before rule set
// v2 carry neither the guard basis nor the anti-ramming switch: they meant
// all students and a required barrier, and keep meaning it.
func DecodeRuleSet(b []byte) (RuleSet, error) {
	rs := RuleSet{AntiRammingRequired: true, Guards: GuardRule{Basis: GuardBasisAllStudents},
		DrillIntervalDays: defaultDrillDays, KindergartenDrillIntervalDays: defaultKindergartenDrillDays}
	err := json.Unmarshal(b, &rs)
	return rs, err
}

// Counted is the number of students the guard bands count.
func (g GuardRule) Counted(students, boarders int) int {
	if g.Basis == GuardBasisNonBoarders {
		return max(students-boarders, 0)
	}
	return students
}

// Required is the number of full-time guards a school needs.
func (g GuardRule) Required(students, boarders int) int {
	counted := g.Counted(students, boarders)
	var n int
	switch {
	case counted < g.SmallBelow:
		n = g.SmallGuards
	case counted < g.LargeFrom:
		n = g.MediumGuards
	default:
		n = g.LargeGuards
		if g.LargeStep > 0 {
			n += (counted - g.LargeFrom) / g.LargeStep
		}
	}
	if g.BoardersPerGuard > 0 {
		n += boarders / g.BoardersPerGuard
	}
	return n
}

// Validate checks that the parameters make sense together. Fields are
// named as the API names them (RuleParamNames).
func (r RuleSet) Validate() FieldErrors {
	var errs FieldErrors
	for _, p := range ruleParams {
		if p.min < 0 {
			continue
		}
		if v := *p.int(&r); v < p.min {
			errs = append(errs, FieldError{Field: p.name, Message: fmt.Sprintf("must be at least %d", p.min)})
		}
	}
	g := r.Guards
	if g.LargeFrom < g.SmallBelow {
		errs = append(errs, FieldError{Field: "large_school_from", Message: "must not be below small_school_below (the large-school band starts below the small one)"})
	}
	if !g.Basis.Valid() {
		errs = append(errs, FieldError{Field: "guard_basis", Message: "must be non_boarders or all_students"})
	}
	return errs
}
