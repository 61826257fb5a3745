package web

import (
	"context"
	"strconv"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

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

// RuleValues are a rule set's parameters as form values.
func RuleValues(rs model.RuleSet) map[string]string {
	out := map[string]string{}
	for _, f := range ruleFields {
		out[f] = ruleValue(rs, f)
	}
	return out
}

// ruleValue is one parameter of a rule set as text.
func ruleValue(rs model.RuleSet, field string) string {
	g := rs.Guards
	v := map[string]int{
		"validity_days": rs.ValidityDays, "alarm_test_days": rs.AlarmTestDays, "min_retention_days": rs.MinRetentionDays,
		"guards.small_below": g.SmallBelow, "guards.small_guards": g.SmallGuards, "guards.medium_guards": g.MediumGuards,
		"guards.large_from": g.LargeFrom, "guards.large_guards": g.LargeGuards, "guards.large_step": g.LargeStep,
		"guards.boarders_per_guard": g.BoardersPerGuard,
	}
	return strconv.Itoa(v[field])
}

// RuleFields are the names of the rule set's parameters in forms.
func RuleFields() []string { return ruleFields }

// ruleSummary is the parameters in one line.
func ruleSummary(ctx context.Context, rs model.RuleSet) string {
	return i18n.T(ctx, "rules.summary_line", map[string]any{"Validity": rs.ValidityDays, "Alarm": rs.AlarmTestDays,
		"Retention": rs.MinRetentionDays, "Small": rs.Guards.SmallBelow, "Large": rs.Guards.LargeFrom, "Step": rs.Guards.LargeStep,
		"Boarders": rs.Guards.BoardersPerGuard})
}

// effectiveText is the day a rule set took effect; the built-in default
// has always been in force.
func effectiveText(ctx context.Context, d model.Date) string {
	if d <= 0 {
		return i18n.T(ctx, "rules.from_start")
	}
	return d.String()
}
