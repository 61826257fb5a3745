package model_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// TestGuardsRequiredV2 pins the v2 formula at every band edge, with and
// without boarders: n = students − boarders; n < 100 → 1; 100–999 → 2;
// n ≥ 1000 → 3 + ⌊(n − 1000)/500⌋; plus ⌊boarders/200⌋.
func TestGuardsRequiredV2(t *testing.T) {
	tests := []struct {
		students, boarders int
		want               int
	}{
		{0, 0, 1}, // a kindergarten with no children still needs one
		{1, 0, 1},
		{99, 0, 1},
		{100, 0, 2},
		{999, 0, 2},
		{1000, 0, 3},
		{1499, 0, 3},
		{1500, 0, 4},
		{1999, 0, 4},
		{2000, 0, 5},
		// With boarders: the bands count day students only.
		{299, 200, 1 + 1},  // 99 day students
		{300, 200, 2 + 1},  // 100
		{1199, 200, 2 + 1}, // 999
		{1200, 200, 3 + 1}, // 1000
		{1699, 200, 3 + 1}, // 1499
		{1700, 200, 4 + 1}, // 1500
		{1200, 400, 2 + 2}, // the SPEC's example: 800 day students → 4
		{500, 199, 2},      // 301 day students, 199 boarders add none
		{500, 399, 2 + 1},  // 101 day students: the middle band
		{400, 400, 1 + 2},  // all board: 0 day students
		{50, 50, 1},
		{2000, 400, 4 + 2}, // 1600 day students
	}
	g := model.DefaultRuleSet().Guards
	for _, tt := range tests {
		if got := g.Required(tt.students, tt.boarders); got != tt.want {
			t.Errorf("v2 Required(%d students, %d boarders) = %d, want %d", tt.students, tt.boarders, got, tt.want)
		}
	}
}

// TestGuardsRequiredV1 keeps the old formula for databases that hold it:
// all students through the bands, then the boarders again.
func TestGuardsRequiredV1(t *testing.T) {
	tests := []struct {
		students, boarders int
		want               int
	}{
		{0, 0, 1}, {99, 0, 1}, {100, 0, 2}, {999, 0, 2}, {1000, 0, 3}, {1500, 0, 4},
		{500, 200, 3}, {1200, 400, 5}, {2000, 400, 7},
	}
	g := model.RuleSetV1().Guards
	for _, tt := range tests {
		if got := g.Required(tt.students, tt.boarders); got != tt.want {
			t.Errorf("v1 Required(%d students, %d boarders) = %d, want %d", tt.students, tt.boarders, got, tt.want)
		}
	}
}

func TestGuardsShortReasonV1(t *testing.T) {
	s := school500
	s.Students, s.Boarders = 1200, 400
	f := goodFacts(checkDay)
	f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: new(4), LicensedGuards: new(4)}
	res := model.RuleSetV1().Evaluate(s, checkDay, f)[model.SecurityGuards.Index()]
	if got, want := english(t, res.Reasons...), "4 guards, 5 required for 1200 students and 400 boarders"; got != want {
		t.Errorf("v1 reason = %q, want %q", got, want)
	}
	if res := model.DefaultRuleSet().Evaluate(s, checkDay, f)[model.SecurityGuards.Index()]; !res.Met {
		t.Errorf("v2: 4 guards for 800 day students and 400 boarders not met: %v", res.Reasons)
	}
}

func TestAntiRammingRequired(t *testing.T) {
	f := goodFacts(checkDay)
	f.ClosedManagement.AntiRamming = new(model.AntiRamming("none"))
	r := model.DefaultRuleSet()
	if res := r.Evaluate(school500, checkDay, f)[model.ClosedManagement.Index()]; res.Met {
		t.Error("no barrier met with anti_ramming_required")
	}
	r.AntiRammingRequired = false
	if res := r.Evaluate(school500, checkDay, f)[model.ClosedManagement.Index()]; !res.Met {
		t.Errorf("no barrier not met without the requirement: %v", res.Reasons)
	}
	f.ClosedManagement.AntiRamming = nil
	if res := r.Evaluate(school500, checkDay, f)[model.ClosedManagement.Index()]; res.Met {
		t.Error("unanswered barrier met: the fact must still be filled in")
	}
}

