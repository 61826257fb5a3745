package model

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
)

// RuleChange is an administrator's new rule set version: for a division
// ("" = the national default), from a day, with the parameters to change
// under their API names (the rest inherited).
type RuleChange struct {
	DivisionCode  string
	EffectiveFrom Date
	Params        map[string]json.RawMessage
}

// ruleParam is one rule parameter as the API and the forms name it.
type ruleParam struct {
	name string
	min  int                 // the least allowed value of an integer; -1 for the two others
	int  func(*RuleSet) *int // nil for guard_basis and anti_ramming_required
}

// ruleParams lists the parameters in the order pages show them.
var ruleParams = []ruleParam{
	{"validity_days", 1, func(r *RuleSet) *int { return &r.ValidityDays }},
	{"alarm_test_days", 0, func(r *RuleSet) *int { return &r.AlarmTestDays }},
	{"min_retention_days", 0, func(r *RuleSet) *int { return &r.MinRetentionDays }},
	{"guard_basis", -1, nil},
	{"small_school_below", 0, func(r *RuleSet) *int { return &r.Guards.SmallBelow }},
	{"guards_small", 0, func(r *RuleSet) *int { return &r.Guards.SmallGuards }},
	{"guards_middle", 0, func(r *RuleSet) *int { return &r.Guards.MediumGuards }},
	{"large_school_from", 0, func(r *RuleSet) *int { return &r.Guards.LargeFrom }},
	{"guards_large", 0, func(r *RuleSet) *int { return &r.Guards.LargeGuards }},
	{"students_per_extra_guard", 1, func(r *RuleSet) *int { return &r.Guards.LargeStep }},
	{"boarders_per_guard", 0, func(r *RuleSet) *int { return &r.Guards.BoardersPerGuard }},
	{"anti_ramming_required", -1, nil},
	{"drill_interval_days", 1, func(r *RuleSet) *int { return &r.DrillIntervalDays }},
	{"kindergarten_drill_interval_days", 1, func(r *RuleSet) *int { return &r.KindergartenDrillIntervalDays }},
}

// RuleParamNames are the rule parameters' API names in display order.
var RuleParamNames = func() []string {
	out := make([]string, len(ruleParams))
	for i, p := range ruleParams {
		out[i] = p.name
	}
	return out
}()

// Param returns one parameter as text ("" for an unknown name).
func (r RuleSet) Param(name string) string {
	switch name {
	case "guard_basis":
		return string(r.Guards.Basis)
	case "anti_ramming_required":
		return strconv.FormatBool(r.AntiRammingRequired)
	}
	for _, p := range ruleParams {
		if p.name == name {
			return strconv.Itoa(*p.int(&r))
		}
	}
	return ""
}

// Params returns every parameter under its API name.
func (r RuleSet) Params() map[string]any {
	out := make(map[string]any, len(ruleParams))
	for _, p := range ruleParams {
		if p.int != nil {
			out[p.name] = *p.int(&r)
		}
	}
	out["guard_basis"] = r.Guards.Basis
	out["anti_ramming_required"] = r.AntiRammingRequired
	return out
}

// RawParams returns every parameter encoded, as WithParams takes them.
func (r RuleSet) RawParams() map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range r.Params() {
		out[k], _ = json.Marshal(v)
	}
	return out
}

// WithParams returns r with the given parameters replaced: a partial set
// keeps r's values for the rest. Every bad parameter is named: an unknown
// key, a value of the wrong kind, a number below its minimum, a large-school
// band below the small one.
func (r RuleSet) WithParams(params map[string]json.RawMessage) (RuleSet, FieldErrors) {
	var errs FieldErrors
	bad := map[string]bool{}
	fail := func(name, msg string) {
		errs = append(errs, FieldError{Field: name, Message: msg})
		bad[name] = true
	}
	known := map[string]ruleParam{}
	for _, p := range ruleParams {
		known[p.name] = p
	}
	for _, name := range sortedKeys(params) {
		raw := bytes.TrimSpace(params[name])
		p, ok := known[name]
		switch {
		case !ok:
			fail(name, "unknown parameter")
		case name == "guard_basis":
			var s string
			if json.Unmarshal(raw, &s) != nil || !GuardBasis(s).Valid() {
				fail(name, "must be non_boarders or all_students")
				continue
			}
			r.Guards.Basis = GuardBasis(s)
		case name == "anti_ramming_required":
			var b bool
			if json.Unmarshal(raw, &b) != nil {
				fail(name, "must be true or false")
				continue
			}
			r.AntiRammingRequired = b
		default:
			var n int
			if json.Unmarshal(raw, &n) != nil {
				fail(name, "must be a whole number")
				continue
			}
			*p.int(&r) = n
		}
	}
	for _, e := range r.Validate() {
		if !bad[e.Field] {
			errs = append(errs, e)
		}
	}
	return r, errs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// V2Defaults are the parameters an administrator adopts with "adopt the
// v2 defaults": the guard formula of rule set v2 and the anti-ramming
// requirement. The day counts stay as they were.
func V2Defaults() map[string]json.RawMessage {
	all := DefaultRuleSet().RawParams()
	for _, k := range []string{"validity_days", "alarm_test_days", "min_retention_days", "drill_interval_days", "kindergarten_drill_interval_days"} {
		delete(all, k)
	}
	return all
}
