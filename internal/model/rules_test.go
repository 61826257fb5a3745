package model_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// checkDay is the check date the rule tests use.
var checkDay = model.NewDate(2024, 3, 15)

// school500 needs 2 guards under the default rule set.
var school500 = model.School{
	Code: "1150102001", Name: "测试小学", Type: model.Primary, DivisionCode: "150102",
	Students: 500, Ownership: model.Public, Active: true,
}

// goodFacts returns complete facts that meet all five measures for a school
// of up to 999 day students checked on checkedOn.
func goodFacts(checkedOn model.Date) model.Facts {
	return model.Facts{
		NursingPost: model.NursingPostFacts{
			SetUp: new(true), AMStaff: new(2), PMStaff: new(2), PolicePresent: new(true), RosterOnFile: new(true),
		},
		ClosedManagement: model.ClosedManagementFacts{
			PerimeterEnclosed: new(true), GateRoom24h: new(true), VisitorRegistration: new(true),
			AntiRamming: new(model.AntiRamming("bollards")),
		},
		SecurityGuards: model.SecurityGuardsFacts{FullTimeGuards: new(2), LicensedGuards: new(2)},
		OneButtonAlarm: model.OneButtonAlarmFacts{
			Installed: new(true), LinkedToPolice: new(true), LastTestOn: new(checkedOn.AddDays(-10)), LastTestOK: new(true),
		},
		VideoNetworking: model.VideoNetworkingFacts{
			Cameras: new(24), GateCovered: new(true), NetworkedToPolice: new(true), RetentionDays: new(90),
		},
	}
}

