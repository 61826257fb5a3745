package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestDueListBoundaries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		today := model.NewDate(2026, 9, 1)
		s, clk := newTestStore(t, engine, today.AddDays(-200))
		validity := model.DefaultRuleSet().ValidityDays
		// Each school's last valid day is today + offset (check on that day − validity).
		schools := map[string]int{
			"1000000031": 31,  // not yet due
			"1000000030": 30,  // soon: expires in 30 days
			"1000000000": 0,   // soon: last valid day is today
			"1000000901": -1,  // expired yesterday
			"1000000940": -40, // expired 40 days ago
		}
		for code, offset := range schools {
			sc := addSchool(t, s, code, "150102", 500)
			on := today.AddDays(offset - validity)
			clk.day(on)
			submit(t, s, sc, on, goodFacts(on))
		}
		clk.day(today.AddDays(-300))
		never := addSchool(t, s, "1000000999", "150102", 500)
		other := addSchool(t, s, "2000000999", "150202", 500)
		closed := addSchool(t, s, "1000000998", "150102", 500)
		if err := s.SetSchoolActive(ctx, testAdmin, closed.Code, false); err != nil {
			t.Fatal(err)
		}
		clk.day(today)
		// Every school drilled today: the list below is of checks alone
		// (drills_test.go covers the drill rows).
		for _, code := range []string{"1000000031", "1000000030", "1000000000", "1000000901", "1000000940", never.Code, other.Code} {
			sc, err := s.School(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddDrill(ctx, testAdmin, sc.ID, model.DrillInput{HeldOn: today, Kind: model.DrillFire}); err != nil {
				t.Fatal(err)
			}
		}

		type row struct {
			Code string
			Kind model.DueKind
			Late int
		}
		list := func(q DueQuery) []row {
			t.Helper()
			items, total, err := s.DueSchools(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if int(total) != len(items) {
				t.Errorf("total %d, %d items", total, len(items))
			}
			var out []row
			for _, it := range items {
				out = append(out, row{it.School.Code, it.Kind, it.DaysLate})
			}
			return out
		}
		want := []row{
			{never.Code, model.DueNever, 0},
			{"1000000940", model.DueExpired, 40},
			{"1000000901", model.DueExpired, 1},
			{"1000000000", model.DueSoon, 0},
			{"1000000030", model.DueSoon, -30},
		}
		if diff := cmp.Diff(want, list(DueQuery{Under: "150102"})); diff != "" {
			t.Errorf("due in 150102 (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want[1:3], list(DueQuery{Under: "150102", Kind: model.DueExpired})); diff != "" {
			t.Errorf("expired only (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want[3:], list(DueQuery{Under: "150102", Kind: model.DueSoon})); diff != "" {
			t.Errorf("soon only (-want +got):\n%s", diff)
		}
		if got := list(DueQuery{Under: "150000"}); len(got) != 6 || got[1].Code != other.Code {
			t.Errorf("province: %+v, want the 6 schools, never-checked first by county", got)
		}
		// On the verified basis none of them was verified: all seven active
		// schools of the county are due, never checked.
		if got := list(DueQuery{Under: "150102", Basis: model.BasisVerified}); len(got) != 6 || got[5].Kind != model.DueNever {
			t.Errorf("verified basis: %+v", got)
		}
	})
}