func TestDecodeRuleSetKeepsV1(t *testing.T) {
	// A version stored before v2: no guard basis, no anti-ramming switch.
	old := `{"name":"default","version":1,"validity_days":180,"alarm_test_days":90,"min_retention_days":30,
		"guards":{"small_below":100,"small_guards":1,"large_from":1000,"medium_guards":2,"large_guards":3,"large_step":500,"boarders_per_guard":200}}`
	rs, err := model.DecodeRuleSet([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	want := model.RuleSetV1()
	if diff := cmp.Diff(want, rs); diff != "" {
		t.Errorf("decoded v1 (-want +got):\n%s", diff)
	}
	b, _ := json.Marshal(model.DefaultRuleSet())
	if rs, _ := model.DecodeRuleSet(b); rs.Guards.Basis != model.GuardBasisNonBoarders {
		t.Errorf("v2 round trip: basis %q", rs.Guards.Basis)
	}
}

func raw(m map[string]string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range m {
		out[k] = json.RawMessage(v)
	}
	return out
}

func TestWithParams(t *testing.T) {
	base := model.RuleSetV1()
	got, errs := base.WithParams(raw(map[string]string{"guards_small": "2", "guard_basis": `"non_boarders"`, "anti_ramming_required": "false"}))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := base
	want.Guards.SmallGuards, want.Guards.Basis, want.AntiRammingRequired = 2, model.GuardBasisNonBoarders, false
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("partial params (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(base.Params(), func() map[string]any { r, _ := base.WithParams(nil); return r.Params() }()); diff != "" {
		t.Errorf("no params changed something:\n%s", diff)
	}

	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{"negative numbers", map[string]string{"guards_small": "-1", "min_retention_days": "-5"}, []string{"min_retention_days", "guards_small"}},
		{"large band below small", map[string]string{"small_school_below": "500", "large_school_from": "400"}, []string{"large_school_from"}},
		{"unknown key", map[string]string{"guards_tiny": "1"}, []string{"guards_tiny"}},
		{"wrong kinds", map[string]string{"validity_days": `"180"`, "guard_basis": `"everyone"`, "anti_ramming_required": "1"},
			[]string{"anti_ramming_required", "guard_basis", "validity_days"}},
		{"zero where one is the least", map[string]string{"validity_days": "0", "students_per_extra_guard": "0"}, []string{"validity_days", "students_per_extra_guard"}},
		{"a fraction", map[string]string{"guards_large": "2.5"}, []string{"guards_large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := base.WithParams(raw(tt.params))
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bad fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleBookChoosesNearestInForce(t *testing.T) {
	d := func(day int) model.Date { return model.NewDate(2025, 3, day) }
	national := model.DefaultRuleSet()
	national.ID, national.Version = 1, 2
	national2 := national
	national2.ID, national2.Version, national2.EffectiveFrom = 5, 6, d(20)
	province := national
	province.ID, province.Version, province.DivisionCode, province.EffectiveFrom = 2, 3, "150000", d(10)
	prefecture := national
	prefecture.ID, prefecture.Version, prefecture.DivisionCode, prefecture.EffectiveFrom = 3, 4, "150100", d(15)
	other := national
	other.ID, other.Version, other.DivisionCode, other.EffectiveFrom = 4, 5, "500000", d(1)
	book := model.NewRuleBook([]model.RuleSet{prefecture, national2, other, province, national})

	hohhot := []string{"150102", "150100", "150000"}
	baotou := []string{"150202", "150200", "150000"}
	tests := []struct {
		name string
		path []string
		day  model.Date
		want int64
	}{
		{"before any profile: national", hohhot, d(9), 1},
		{"province profile overrides the national default", baotou, d(10), 2},
		{"a prefecture without a profile inherits the province", baotou, d(30), 2},
		{"prefecture profile scheduled: province until its day", hohhot, d(14), 2},
		{"prefecture profile on its day overrides the province", hohhot, d(15), 3},
		{"a later national version does not reach a profiled division", hohhot, d(25), 3},
		{"the national default for the national path", nil, d(25), 5},
		{"another province's profile is not on the path", []string{"110101", "110100", "110000"}, d(25), 5},
	}
	for _, tt := range tests {
		got, ok := book.InForce(tt.path, tt.day)
		if !ok || got.ID != tt.want {
			t.Errorf("%s: got version id %d (%v), want %d", tt.name, got.ID, ok, tt.want)
		}
	}
	if _, ok := book.InForce(hohhot, model.NewDate(1, 1, 0)); ok {
		t.Error("a rule set in force before the first one")
	}
	if diff := cmp.Diff([]model.Date{0, d(1), d(10), d(15), d(20)}, book.Days()); diff != "" {
		t.Errorf("Days (-want +got):\n%s", diff)
	}
}