// codes returns the reason codes, or nil.
func codes(rs []model.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestEvaluateGoodFactsMeetAllFive(t *testing.T) {
	got := model.DefaultRuleSet().Evaluate(school500, checkDay, goodFacts(checkDay))
	for i, res := range got {
		if !res.Met || len(res.Reasons) != 0 {
			t.Errorf("%s: got Met=%v reasons %q, want met with no reasons", model.Measures[i], res.Met, english(t, res.Reasons...))
		}
	}
}

func TestEvaluateSecurityGuards(t *testing.T) {
	tests := []struct {
		name               string
		students, boarders int
		full, licensed     int
		wantMet            bool
		wantReasons        []string
	}{
		{"enough and licensed", 1240, 0, 3, 3, true, nil},
		{"one short", 1240, 0, 2, 2, false, []string{"2 guards, 3 required for 1240 students"}},
		{"more than required", 1240, 0, 4, 4, true, nil},
		{"not all licensed", 1240, 0, 3, 2, false, []string{"2 of 3 guards licensed"}},
		{"short and unlicensed", 1240, 0, 2, 1, false, []string{"2 guards, 3 required for 1240 students", "1 of 2 guards licensed"}},
		{"none for an empty kindergarten", 0, 0, 0, 0, false, []string{"0 guards, 1 required for 0 students"}},
		{"one for an empty kindergarten", 0, 0, 1, 1, true, nil},
		{"boarders add one", 800, 200, 2, 2, false, []string{"2 guards, 3 required for 600 day students and 200 boarders"}},
		{"boarders covered", 800, 200, 3, 3, true, nil},
		{"199 boarders add none", 800, 199, 2, 2, true, nil},
		{"the issue's example", 1200, 400, 3, 3, false, []string{"3 guards, 4 required for 800 day students and 400 boarders"}},
	}
	r := model.DefaultRuleSet()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := school500
			s.Students, s.Boarders = tt.students, tt.boarders
			f := goodFacts(checkDay)
			f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: new(tt.full), LicensedGuards: new(tt.licensed)}
			res := r.Evaluate(s, checkDay, f)[model.SecurityGuards.Index()]
			if res.Met != tt.wantMet {
				t.Errorf("Met = %v, want %v", res.Met, tt.wantMet)
			}
			var got []string
			for _, rs := range res.Reasons {
				got = append(got, english(t, rs))
			}
			if diff := cmp.Diff(tt.wantReasons, got); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateThresholds(t *testing.T) {
	tests := []struct {
		name    string
		measure model.Measure
		change  func(f *model.Facts)
		want    []string // reason codes; nil means met
	}{
		{"retention 30 passes", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.RetentionDays = new(30) }, nil},
		{"retention 29 fails", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.RetentionDays = new(29) }, []string{model.ReasonRetentionShort}},
		{"retention 15 fails", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.RetentionDays = new(15) }, []string{model.ReasonRetentionShort}},
		{"cameras 0 fails", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.Cameras = new(0) }, []string{model.ReasonNoCameras}},
		{"cameras 1 passes", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.Cameras = new(1) }, nil},
		{"gate not covered", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.GateCovered = new(false) }, []string{model.ReasonGateNotCovered}},
		{"video not networked", model.VideoNetworking, func(f *model.Facts) { f.VideoNetworking.NetworkedToPolice = new(false) }, []string{model.ReasonVideoNotNetworked}},
		{"alarm tested on the check day", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LastTestOn = new(checkDay) }, nil},
		{"alarm tested 90 days before passes", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LastTestOn = new(checkDay.AddDays(-90)) }, nil},
		{"alarm tested 91 days before fails", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LastTestOn = new(checkDay.AddDays(-91)) }, []string{model.ReasonAlarmTestStale}},
		{"alarm tested after the check fails", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LastTestOn = new(checkDay.AddDays(1)) }, []string{model.ReasonAlarmTestAfterCheck}},
		{"alarm test failed", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LastTestOK = new(false) }, []string{model.ReasonAlarmTestFailed}},
		{"alarm not installed", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.Installed = new(false) }, []string{model.ReasonAlarmNotInstalled}},
		{"alarm not linked", model.OneButtonAlarm, func(f *model.Facts) { f.OneButtonAlarm.LinkedToPolice = new(false) }, []string{model.ReasonAlarmNotLinked}},
		{"anti-ramming none fails", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("none")) }, []string{model.ReasonNoAntiRamming}},
		{"anti-ramming bollards passes", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("bollards")) }, nil},
		{"anti-ramming barriers passes", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("barriers")) }, nil},
		{"anti-ramming lifting posts passes", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("lifting_posts")) }, nil},
		{"anti-ramming unknown fails", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("wall")) }, []string{model.ReasonNoAntiRamming}},
		{"perimeter open", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.PerimeterEnclosed = new(false) }, []string{model.ReasonPerimeterOpen}},
		{"no gate room", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.GateRoom24h = new(false) }, []string{model.ReasonNoGateRoom}},
		{"no visitor registration", model.ClosedManagement, func(f *model.Facts) { f.ClosedManagement.VisitorRegistration = new(false) }, []string{model.ReasonNoVisitorLog}},
		{"nursing post am_staff 0 fails", model.NursingPost, func(f *model.Facts) { f.NursingPost.AMStaff = new(0) }, []string{model.ReasonNoAMStaff}},
		{"nursing post pm_staff 0 fails", model.NursingPost, func(f *model.Facts) { f.NursingPost.PMStaff = new(0) }, []string{model.ReasonNoPMStaff}},
		{"nursing post not set up", model.NursingPost, func(f *model.Facts) { f.NursingPost.SetUp = new(false) }, []string{model.ReasonNotSetUp}},
		{"nursing post without roster", model.NursingPost, func(f *model.Facts) { f.NursingPost.RosterOnFile = new(false) }, []string{model.ReasonNoRoster}},
		{"nursing post without police passes", model.NursingPost, func(f *model.Facts) { f.NursingPost.PolicePresent = new(false) }, nil},
		{"nursing post with police unanswered passes", model.NursingPost, func(f *model.Facts) { f.NursingPost.PolicePresent = nil }, nil},
		{"several failures are all named", model.NursingPost, func(f *model.Facts) {
			f.NursingPost.SetUp, f.NursingPost.AMStaff, f.NursingPost.PMStaff, f.NursingPost.RosterOnFile = new(false), new(0), new(0), new(false)
		}, []string{model.ReasonNotSetUp, model.ReasonNoAMStaff, model.ReasonNoPMStaff, model.ReasonNoRoster}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, res := range evaluateChanged(tt.change) {
				var want []string
				if model.Measures[i] == tt.measure {
					want = tt.want
				}
				if diff := cmp.Diff(want, codes(res.Reasons)); diff != "" {
					t.Errorf("%s reasons (-want +got):\n%s", model.Measures[i], diff)
				}
				if res.Met != (len(want) == 0) {
					t.Errorf("%s Met = %v, want %v", model.Measures[i], res.Met, len(want) == 0)
				}
			}
		})
	}
}

