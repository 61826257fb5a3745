package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// seedInspections records on-site inspections across the demo's months, a
// few a day, each on its day with the store's clock there, so that period
// reports have something to count. They find nothing wrong (hazards are
// raised by seedHazards, today), so the coverage history stays as replayed.
func seedInspections(ctx context.Context, st *store.Store, roster []model.School, ids map[string]int64, today model.Date, r *rand.Rand) error {
	loc := st.Location()
	var clock time.Time
	sim := st.WithClock(func() time.Time { return clock })
	inspector := model.User{Username: "demo-seed"}
	for day := today.AddDays(-150); day < today; day++ {
		clock = day.Time(loc).Add(15 * time.Hour)
		for range 1 + r.IntN(4) {
			id, ok := ids[roster[r.IntN(len(roster))].Code]
			if !ok {
				continue
			}
			var findings []store.FindingInput
			for _, m := range model.Measures {
				findings = append(findings, store.FindingInput{Measure: m, Result: model.FindingOK})
			}
			if _, err := sim.CreateInspection(ctx, inspector, id, store.InspectionInput{InspectedOn: day,
				Participants: "演示检查组", Findings: findings}); err != nil {
				return fmt.Errorf("seed inspection: %w", err)
			}
		}
	}
	return nil
}

// seedCampaigns launches two campaigns over the region: one finished two
// months ago, one running now.
func seedCampaigns(ctx context.Context, st *store.Store, region string, today model.Date) error {
	leader := model.User{Username: "demo-seed"}
	finished := model.CampaignInput{Name: "校园安全隐患百日整治（演示）", DivisionCode: region,
		StartsOn: today.AddDays(-160), EndsOn: today.AddDays(-60)}
	finished.Targets[5] = model.Percent{Tenths: 800, Valid: true}
	running := model.CampaignInput{Name: "护校安园专项行动（演示）", DivisionCode: region,
		StartsOn: today.AddDays(-45), EndsOn: today.AddDays(45)}
	running.Targets[2] = model.Percent{Tenths: 980, Valid: true}
	running.Targets[5] = model.Percent{Tenths: 950, Valid: true}
	for _, in := range []model.CampaignInput{finished, running} {
		if _, err := st.CreateCampaign(ctx, leader, in); err != nil {
			return fmt.Errorf("seed campaign: %w", err)
		}
	}
	return nil
}
