package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"safecampus/internal/model"
)

// ruleChange stores every parameter of rs as a new version of its
// division's rules from its effective day.
func ruleChange(rs model.RuleSet) model.RuleChange {
	return model.RuleChange{DivisionCode: rs.DivisionCode, EffectiveFrom: rs.EffectiveFrom, Params: rs.RawParams()}
}

// params builds a partial parameter set from JSON values.
func params(kv ...string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = json.RawMessage(kv[i+1])
	}
	return out
}

func createRules(t *testing.T, s *Store, division string, from model.Date, p map[string]json.RawMessage) model.RuleSet {
	t.Helper()
	rs, err := s.CreateRuleSet(context.Background(), testAdmin, model.RuleChange{DivisionCode: division, EffectiveFrom: from, Params: p})
	if err != nil {
		t.Fatalf("rules for %q from %s: %v", division, from, err)
	}
	return rs
}

func guardsCovered(t *testing.T, s *Store, code string, asOf model.Date) int {
	t.Helper()
	return coverageOf(t, s, code, model.BasisVerified, asOf).Measures[model.SecurityGuards.Index()]
}

// TestRuleProfiles: a province profile overrides the national default, a
// prefecture profile the province; a partial version inherits; an
// effective-today change re-derives only the schools it judges; a
// scheduled one takes effect on its day; history before a profile stays.
func TestRuleProfiles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 4, 1)
		s, clk := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500) // 呼和浩特市 新城区
		c := addSchool(t, s, "1000000003", "150103", 500) // 呼和浩特市 回民区
		b := addSchool(t, s, "1000000002", "150202", 500) // 包头市 东河区
		for _, sc := range []model.School{a, b, c} {
			verify(t, s, submit(t, s, sc, d0, goodFacts(d0))) // 2 guards
		}
		if got := guardsCovered(t, s, "150000", d0); got != 3 {
			t.Fatalf("guards covered on %s: %d, want 3", d0, got)
		}

		// A province profile, effective today: 3 guards in the middle band.
		clk.day(d0.AddDays(1))
		prov := createRules(t, s, "150000", d0.AddDays(1), params("guards_middle", "3"))
		if prov.DivisionCode != "150000" || prov.Guards.MediumGuards != 3 || prov.ValidityDays != 180 || prov.Guards.Basis != model.GuardBasisNonBoarders {
			t.Errorf("province profile: %+v", prov)
		}
		if got := guardsCovered(t, s, "150000", d0.AddDays(1)); got != 0 {
			t.Errorf("after the province profile: %d covered, want 0", got)
		}
		rs, err := s.RulesFor(ctx, "150202", d0.AddDays(1))
		if err != nil || rs.ID != prov.ID {
			t.Errorf("rules for 150202: %+v, %v; want the province's", rs, err)
		}
		if rs, _ := s.RulesFor(ctx, "150202", d0); rs.DivisionCode != "" {
			t.Errorf("rules for 150202 before the profile come from %q, want the national default", rs.DivisionCode)
		}
		st, err := s.SchoolStatus(ctx, b, model.BasisVerified)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rules != prov.Ref() {
			t.Errorf("status judged by %+v, want %+v", st.Rules, prov.Ref())
		}
		if r := english(t, st.Measures[model.SecurityGuards.Index()].Reasons); r != "2 guards, 3 required for 500 students" {
			t.Errorf("reason = %q", r)
		}

		// A prefecture's first version, partial: it inherits the rest from
		// the province, its nearest ancestor with rules.
		clk.day(d0.AddDays(2))
		pref := createRules(t, s, "150100", d0.AddDays(2), params("validity_days", "365"))
		if pref.Guards.MediumGuards != 3 || pref.ValidityDays != 365 {
			t.Errorf("prefecture's first version did not inherit the province's: %+v", pref)
		}
		// Its second version inherits from its own first.
		clk.day(d0.AddDays(3))
		pref2 := createRules(t, s, "150100", d0.AddDays(3), params("guards_middle", "2"))
		if pref2.Guards.MediumGuards != 2 || pref2.ValidityDays != 365 {
			t.Errorf("prefecture's second version: %+v", pref2)
		}
		if got := guardsCovered(t, s, "150100", d0.AddDays(3)); got != 2 {
			t.Errorf("呼和浩特市 after its own profile: %d covered, want 2", got)
		}
		if got := guardsCovered(t, s, "150200", d0.AddDays(3)); got != 0 {
			t.Errorf("包头市 keeps the province's rules: %d covered, want 0", got)
		}
		var touched int64
		if err := s.r.Model(&struct{ DivisionCode string }{}).Table("coverage_deltas").
			Where("division_code = ? AND day = ?", "150202", d0.AddDays(3)).Count(&touched).Error; err != nil {
			t.Fatal(err)
		}
		if touched != 0 {
			t.Errorf("a prefecture's change wrote %d ledger rows for a county of another prefecture", touched)
		}
		if st, _ := s.SchoolStatus(ctx, a, model.BasisVerified); st.Rules.DivisionCode != "150100" ||
			*st.Measures[0].ExpiresOn != d0.AddDays(365) {
			t.Errorf("新城区 school: judged by %+v, expires %v; want 150100's rules, validity 365", st.Rules, st.Measures[0].ExpiresOn)
		}

		// Scheduled: the province relaxes from day 10; 包头市 follows on that
		// day, 呼和浩特市 keeps its own profile.
		sched := createRules(t, s, "150000", d0.AddDays(10), params("guards_middle", "1"))
		if applied, err := s.ApplyDueRuleSets(ctx); err != nil || applied {
			t.Errorf("apply before the day: %v, %v", applied, err)
		}
		if got := guardsCovered(t, s, "150200", d0.AddDays(9)); got != 0 {
			t.Errorf("包头市 before the scheduled day: %d, want 0", got)
		}
		if rs, _ := s.RulesFor(ctx, "150202", d0.AddDays(10)); rs.ID != sched.ID {
			t.Errorf("as of the scheduled day: %+v, want version %d", rs, sched.Version)
		}
		clk.day(d0.AddDays(10))
		if applied, err := s.ApplyDueRuleSets(ctx); err != nil || !applied {
			t.Fatalf("apply on the day: %v, %v", applied, err)
		}
		if got := guardsCovered(t, s, "150200", d0.AddDays(10)); got != 1 {
			t.Errorf("包头市 on the scheduled day: %d, want 1", got)
		}
		if got := guardsCovered(t, s, "150100", d0.AddDays(10)); got != 2 {
			t.Errorf("呼和浩特市 on the province's day: %d, want 2 (its own profile)", got)
		}

		// History before any profile is unchanged, and the replay agrees.
		wantHistory := map[model.Date]int{d0: 3, d0.AddDays(1): 0, d0.AddDays(2): 0, d0.AddDays(3): 2, d0.AddDays(9): 2, d0.AddDays(10): 3}
		check := func(when string) {
			for d, want := range wantHistory {
				if got := guardsCovered(t, s, "150000", d); got != want {
					t.Errorf("%s: guards covered as of %s: %d, want %d", when, d, got, want)
				}
			}
		}
		check("incremental")
		if err := s.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		check("after rebuild")

		// Bad changes name what is wrong.
		_, err = s.CreateRuleSet(ctx, testAdmin, model.RuleChange{DivisionCode: "999999", EffectiveFrom: d0.AddDays(10),
			Params: params("guards_small", "-1", "colour", `"red"`)})
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("division_code") == "" {
			t.Errorf("unknown division: %v", err)
		}
		_, err = s.CreateRuleSet(ctx, testAdmin, model.RuleChange{EffectiveFrom: d0.AddDays(9),
			Params: params("guards_small", "-1", "colour", `"red"`, "small_school_below", "2000")})
		if !errors.As(err, &fe) || fe.For("effective_from") == "" || fe.For("guards_small") == "" || fe.For("colour") == "" || fe.For("large_school_from") == "" {
			t.Errorf("bad parameters: %v", err)
		}
	})
}

