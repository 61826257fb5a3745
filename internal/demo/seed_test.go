package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"safecampus/internal/demo"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/store"
)

// The demo shows a report and campaigns at once: last month's report of the
// region counts inspections, and one campaign runs while another is over.
func TestSeedHasReportsAndCampaigns(t *testing.T) {
	ctx := context.Background()
	beijing, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := model.NewDate(2026, 5, 20)
	now := today.Time(beijing).Add(10 * time.Hour)
	st, err := store.Open(store.Options{DSN: filepath.Join(t.TempDir(), "demo.db"), Now: func() time.Time { return now },
		Location: beijing, NoSync: true, ExemptPassword: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	divisions := roster.InnerMongolia()
	if err := st.ImportDivisions(ctx, divisions); err != nil {
		t.Fatal(err)
	}
	counties, err := st.Counties(ctx, "150100")
	if err != nil {
		t.Fatal(err)
	}
	logins, err := demo.Seed(ctx, st, counties, 7)
	if err != nil {
		t.Fatal(err)
	}
	region := logins[1].Scope
	d, err := st.Division(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	children, err := st.Children(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := st.Report(ctx, d, children, model.NewDate(2026, 4, 1), model.NewDate(2026, 4, 30))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Inspections < 30 || rep.SchoolsInspected == 0 || rep.ChecklistsSubmitted == 0 {
		t.Errorf("April's report of %s: %+v", region, rep.ReportFigures)
	}
	campaigns, err := st.Campaigns(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	var running, finished int
	for _, c := range campaigns {
		switch {
		case c.Running(today):
			running++
		case c.EndsOn < today:
			finished++
		}
	}
	if running != 1 || finished != 1 {
		t.Errorf("campaigns %+v: want one running, one finished", campaigns)
	}
	// Escort posts with check-ins: a presence figure, not 0 nor 100%.
	pres, _, err := st.Presence(ctx, region, today.AddDays(-30), today.AddDays(-1))
	if err != nil {
		t.Fatal(err)
	}
	if pres.Posts == 0 || pres.WithPolice == 0 || pres.WithPolice >= pres.Sessions {
		t.Errorf("presence in %s: %+v", region, pres)
	}
}
