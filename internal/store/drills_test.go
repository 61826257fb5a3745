package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestDrillsOnTheDueList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		today := model.NewDate(2026, 9, 30)
		s, _ := newTestStore(t, engine, today)
		ctx := context.Background()
		drill := func(sc model.School, on model.Date) {
			t.Helper()
			if _, err := s.AddDrill(ctx, testAdmin, sc.ID, model.DrillInput{HeldOn: on, Kind: model.DrillFire, Participants: 300}); err != nil {
				t.Fatal(err)
			}
		}
		exact := addSchool(t, s, "1501020001", "150102", 500) // drilled 30 days ago: not due
		drill(exact, today-40)
		drill(exact, today-30)
		late := addSchool(t, s, "1501020002", "150102", 500) // 31 days ago: due
		drill(late, today-31)
		never := addSchool(t, s, "1501020003", "150102", 500) // never: due
		kg, err := s.SaveSchool(ctx, testAdmin, model.School{Code: "1501030001", Name: "幼儿园", Type: model.Kindergarten,
			DivisionCode: "150103", Students: 100, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		drill(kg, today-90) // a kindergarten 90 days ago: not due
		baotou := addSchool(t, s, "1502020001", "150202", 500)
		drill(baotou, today-20) // due only under Baotou's own 14-day rule
		if _, err := s.CreateRuleSet(ctx, testAdmin, model.RuleChange{DivisionCode: "150200", EffectiveFrom: today,
			Params: map[string]json.RawMessage{"drill_interval_days": json.RawMessage("14")}}); err != nil {
			t.Fatal(err)
		}
		var fe model.FieldErrors
		if _, err := s.AddDrill(ctx, testAdmin, late.ID, model.DrillInput{HeldOn: today + 1, Kind: model.DrillFire}); !errors.As(err, &fe) {
			t.Errorf("a drill tomorrow: err = %v", err)
		}
		if _, err := s.AddDrill(ctx, testAdmin, late.ID, model.DrillInput{HeldOn: today, Kind: "party"}); !errors.As(err, &fe) {
			t.Errorf("an unknown kind: err = %v", err)
		}

		due := func(q DueQuery) map[string]model.DueKind {
			t.Helper()
			items, total, err := s.DueSchools(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]model.DueKind{}
			for _, it := range items {
				if it.Kind == model.DueDrill {
					out[it.School.Code] = it.Kind
				}
			}
			if int(total) != len(items) {
				t.Errorf("total %d, %d items", total, len(items))
			}
			return out
		}
		got := due(DueQuery{Kind: model.DueDrill})
		want := map[string]bool{late.Code: true, never.Code: true, baotou.Code: true}
		if len(got) != len(want) {
			t.Errorf("drill due = %v, want %v", got, want)
		}
		for code := range want {
			if _, ok := got[code]; !ok {
				t.Errorf("%s is not due a drill: %v", code, got)
			}
		}
		// The whole list has the check rows and the drill rows: every
		// school was never checked, and three are due drills.
		items, total, err := s.DueSchools(ctx, DueQuery{Under: "150100"})
		if err != nil || total != 6 || len(items) != 6 {
			t.Fatalf("whole list under 150100: %d rows (%d), %v", len(items), total, err)
		}
		if items[0].Kind != model.DueNever || items[5].Kind != model.DueDrill || items[4].Kind != model.DueDrill {
			t.Errorf("order: %v … %v", items[0].Kind, items[5].Kind)
		}
		if items[4].LastDrillOn != nil || items[5].LastDrillOn == nil {
			t.Errorf("never drilled should come first among the drill rows")
		}
		drill(late, today)
		if got := due(DueQuery{Kind: model.DueDrill, Under: "150102"}); len(got) != 1 {
			t.Errorf("after a drill today, due under 150102 = %v", got)
		}
	})
}

func TestDrillDueNotifications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		d0 := model.NewDate(2026, 3, 1)
		s, c := newTestStore(t, engine, d0)
		ctx := context.Background()
		a := addSchool(t, s, "A", "150102", 500)
		kg, err := s.SaveSchool(ctx, testAdmin, model.School{Code: "K", Name: "幼儿园", Type: model.Kindergarten,
			DivisionCode: "150102", Students: 80, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ids := notifyUsers(t, s, model.User{Username: "school-a", Role: model.SchoolRep, ScopeCode: "A"},
			model.User{Username: "school-k", Role: model.SchoolRep, ScopeCode: "K"})
		if _, err := s.AddDrill(ctx, testAdmin, a.ID, model.DrillInput{HeldOn: d0, Kind: model.DrillFire}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDrill(ctx, testAdmin, kg.ID, model.DrillInput{HeldOn: d0, Kind: model.DrillEarthquake}); err != nil {
			t.Fatal(err)
		}
		for d := d0; d <= d0.AddDays(100); d++ {
			runJob(t, s, c, d)
		}
		drillsOnly := func(all []string) []string {
			var out []string
			for _, n := range all {
				if strings.HasPrefix(n, "drill_due") {
					out = append(out, n)
				}
			}
			return out
		}
		// The school's last drill (d0) lapses on d0+31, the kindergarten's on d0+91; once each.
		if diff := cmp.Diff([]string{"drill_due/" + d0.AddDays(31).String() + " A@" + d0.AddDays(31).String()}, drillsOnly(received(t, s, ids["school-a"]))); diff != "" {
			t.Errorf("school-a (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"drill_due/" + d0.AddDays(91).String() + " K@" + d0.AddDays(91).String()}, drillsOnly(received(t, s, ids["school-k"]))); diff != "" {
			t.Errorf("school-k (-want +got):\n%s", diff)
		}
	})
}
