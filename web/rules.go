package web

import (
	"context"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// RulesPage shows the national default and each division's profile, which
// rules apply to a chosen division and where they come from, and the form
// for a new version of that division's rules with its guard table.
type RulesPage struct {
	Base
	Division    model.Division   // the chosen division; zero Code = the national default
	Divisions   []model.Division // every division, for the select
	InForce     model.RuleSet    // the rules judging the chosen division's schools today
	SourceName  string           // the division they come from; "" = the national default
	Profiles    []RuleProfile    // the national default first
	Versions    []RuleVersion    // latest effective first
	Values      map[string]string
	Errors      model.FieldErrors
	Examples    []GuardExample // the guard table of InForce, or of the previewed parameters
	Previewing  bool           // Examples come from the parameters in the form
	OfferV2     bool           // the rules in force count all students (v1): offer the v2 defaults
	V2Date      string         // the date field of the v2 form
	V2DateError string
}

// RuleProfile is the national default or one division's own rules.
type RuleProfile struct {
	DivisionCode string // "" = the national default
	DivisionName string
	Current      *model.RuleSet // in force today; nil when only scheduled
	Next         *model.RuleSet // the next scheduled version
}

// RuleVersion is one stored version.
type RuleVersion struct {
	ID           int64
	RuleSet      model.RuleSet
	DivisionName string // "" = the national default
	CreatedBy    string
	CreatedAt    time.Time
	Future       bool // not yet in effect; may be cancelled
	Current      bool // in force today for its division
}

// GuardExample is the guard requirement for one enrolment.
type GuardExample struct {
	Students, Boarders, Guards int
}

// GuardTable is the guard requirement of a rule set at the band edges,
// with and without boarders.
func GuardTable(rs model.RuleSet) []GuardExample {
	var out []GuardExample
	for _, e := range [][2]int{{50, 0}, {99, 0}, {100, 0}, {999, 0}, {1000, 0}, {1499, 0}, {1500, 0}, {2400, 0},
		{800, 200}, {1200, 400}, {2000, 600}} {
		out = append(out, GuardExample{Students: e[0], Boarders: e[1], Guards: rs.Guards.Required(e[0], e[1])})
	}
	return out
}

// RuleValues are a rule set's parameters as form values.
func RuleValues(rs model.RuleSet) map[string]string {
	out := map[string]string{}
	for _, f := range model.RuleParamNames {
		out[f] = rs.Param(f)
	}
	return out
}

// ruleParamText is one parameter for people.
func ruleParamText(ctx context.Context, rs model.RuleSet, name string) string {
	switch name {
	case "guard_basis", "anti_ramming_required":
		return i18n.T(ctx, "rules.value."+rs.Param(name))
	}
	return rs.Param(name)
}

// intParam reports whether a parameter is a whole number.
func intParam(name string) bool { return name != "guard_basis" && name != "anti_ramming_required" }

// ruleSummary is the parameters in one line.
func ruleSummary(ctx context.Context, rs model.RuleSet) string {
	return i18n.T(ctx, "rules.summary_line", map[string]any{"Validity": rs.ValidityDays, "Alarm": rs.AlarmTestDays,
		"Retention": rs.MinRetentionDays, "Small": rs.Guards.SmallBelow, "Large": rs.Guards.LargeFrom, "Step": rs.Guards.LargeStep,
		"Boarders": rs.Guards.BoardersPerGuard, "GSmall": rs.Guards.SmallGuards, "GMiddle": rs.Guards.MediumGuards,
		"GLarge": rs.Guards.LargeGuards, "Basis": i18n.T(ctx, "rules.value."+string(rs.Guards.Basis)),
		"AntiRamming": i18n.T(ctx, "rules.value."+rs.Param("anti_ramming_required"))})
}

// ruleSourceText says where a division's rules come from.
func ruleSourceText(ctx context.Context, p RulesPage) string {
	if p.SourceName == "" {
		return i18n.T(ctx, "rules.source_national")
	}
	return i18n.T(ctx, "rules.source_profile", map[string]any{"Division": p.SourceName})
}

// divisionLabel names a division in the select, indented by level.
func divisionLabel(d model.Division) string {
	switch d.Level {
	case model.LevelPrefecture:
		return "\u00a0\u00a0" + d.Name + " (" + d.Code + ")"
	case model.LevelCounty:
		return "\u00a0\u00a0\u00a0\u00a0" + d.Name + " (" + d.Code + ")"
	}
	return d.Name + " (" + d.Code + ")"
}

// profileName is a profile's division, or the national default.
func profileName(ctx context.Context, name string) string {
	if name == "" {
		return i18n.T(ctx, "rules.national")
	}
	return name
}

// rulesURL is the rules page for a division ("" = the national default).
func rulesURL(code string) string {
	if code == "" {
		return "/admin/rules"
	}
	return "/admin/rules?division=" + code
}

// ruleChoices are the values of a parameter that is not a number.
func ruleChoices(name string) []string {
	if name == "guard_basis" {
		return []string{string(model.GuardBasisNonBoarders), string(model.GuardBasisAllStudents)}
	}
	return []string{"true", "false"}
}

// profileKey names a profile in test ids.
func profileKey(code string) string {
	if code == "" {
		return "national"
	}
	return code
}

// schoolRulesText names the rule set that judged the school's status and
// where it comes from (one of the divisions on the breadcrumb, or the
// national default).
func schoolRulesText(ctx context.Context, p SchoolPage) string {
	ref := p.Verified.Rules
	from := i18n.T(ctx, "rules.national")
	for _, d := range p.Breadcrumb {
		if d.Code == ref.DivisionCode && ref.DivisionCode != "" {
			from = d.Name
		}
	}
	return i18n.T(ctx, "rules.judged_by", map[string]any{"Version": ref.Version, "From": from})
}

// effectiveText is the day a rule set took effect; the built-in default
// has always been in force.
func effectiveText(ctx context.Context, d model.Date) string {
	if d <= 0 {
		return i18n.T(ctx, "rules.from_start")
	}
	return d.String()
}