func TestEvaluateReasonTexts(t *testing.T) {
	r := model.DefaultRuleSet()
	f := goodFacts(checkDay)
	f.VideoNetworking.RetentionDays = new(15)
	f.OneButtonAlarm.LastTestOn = new(checkDay.AddDays(-120))
	got := r.Evaluate(school500, checkDay, f)
	tests := []struct {
		measure model.Measure
		want    string
	}{
		{model.VideoNetworking, "video kept 15 days, at least 30 required"},
		{model.OneButtonAlarm, "alarm last tested 120 days before the check, at most 90 allowed"},
	}
	for _, tt := range tests {
		if got := english(t, got[tt.measure.Index()].Reasons...); got != tt.want {
			t.Errorf("%s reason = %q, want %q", tt.measure, got, tt.want)
		}
	}
}

func TestEvaluatePartialFacts(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *model.Facts)
		failed []model.Measure // these fail with facts_missing, the rest are met
	}{
		{"nothing answered", func(f *model.Facts) { *f = model.Facts{} }, model.Measures[:]},
		{"no licensed guards", func(f *model.Facts) { f.SecurityGuards.LicensedGuards = nil }, []model.Measure{model.SecurityGuards}},
		{"no alarm test date", func(f *model.Facts) { f.OneButtonAlarm.LastTestOn = nil }, []model.Measure{model.OneButtonAlarm}},
		{"no retention", func(f *model.Facts) { f.VideoNetworking.RetentionDays = nil }, []model.Measure{model.VideoNetworking}},
		{"no anti-ramming", func(f *model.Facts) { f.ClosedManagement.AntiRamming = nil }, []model.Measure{model.ClosedManagement}},
		{"no pm staff", func(f *model.Facts) { f.NursingPost.PMStaff = nil }, []model.Measure{model.NursingPost}},
		{"two measures half done", func(f *model.Facts) {
			f.NursingPost.SetUp = nil
			f.VideoNetworking = model.VideoNetworkingFacts{Cameras: new(0)}
		}, []model.Measure{model.NursingPost, model.VideoNetworking}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, res := range evaluateChanged(tt.change) {
				var want []string
				for _, m := range tt.failed {
					if m == model.Measures[i] {
						want = []string{model.ReasonFactsMissing}
					}
				}
				if diff := cmp.Diff(want, codes(res.Reasons)); diff != "" {
					t.Errorf("%s reasons (-want +got):\n%s", model.Measures[i], diff)
				}
			}
		})
	}
}

func TestRuleSetThresholdsAreParameters(t *testing.T) {
	r := model.DefaultRuleSet()
	r.MinRetentionDays, r.AlarmTestDays = 15, 120
	f := goodFacts(checkDay)
	f.VideoNetworking.RetentionDays = new(15)
	f.OneButtonAlarm.LastTestOn = new(checkDay.AddDays(-120))
	for i, res := range r.Evaluate(school500, checkDay, f) {
		if !res.Met {
			t.Errorf("%s: got not met (%s) under relaxed thresholds, want met", model.Measures[i], english(t, res.Reasons...))
		}
	}
}

func TestDefaultRuleSetValid(t *testing.T) {
	if errs := model.DefaultRuleSet().Validate(); len(errs) != 0 {
		t.Errorf("DefaultRuleSet().Validate() = %v, want no errors", errs)
	}
	bad := model.DefaultRuleSet()
	bad.ValidityDays, bad.Guards.LargeStep, bad.Guards.LargeFrom = 0, 0, 50
	var got []string
	for _, e := range bad.Validate() {
		got = append(got, e.Field)
	}
	want := []string{"validity_days", "students_per_extra_guard", "large_school_from"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate fields (-want +got):\n%s", diff)
	}
}

// evaluateChanged evaluates good facts with one change under the default
// rules, for school500 on checkDay.
func evaluateChanged(change func(*model.Facts)) [5]model.Result {
	f := goodFacts(checkDay)
	change(&f)
	return model.DefaultRuleSet().Evaluate(school500, checkDay, f)
}
