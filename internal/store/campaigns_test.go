package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestCampaignLedger(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk := newTestStore(t, engine, d0)
		a, b, c := threeVerifiedSchools(t, s, "500000000", d0)
		raise := func(sc model.School, m model.Measure) model.Hazard {
			t.Helper()
			h, err := s.CreateHazard(ctx, testInspector, sc.ID, HazardInput{Measure: m, Description: "x", Severity: model.Low, Deadline: clk.today().AddDays(30)})
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		clk.day(d0.AddDays(1))
		ha := raise(a, model.NursingPost)
		clk.day(d0.AddDays(2))
		d := addSchool(t, s, "5000000004", "150103", 300) // never checked: all five open

		in := model.CampaignInput{Name: "护校安园专项行动", DivisionCode: "150100", StartsOn: d0.AddDays(3), EndsOn: d0.AddDays(20)}
		in.Targets[5] = model.Percent{Tenths: 900, Valid: true}
		bad := in
		bad.EndsOn = in.StartsOn.AddDays(-1)
		var fe model.FieldErrors
		if _, err := s.CreateCampaign(ctx, testAdmin, bad); !errors.As(err, &fe) || fe.For("ends_on") == "" {
			t.Errorf("ending before it starts: %v", err)
		}
		bad = in
		bad.DivisionCode = "159999"
		if _, err := s.CreateCampaign(ctx, testAdmin, bad); !errors.As(err, &fe) || fe.For("division_code") == "" {
			t.Errorf("unknown division: %v", err)
		}
		camp, err := s.CreateCampaign(ctx, testAdmin, in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Campaign(ctx, camp.ID); err != nil || got.Targets != in.Targets || got.Name != in.Name {
			t.Errorf("stored campaign %+v, %v", got, err)
		}

		clk.day(d0.AddDays(5))
		if _, err := s.CloseHazard(ctx, testInspector, ha.ID); err != nil {
			t.Fatal(err)
		}
		clk.day(d0.AddDays(6))
		raise(b, model.VideoNetworking)
		clk.day(d0.AddDays(8))
		raise(c, model.VideoNetworking) // outside the campaign's division
		clk.day(d0.AddDays(10))

		type line struct {
			School  string
			Measure model.Measure
			AtStart bool
			Opened  model.Date
			Closed  string
		}
		read := func(asOf model.Date) []line {
			t.Helper()
			entries, err := s.CampaignLedger(ctx, camp, asOf)
			if err != nil {
				t.Fatal(err)
			}
			var out []line
			for _, e := range entries {
				l := line{e.School.Code, e.Measure, e.AtStart, e.OpenedOn, ""}
				if e.ClosedOn != nil {
					l.Closed = e.ClosedOn.String()
				}
				out = append(out, l)
			}
			return out
		}
		start := d0.AddDays(2)
		want := []line{{a.Code, model.NursingPost, true, start, d0.AddDays(5).String()}}
		for _, m := range model.Measures {
			want = append(want, line{d.Code, m, true, start, ""})
		}
		want = append(want, line{b.Code, model.VideoNetworking, false, d0.AddDays(6), ""})
		got := read(d0.AddDays(10))
		if diff := cmp.Diff(want, got, cmp.Transformer("sort", sortLines[line])); diff != "" {
			t.Errorf("ledger (-want +got):\n%s", diff)
		}
		entries, _ := s.CampaignLedger(ctx, camp, d0.AddDays(10))
		if sum := model.Summarize(entries); sum != (model.LedgerSummary{OpenAtStart: 6, Closed: 1, Opened: 1, Remaining: 6}) {
			t.Errorf("summary %+v", sum)
		}
		// As of a day inside the campaign, later changes do not show.
		early, _ := s.CampaignLedger(ctx, camp, d0.AddDays(4))
		if sum := model.Summarize(early); sum != (model.LedgerSummary{OpenAtStart: 6, Remaining: 6}) {
			t.Errorf("summary as of day 4: %+v", sum)
		}
		// Before the campaign starts there is no ledger.
		if none, _ := s.CampaignLedger(ctx, camp, d0.AddDays(1)); len(none) != 0 {
			t.Errorf("ledger before the start: %v", none)
		}
		running, err := s.RunningCampaigns(ctx, "150100", d0.AddDays(10))
		if err != nil || len(running) != 1 {
			t.Errorf("running campaigns %v, %v", running, err)
		}
		if list, err := s.Campaigns(ctx, "150200"); err != nil || len(list) != 0 {
			t.Errorf("campaigns within 150200: %v, %v", list, err)
		}
	})
}

// sortLines orders ledger lines for comparison.
func sortLines[T any](in []T) []string {
	out := make([]string, len(in))
	for i, l := range in {
		out[i] = fmt.Sprint(l)
	}
	slices.Sort(out)
	return out
}
