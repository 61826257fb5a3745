package model

import "fmt"

// RuleSet is a named, versioned set of thresholds from which compliance is
// derived. Administrators edit the parameters; the rules themselves are code.
type RuleSet struct {
	Name             string    `json:"name"`
	Version          int       `json:"version"`
	EffectiveFrom    Date      `json:"effective_from"`
	ValidityDays     int       `json:"validity_days"`      // a check on day D counts through D+ValidityDays
	AlarmTestDays    int       `json:"alarm_test_days"`    // the alarm test must be at most this old on the check date
	MinRetentionDays int       `json:"min_retention_days"` // video kept at least this long
	Guards           GuardRule `json:"guards"`
}

// GuardRule is the guard requirement by enrolment, after the GB/T 29315-2022
// summaries. The 100–999 band is our assumption.
type GuardRule struct {
	SmallBelow       int `json:"small_below"`        // fewer students than this: SmallGuards
	SmallGuards      int `json:"small_guards"`       // also the minimum for 0 students
	LargeFrom        int `json:"large_from"`         // from this many students: LargeGuards + steps
	MediumGuards     int `json:"medium_guards"`      // between SmallBelow and LargeFrom
	LargeGuards      int `json:"large_guards"`       // at LargeFrom students
	LargeStep        int `json:"large_step"`         // one more guard per this many students over LargeFrom
	BoardersPerGuard int `json:"boarders_per_guard"` // one more guard per this many boarders; 0 = none
}

// DefaultRuleSet is rule set v1 as the specification states it.
func DefaultRuleSet() RuleSet {
	return RuleSet{
		Name:             "default",
		Version:          1,
		ValidityDays:     180,
		AlarmTestDays:    90,
		MinRetentionDays: 30,
		Guards: GuardRule{
			SmallBelow: 100, SmallGuards: 1,
			MediumGuards: 2,
			LargeFrom:    1000, LargeGuards: 3, LargeStep: 500,
			BoardersPerGuard: 200,
		},
	}
}

// Required is the number of full-time guards a school needs.
func (g GuardRule) Required(students, boarders int) int {
	var n int
	switch {
	case students < g.SmallBelow:
		n = g.SmallGuards
	case students < g.LargeFrom:
		n = g.MediumGuards
	default:
		n = g.LargeGuards
		if g.LargeStep > 0 {
			n += (students - g.LargeFrom) / g.LargeStep
		}
	}
	if g.BoardersPerGuard > 0 {
		n += boarders / g.BoardersPerGuard
	}
	return n
}

// Validate checks that the parameters make sense together.
func (r RuleSet) Validate() FieldErrors {
	var errs FieldErrors
	pos := func(field string, v, lo int) {
		if v < lo {
			errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf("%s must be at least %d", field, lo)})
		}
	}
	pos("validity_days", r.ValidityDays, 1)
	pos("alarm_test_days", r.AlarmTestDays, 0)
	pos("min_retention_days", r.MinRetentionDays, 0)
	g := r.Guards
	pos("guards.small_below", g.SmallBelow, 0)
	pos("guards.small_guards", g.SmallGuards, 0)
	pos("guards.medium_guards", g.MediumGuards, 0)
	pos("guards.large_guards", g.LargeGuards, 0)
	pos("guards.large_step", g.LargeStep, 1)
	pos("guards.boarders_per_guard", g.BoardersPerGuard, 0)
	if g.LargeFrom < g.SmallBelow {
		errs = append(errs, FieldError{Field: "guards.large_from", Message: "guards.large_from must not be below guards.small_below"})
	}
	return errs
}
