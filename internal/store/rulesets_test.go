package store

import (
	"context"
	"errors"
	"testing"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

func TestRuleChangeMovesCoverage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk, a := newStoreWithSchool(t, engine, d0)
		b := addSchool(t, s, "1000000002", "150202", 500)
		verified(t, s, a, d0) // keeps video 30 days
		f := goodFacts(d0)
		f.VideoNetworking.RetentionDays = ptr(90)
		verify(t, s, submit(t, s, b, d0, f))
		video := model.VideoNetworking.Index()
		if got := coverageOf(t, s, "150000", model.BasisVerified, d0); got.Measures[video] != 2 {
			t.Fatalf("before: %+v", got)
		}

		// Refused: a day in the past, a nonsense parameter.
		rs := model.DefaultRuleSet()
		rs.EffectiveFrom = d0.AddDays(-1)
		rs.ValidityDays = 0
		_, err := s.CreateRuleSet(ctx, testAdmin, ruleChange(rs))
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("effective_from") == "" || fe.For("validity_days") == "" {
			t.Errorf("bad rule set: got %v", err)
		}

		// Effective today: coverage moves at once, everywhere.
		clk.day(d0.AddDays(1))
		rs = model.DefaultRuleSet()
		rs.MinRetentionDays, rs.EffectiveFrom = 60, d0.AddDays(1)
		got, err := s.CreateRuleSet(ctx, testAdmin, ruleChange(rs))
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 3 {
			t.Errorf("version = %d, want 3 (a new database starts on v2)", got.Version)
		}
		if c := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(1)); c.Measures[video] != 1 || c.AllFive != 1 {
			t.Errorf("after retention 60 effective today: %+v, want video 1", c)
		}
		if c := coverageOf(t, s, "150000", model.BasisVerified, d0); c.Measures[video] != 2 {
			t.Errorf("history before the change moved: %+v", c)
		}
		st, err := s.SchoolStatus(ctx, a, model.BasisVerified)
		if err != nil {
			t.Fatal(err)
		}
		if r := english(t, st.Measures[video].Reasons); r != "video kept 30 days, at least 60 required" {
			t.Errorf("reason = %q", r)
		}

		// Effective in ten days: nothing moves until the day comes and the
		// maintenance applies it. Validity 7 days expires both checks.
		rs = model.DefaultRuleSet()
		rs.MinRetentionDays, rs.ValidityDays, rs.EffectiveFrom = 60, 7, d0.AddDays(10)
		if _, err := s.CreateRuleSet(ctx, testAdmin, ruleChange(rs)); err != nil {
			t.Fatal(err)
		}
		if applied, err := s.ApplyDueRuleSets(ctx); err != nil || applied {
			t.Errorf("apply before the day: %v, %v", applied, err)
		}
		if c := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(1)); c.AllFive != 1 {
			t.Errorf("future rule set moved today's coverage: %+v", c)
		}
		clk.day(d0.AddDays(10))
		if c := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(10)); c.AllFive != 1 {
			t.Errorf("before maintenance on the day: %+v", c)
		}
		if applied, err := s.ApplyDueRuleSets(ctx); err != nil || !applied {
			t.Fatalf("apply on the day: %v, %v", applied, err)
		}
		if c := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(10)); c.AllFive != 0 || c.Measures[0] != 0 {
			t.Errorf("after validity 30 applied: %+v, want nothing covered (checks of %s expired)", c, d0)
		}
		if applied, err := s.ApplyDueRuleSets(ctx); err != nil || applied {
			t.Errorf("apply twice: %v, %v", applied, err)
		}

		versions, err := s.RuleSetVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 3 || versions[0].RuleSet.Version != 4 || !versions[0].Applied || versions[0].CreatedBy != "" {
			t.Errorf("versions: %+v", versions)
		}

		// A future version can be cancelled; one in force cannot.
		rs.EffectiveFrom = d0.AddDays(40)
		if _, err := s.CreateRuleSet(ctx, testAdmin, ruleChange(rs)); err != nil {
			t.Fatal(err)
		}
		versions, _ = s.RuleSetVersions(ctx)
		if err := s.CancelRuleSet(ctx, testAdmin, versions[0].ID); err != nil {
			t.Errorf("cancel a future version: %v", err)
		}
		if err := s.CancelRuleSet(ctx, testAdmin, versions[1].ID); !errors.Is(err, ErrConflict) {
			t.Errorf("cancel the version in force: got %v, want ErrConflict", err)
		}
		trail, n, err := s.AuditTrail(ctx, AuditQuery{Entity: "rule_set"})
		if err != nil || n != 4 || trail[0].Action != "cancel" || trail[3].Old == "" {
			t.Errorf("rule set audit: %d %+v %v", n, trail, err)
		}
		// Rule set changes belong to no division: an inspector does not see them.
		if _, n, _ := s.AuditTrail(ctx, AuditQuery{Scope: "150100", Entity: "rule_set"}); n != 0 {
			t.Errorf("inspector sees %d rule set entries", n)
		}
		// The replay applies the versions on their days and agrees.
		before := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(10))
		if err := s.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		if after := coverageOf(t, s, "150000", model.BasisVerified, d0.AddDays(10)); after != before {
			t.Errorf("rebuild: %+v, incremental %+v", after, before)
		}
	})
}

// english renders reasons as the API does, from the English catalog.
func english(t *testing.T, rs []model.Reason) string {
	t.Helper()
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b.Localizer(i18n.English).Reasons(rs)
}
