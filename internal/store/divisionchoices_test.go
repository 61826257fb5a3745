package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestDivisionsWithinListsTheScopeByLevel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		s, _ := newTestStore(t, engine, model.NewDate(2026, 3, 2))
		ctx := context.Background()
		for _, tc := range []struct {
			scope string
			want  []string
		}{
			{"", []string{"150000", "150100", "150200", "150102", "150103", "150202"}},
			{"150000", []string{"150000", "150100", "150200", "150102", "150103", "150202"}},
			{"150100", []string{"150100", "150102", "150103"}},
			{"150202", []string{"150202"}},
			{"999999", nil},
		} {
			divs, err := s.DivisionsWithin(ctx, tc.scope)
			if err != nil {
				t.Fatalf("DivisionsWithin(%q): %v", tc.scope, err)
			}
			var got []string
			for _, d := range divs {
				got = append(got, d.Code)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DivisionsWithin(%q) codes (-want +got):\n%s", tc.scope, diff)
			}
		}
		divs, err := s.DivisionsWithin(ctx, "150100")
		if err != nil {
			t.Fatal(err)
		}
		want := model.Division{Code: "150102", Name: "新城区", ParentCode: "150100", Level: model.LevelCounty}
		if diff := cmp.Diff(want, divs[1]); diff != "" {
			t.Errorf("a county's names and level (-want +got):\n%s", diff)
		}
	})
}