// TestV1DatabaseKeepsV1: a database whose rule set was stored before v2
// keeps counting boarders twice until an administrator adopts the v2
// defaults from a chosen date; nothing before that date changes.
func TestV1DatabaseKeepsV1(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 5, 4)
		s, clk := newTestStore(t, engine, d0)
		old := `{"name":"default","version":1,"effective_from":"1970-01-01","validity_days":180,"alarm_test_days":90,"min_retention_days":30,` +
			`"guards":{"small_below":100,"small_guards":1,"large_from":1000,"medium_guards":2,"large_guards":3,"large_step":500,"boarders_per_guard":200}}`
		if err := s.w.Exec("UPDATE rule_sets SET params = ?, version = 1", old).Error; err != nil {
			t.Fatal(err)
		}
		sc, err := s.SaveSchool(ctx, testAdmin, model.School{Code: "1000000009", Name: "牧区寄宿学校", Type: model.NineYear,
			DivisionCode: "150202", Students: 1200, Boarders: 400, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		f := goodFacts(d0)
		f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: ptr(4), LicensedGuards: ptr(4)}
		verify(t, s, submit(t, s, sc, d0, f))
		st, err := s.SchoolStatus(ctx, sc, model.BasisVerified)
		if err != nil {
			t.Fatal(err)
		}
		if r := english(t, st.Measures[model.SecurityGuards.Index()].Reasons); r != "4 guards, 5 required for 1200 students and 400 boarders" {
			t.Errorf("under v1: %q", r)
		}

		v2 := createRules(t, s, "", d0.AddDays(7), model.V2Defaults())
		if v2.Guards.Basis != model.GuardBasisNonBoarders || v2.Version != 2 || v2.ValidityDays != 180 {
			t.Errorf("adopted v2: %+v", v2)
		}
		clk.day(d0.AddDays(7))
		if _, err := s.ApplyDueRuleSets(ctx); err != nil {
			t.Fatal(err)
		}
		for d, want := range map[model.Date]int{d0: 0, d0.AddDays(6): 0, d0.AddDays(7): 1} {
			if got := guardsCovered(t, s, "150000", d); got != want {
				t.Errorf("as of %s: %d covered, want %d", d, got, want)
			}
		}
		if err := s.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		for d, want := range map[model.Date]int{d0: 0, d0.AddDays(6): 0, d0.AddDays(7): 1} {
			if got := guardsCovered(t, s, "150000", d); got != want {
				t.Errorf("after rebuild, as of %s: %d covered, want %d", d, got, want)
			}
		}
	})
}

// TestNewDatabaseStartsOnV2 pins the SPEC's example on a new database.
func TestNewDatabaseStartsOnV2(t *testing.T) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 5, 4)
	s, _ := newTestStore(t, "sqlite", d0)
	rs, err := s.RulesFor(ctx, "150202", d0)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Version != 2 || rs.Guards.Basis != model.GuardBasisNonBoarders || rs.DivisionCode != "" {
		t.Errorf("new database rules: %+v", rs)
	}
	if _, err := s.RulesFor(ctx, "999999", d0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown division: %v", err)
	}
}
