package model_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// verifiedOn returns a verified checklist of goodFacts checked on d.
func verifiedOn(d model.Date) *model.Checklist {
	return &model.Checklist{ID: 42, CheckedOn: d, State: model.Verified, Facts: goodFacts(d)}
}

// allCodes returns the reason codes of each measure.
func allCodes(st model.SchoolStatus) [5][]string {
	var out [5][]string
	for i, m := range st.Measures {
		out[i] = codes(m.Reasons)
	}
	return out
}

func TestDeriveValidity(t *testing.T) {
	r := model.DefaultRuleSet()
	d := model.NewDate(2024, 3, 1)
	exp := model.NewDate(2024, 8, 28) // 2024-03-01 + 180 days
	if got := verifiedOn(d).ExpiresOn(r); got != exp {
		t.Fatalf("ExpiresOn = %s, want %s", got, exp)
	}
	if got := d.AddDays(180); got != exp {
		t.Fatalf("D+180 = %s, want %s", got, exp)
	}
	tests := []struct {
		name    string
		today   model.Date
		covered bool
	}{
		{"on the check day", d, true},
		{"the day before expiry", d.AddDays(179), true},
		{"on D+180, the last covered day", d.AddDays(180), true},
		{"on D+181", d.AddDays(181), false},
		{"a year later", d.AddDays(365), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := model.Derive(r, school500, model.BasisVerified, verifiedOn(d), nil, tt.today)
			if st.AllFive != tt.covered {
				t.Errorf("AllFive = %v, want %v", st.AllFive, tt.covered)
			}
			for _, ms := range st.Measures {
				if ms.Covered != tt.covered {
					t.Errorf("%s Covered = %v, want %v (reasons %q)", ms.Measure, ms.Covered, tt.covered, english(t, ms.Reasons...))
				}
				if ms.CheckedOn == nil || *ms.CheckedOn != d {
					t.Errorf("%s CheckedOn = %v, want %s", ms.Measure, ms.CheckedOn, d)
				}
				if ms.ExpiresOn == nil || *ms.ExpiresOn != exp {
					t.Errorf("%s ExpiresOn = %v, want %s", ms.Measure, ms.ExpiresOn, exp)
				}
				if ms.ChecklistID != 42 {
					t.Errorf("%s ChecklistID = %d, want 42", ms.Measure, ms.ChecklistID)
				}
				var want []string
				if !tt.covered {
					want = []string{model.ReasonCheckExpired}
				}
				if diff := cmp.Diff(want, codes(ms.Reasons)); diff != "" {
					t.Errorf("%s reasons (-want +got):\n%s", ms.Measure, diff)
				}
			}
			measures, allFive := st.CoveredUntil()
			for i, until := range measures {
				switch {
				case tt.covered && (until == nil || *until != exp):
					t.Errorf("CoveredUntil %s = %v, want %s", model.Measures[i], until, exp)
				case !tt.covered && until != nil:
					t.Errorf("CoveredUntil %s = %s, want nil", model.Measures[i], *until)
				}
			}
			switch {
			case tt.covered && (allFive == nil || *allFive != exp):
				t.Errorf("CoveredUntil all five = %v, want %s", allFive, exp)
			case !tt.covered && allFive != nil:
				t.Errorf("CoveredUntil all five = %s, want nil", *allFive)
			}
		})
	}
}

func TestDeriveExpiredReasonText(t *testing.T) {
	d := model.NewDate(2024, 3, 1)
	st := model.Derive(model.DefaultRuleSet(), school500, model.BasisVerified, verifiedOn(d), nil, d.AddDays(181))
	want := "check of 2024-03-01 expired on 2024-08-28"
	if got := english(t, st.Measures[0].Reasons...); got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
}

func TestDeriveInactiveSchool(t *testing.T) {
	d := model.NewDate(2024, 3, 1)
	closed := school500
	closed.Active = false
	for _, latest := range []*model.Checklist{verifiedOn(d), nil} {
		st := model.Derive(model.DefaultRuleSet(), closed, model.BasisVerified, latest, map[model.Measure]int64{model.NursingPost: 3}, d)
		if st.AllFive {
			t.Errorf("latest %v: AllFive = true, want false", latest != nil)
		}
		for _, ms := range st.Measures {
			if ms.Covered {
				t.Errorf("latest %v: %s covered, want not covered", latest != nil, ms.Measure)
			}
			if diff := cmp.Diff([]string{model.ReasonSchoolInactive}, codes(ms.Reasons)); diff != "" {
				t.Errorf("latest %v: %s reasons (-want +got):\n%s", latest != nil, ms.Measure, diff)
			}
		}
	}
}

