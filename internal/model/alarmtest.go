package model

import "time"

// AlarmTest is one logged test of a school's one-button alarm (一键式紧急报警).
type AlarmTest struct {
	ID              int64
	SchoolID        int64
	TestedOn        Date
	OK              bool
	PoliceNotified  bool // the police were told in advance
	ResponseMinutes *int // how long the police took to answer; nil = not measured
	CreatedBy       string
	CreatedAt       time.Time
}

// AlarmTestInput is a test as entered.
type AlarmTestInput struct {
	TestedOn        Date
	OK              bool
	PoliceNotified  bool
	ResponseMinutes *int
}

// maxResponseMinutes bounds the police response time: a day.
const maxResponseMinutes = 24 * 60

// Validate checks a test against today: a real day, not in the future, and
// a response time from 0 to a day. Field names are the API's.
func (in AlarmTestInput) Validate(today Date) FieldErrors {
	var errs FieldErrors
	if e := RequiredPastDateError("tested_on", in.TestedOn, today); e != nil {
		errs = append(errs, *e)
	}
	if m := in.ResponseMinutes; m != nil && (*m < 0 || *m > maxResponseMinutes) {
		errs = append(errs, NewFieldError("response_minutes", "bad_minutes", map[string]any{"Max": maxResponseMinutes},
			"response_minutes %d is not from 0 to %d", *m, maxResponseMinutes))
	}
	return errs
}

// RegisterFacts are what a school's registers say on a day: the figures a
// checklist's facts should match and a new checklist starts from.
type RegisterFacts struct {
	Guards    GuardCount
	AlarmTest *AlarmTest // the newest test on or before the day; nil = none logged
}

// Facts are the checklist facts the registers give, the rest unanswered.
func (r RegisterFacts) Facts() Facts {
	var f Facts
	if r.Guards.Kept {
		f.SecurityGuards = SecurityGuardsFacts{FullTimeGuards: &r.Guards.FullTime, LicensedGuards: &r.Guards.Licensed}
	}
	if t := r.AlarmTest; t != nil {
		f.OneButtonAlarm.LastTestOn, f.OneButtonAlarm.LastTestOK = &t.TestedOn, &t.OK
	}
	return f
}

// Prefill puts the registers' figures into a checklist form's values
// ("<measure>.<fact>"), over what was there.
func (r RegisterFacts) Prefill(values map[string]string) {
	for k, v := range r.Facts().FormValues() {
		values[k] = v
	}
}

// Differences lists the checklist's facts that differ from the registers',
// in the fact table's order; values are as the form shows them.
func (r RegisterFacts) Differences(checklist Facts) []RegisterDiff {
	want := r.Facts()
	var out []RegisterDiff
	for _, f := range FactTable {
		reg := f.FormValue(want)
		if got := f.FormValue(checklist); reg != "" && got != reg {
			out = append(out, RegisterDiff{Fact: f.Key, Checklist: got, Register: reg})
		}
	}
	return out
}