func TestDeriveOpenHazard(t *testing.T) {
	d := model.NewDate(2024, 3, 1)
	st := model.Derive(model.DefaultRuleSet(), school500, model.BasisReported, verifiedOn(d),
		map[model.Measure]int64{model.OneButtonAlarm: 7}, d.AddDays(10))
	if st.Basis != model.BasisReported {
		t.Errorf("Basis = %q, want reported", st.Basis)
	}
	if st.AllFive {
		t.Errorf("AllFive = true, want false")
	}
	want := [5][]string{nil, nil, nil, {model.ReasonHazardOpen}, nil}
	if diff := cmp.Diff(want, allCodes(st)); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if got, want := english(t, st.Measures[3].Reasons[0]), "open hazard #7"; got != want {
		t.Errorf("hazard reason = %q, want %q", got, want)
	}
	measures, allFive := st.CoveredUntil()
	for i, until := range measures {
		if (until == nil) != (i == model.OneButtonAlarm.Index()) {
			t.Errorf("CoveredUntil %s = %v", model.Measures[i], until)
		}
	}
	if allFive != nil {
		t.Errorf("CoveredUntil all five = %s, want nil", *allFive)
	}
}

func TestDeriveNoCheck(t *testing.T) {
	st := model.Derive(model.DefaultRuleSet(), school500, model.BasisVerified, nil, nil, model.NewDate(2024, 3, 1))
	if st.AllFive {
		t.Errorf("AllFive = true, want false")
	}
	want := [5][]string{{model.ReasonNoCheck}, {model.ReasonNoCheck}, {model.ReasonNoCheck}, {model.ReasonNoCheck}, {model.ReasonNoCheck}}
	if diff := cmp.Diff(want, allCodes(st)); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	for _, ms := range st.Measures {
		if ms.CheckedOn != nil || ms.ExpiresOn != nil || ms.ChecklistID != 0 {
			t.Errorf("%s: CheckedOn %v ExpiresOn %v ChecklistID %d, want none", ms.Measure, ms.CheckedOn, ms.ExpiresOn, ms.ChecklistID)
		}
	}
	if measures, allFive := st.CoveredUntil(); measures != [5]*model.Date{} || allFive != nil {
		t.Errorf("CoveredUntil = %v, %v, want all nil", measures, allFive)
	}
}

func TestDeriveFailedRuleAndExpiry(t *testing.T) {
	d := model.NewDate(2024, 3, 1)
	c := verifiedOn(d)
	c.Facts.VideoNetworking.RetentionDays = new(29)
	st := model.Derive(model.DefaultRuleSet(), school500, model.BasisVerified, c, nil, d.AddDays(181))
	got := codes(st.Measures[model.VideoNetworking.Index()].Reasons)
	want := []string{model.ReasonCheckExpired, model.ReasonRetentionShort}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("video reasons (-want +got):\n%s", diff)
	}
}

func TestCountsPercent(t *testing.T) {
	c := model.Counts{Schools: 6600, Measures: [5]int{6600, 6599, 0, 3300, 1}, AllFive: 6599}
	want := []string{"100.0%", "99.9%", "0.0%", "50.0%", "0.0%"}
	for i, w := range want {
		if got := c.Percent(i).String(); got != w {
			t.Errorf("Percent(%d) = %q, want %q", i, got, w)
		}
	}
	if got := c.AllFivePercent().String(); got != "99.9%" {
		t.Errorf("AllFivePercent = %q, want 99.9%%", got)
	}
	if got := (model.Counts{}).AllFivePercent().String(); got != "—" {
		t.Errorf("AllFivePercent without schools = %q, want —", got)
	}
}

func TestHazardOverdue(t *testing.T) {
	deadline := model.NewDate(2024, 5, 1)
	tests := []struct {
		state      model.HazardState
		today      model.Date
		open, over bool
	}{
		{model.HazardOpen, deadline, true, false},
		{model.HazardOpen, deadline.AddDays(1), true, true},
		{model.HazardAnswered, deadline.AddDays(1), true, true},
		{model.HazardClosed, deadline.AddDays(1), false, false},
	}
	for _, tt := range tests {
		h := model.Hazard{State: tt.state, Deadline: deadline}
		if got := h.Open(); got != tt.open {
			t.Errorf("%s Open() = %v, want %v", tt.state, got, tt.open)
		}
		if got := h.Overdue(tt.today); got != tt.over {
			t.Errorf("%s Overdue(%s) = %v, want %v", tt.state, tt.today, got, tt.over)
		}
	}
}

func TestValidateCheckDate(t *testing.T) {
	today := model.NewDate(2024, 5, 1)
	if err := model.ValidateCheckDate(today, today); err != nil {
		t.Errorf("check today: got %v, want nil", err)
	}
	err := model.ValidateCheckDate(today.AddDays(1), today)
	if err == nil || err.Field != "checked_on" {
		t.Errorf("check tomorrow: got %v, want a checked_on error", err)
	}
}
