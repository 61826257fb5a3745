package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// reportHistory seeds two months of random activity on six schools across
// the test tree: checklists submitted and verified, inspections (some
// recorded days after the visit, out of order), hazards raised and closed.
func reportHistory(t *testing.T, s *Store, clk *clock, d0 model.Date, days int) {
	t.Helper()
	ctx := context.Background()
	var schools []model.School
	for i, div := range []string{"150102", "150102", "150103", "150103", "150202", "150202"} {
		schools = append(schools, addSchool(t, s, "200000000"+string(rune('1'+i)), div, 300))
	}
	r := rand.New(rand.NewPCG(14, 9))
	for day := d0; day < d0.AddDays(days); day++ {
		clk.day(day)
		for _, sc := range schools {
			switch r.IntN(10) {
			case 0, 1:
				c := submit(t, s, sc, day, goodFacts(day))
				if r.IntN(2) == 0 {
					verify(t, s, c)
				}
			case 2, 3:
				on := day.AddDays(-r.IntN(4))
				if on < d0 {
					on = d0
				}
				if _, err := s.CreateInspection(ctx, testInspector, sc.ID, InspectionInput{InspectedOn: on}); err != nil {
					t.Fatal(err)
				}
			case 4:
				if _, err := s.CreateHazard(ctx, testInspector, sc.ID, HazardInput{Measure: model.Measures[r.IntN(5)],
					Description: "gate", Severity: model.Low, Deadline: day.AddDays(r.IntN(6))}); err != nil {
					t.Fatal(err)
				}
			case 5, 6:
				open, err := s.OpenHazards(ctx, sc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(open) > 0 {
					if _, err := s.CloseHazard(ctx, testInspector, open[r.IntN(len(open))].ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

// expectedFigures computes the report's activity figures of the division
// straight from the records, by SPEC section 9's definitions.
func expectedFigures(t *testing.T, s *Store, code string, from, to model.Date) model.ReportFigures {
	t.Helper()
	db := s.r
	var ids []int64
	if err := db.Raw(`SELECT s.id FROM schools s JOIN division_closure c ON c.descendant_code = s.division_code
		WHERE c.ancestor_code = ?`, code).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	var f model.ReportFigures
	if len(ids) == 0 {
		return f
	}
	in := func(d model.Date) bool { return d >= from && d <= to }
	day := func(t time.Time) model.Date { return model.DateOf(t.In(s.loc)) }
	var inspections []inspectionRow
	if err := db.Where("school_id IN ?", ids).Find(&inspections).Error; err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, i := range inspections {
		if in(i.InspectedOn) {
			f.Inspections++
			seen[i.SchoolID] = true
		}
	}
	f.SchoolsInspected = len(seen)
	var hazards []hazardRow
	if err := db.Where("school_id IN ?", ids).Find(&hazards).Error; err != nil {
		t.Fatal(err)
	}
	for _, h := range hazards {
		closedBy := func(d model.Date) bool { return h.ClosedAt != nil && day(*h.ClosedAt) <= d }
		if in(day(h.RaisedAt)) {
			f.HazardsFound++
			if closedBy(to) {
				f.FoundAndClosed++
			}
		}
		if h.ClosedAt != nil && in(day(*h.ClosedAt)) {
			f.HazardsClosed++
		}
		if day(h.RaisedAt) <= to && !closedBy(to) && h.Deadline < to {
			f.OverdueOpen++
		}
	}
	var checklists []checklistRow
	if err := db.Where("school_id IN ?", ids).Find(&checklists).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range checklists {
		if c.SubmittedAt != nil && in(day(*c.SubmittedAt)) {
			f.ChecklistsSubmitted++
		}
		if c.State == string(model.Verified) && in(day(*c.ReviewedAt)) {
			f.ChecklistsVerified++
		}
	}
	return f
}

// activityOnly drops the coverage from figures, for comparing with
// expectedFigures.
func activityOnly(f model.ReportFigures) model.ReportFigures {
	f.Start, f.End = model.Counts{}, model.Counts{}
	return f
}

func TestReportFiguresMatchTheRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 1)
		s, clk := newTestStore(t, engine, d0)
		reportHistory(t, s, clk, d0, 45)
		clk.day(d0.AddDays(46))
		periods := [][2]model.Date{
			{d0, d0.AddDays(44)},                         // everything
			{d0.AddDays(10), d0.AddDays(10)},             // one day
			{d0.AddDays(7), d0.AddDays(20)},              // a fortnight in the middle
			{d0.AddDays(30), d0.AddDays(60)},             // running past today
			{d0.AddDays(-20), d0.AddDays(-1)},            // before anything
			{model.NewDate(2026, 3, 31), d0.AddDays(40)}, // a month end
		}
		check := func(t *testing.T, label string) {
			for _, p := range periods {
				for _, code := range []string{"150000", "150100"} {
					d, err := s.Division(ctx, code)
					if err != nil {
						t.Fatal(err)
					}
					children, err := s.Children(ctx, code)
					if err != nil {
						t.Fatal(err)
					}
					rep, err := s.Report(ctx, d, children, p[0], p[1])
					if err != nil {
						t.Fatal(err)
					}
					if p == periods[0] && (rep.Inspections == 0 || rep.SchoolsInspected == 0 || rep.HazardsFound == 0 ||
						rep.HazardsClosed == 0 || rep.OverdueOpen == 0 || rep.ChecklistsVerified == 0) {
						t.Errorf("%s: the seeded history is too thin: %+v", code, rep.ReportFigures)
					}
					if diff := cmp.Diff(expectedFigures(t, s, code, p[0], p[1]), activityOnly(rep.ReportFigures)); diff != "" {
						t.Errorf("%s: %s %s..%s (-want +got):\n%s", label, code, p[0], p[1], diff)
					}
					for _, ch := range rep.Children {
						if diff := cmp.Diff(expectedFigures(t, s, ch.Division.Code, p[0], p[1]), activityOnly(ch.ReportFigures)); diff != "" {
							t.Errorf("%s: child %s %s..%s (-want +got):\n%s", label, ch.Division.Code, p[0], p[1], diff)
						}
					}
					// Coverage at the start is as of the day before from.
					if got, want := rep.Start, coverageOf(t, s, code, model.BasisVerified, p[0].AddDays(-1)); got != want {
						t.Errorf("%s: coverage_start %+v, want %+v", label, got, want)
					}
					if got, want := rep.End, coverageOf(t, s, code, model.BasisVerified, p[1]); got != want {
						t.Errorf("%s: coverage_end %+v, want %+v", label, got, want)
					}
				}
			}
		}
		check(t, "incremental")
		// The rebuild recounts the counters from the records alike.
		if err := s.RebuildCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		check(t, "rebuilt")
	})
}

func TestReportRectificationAndRanking(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 5, 4)
		s, clk := newTestStore(t, engine, d0)
		a, b, c := threeVerifiedSchools(t, s, "300000000", d0)
		// A hazard raised before the period and closed within it counts
		// as closed, not as found.
		before, err := s.CreateHazard(ctx, testInspector, c.ID, HazardInput{Measure: model.OneButtonAlarm, Description: "x", Severity: model.Low, Deadline: d0.AddDays(1)})
		if err != nil {
			t.Fatal(err)
		}
		from := d0.AddDays(1)
		clk.day(from)
		if _, err := s.CloseHazard(ctx, testInspector, before.ID); err != nil {
			t.Fatal(err)
		}
		// Three hazards at a, one closed: 33.3% (rounded down from 33.33).
		var hs []model.Hazard
		for _, m := range []model.Measure{model.NursingPost, model.ClosedManagement, model.SecurityGuards} {
			h, err := s.CreateHazard(ctx, testInspector, a.ID, HazardInput{Measure: m, Description: "x", Severity: model.Low, Deadline: from.AddDays(2)})
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		to := from.AddDays(5)
		clk.day(to)
		if _, err := s.CloseHazard(ctx, testInspector, hs[0].ID); err != nil {
			t.Fatal(err)
		}
		// Closed the day after the period: not rectified within it.
		clk.day(to.AddDays(1))
		if _, err := s.CloseHazard(ctx, testInspector, hs[1].ID); err != nil {
			t.Fatal(err)
		}
		province, err := s.Division(ctx, "150000")
		if err != nil {
			t.Fatal(err)
		}
		prefecture, err := s.Division(ctx, "150100")
		if err != nil {
			t.Fatal(err)
		}
		counties, err := s.Children(ctx, "150100")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.Report(ctx, prefecture, counties, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.RectificationRate(); got != (model.Percent{Tenths: 333, Valid: true}) {
			t.Errorf("rectification = %v, want 33.3%%", got)
		}
		// hs[1] and hs[2] are open at the end of to with a deadline before it.
		if rep.OverdueOpen != 2 || rep.HazardsFound != 3 || rep.HazardsClosed != 1 {
			t.Errorf("prefecture figures %+v", rep.ReportFigures)
		}
		// 150102 has its hazards open: 0% all five; 150103 100%.
		if got := []string{rep.Children[0].Division.Code, rep.Children[1].Division.Code}; !cmp.Equal(got, []string{"150103", "150102"}) {
			t.Errorf("ranking %v, want 150103 first", got)
		}
		if rep.Children[1].RectificationRate().Valid == false || rep.Children[0].RectificationRate().Valid {
			t.Errorf("rectification of 150103 (no hazards) must be null, of 150102 set: %v %v",
				rep.Children[0].RectificationRate(), rep.Children[1].RectificationRate())
		}
		prefectures, err := s.Children(ctx, "150000")
		if err != nil {
			t.Fatal(err)
		}
		rep, err = s.Report(ctx, province, prefectures, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if rep.HazardsClosed != 2 || rep.HazardsFound != 3 {
			t.Errorf("province figures %+v", rep.ReportFigures)
		}
		// Both prefectures: 150100 has 1 of 2 schools at all five (50%),
		// 150200 1 of 1 (100%); then tie them: close a's hazards.
		clk.day(to.AddDays(2))
		if _, err := s.CloseHazard(ctx, testInspector, hs[2].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateHazard(ctx, testInspector, b.ID, HazardInput{Measure: model.NursingPost, Description: "x", Severity: model.Low, Deadline: to.AddDays(9)}); err != nil {
			t.Fatal(err)
		}
		addSchool(t, s, "3000000004", "150202", 300)
		rep, err = s.Report(ctx, province, prefectures, to.AddDays(2), to.AddDays(2))
		if err != nil {
			t.Fatal(err)
		}
		var ranks []int
		var codes []string
		for _, ch := range rep.Children {
			ranks, codes = append(ranks, ch.Rank), append(codes, ch.Division.Code)
		}
		// 150100: a covered, b not (50%); 150200: c covered, d unchecked (50%).
		if !cmp.Equal(ranks, []int{1, 1}) || !cmp.Equal(codes, []string{"150100", "150200"}) {
			t.Errorf("tied ranking: ranks %v codes %v, want [1 1] [150100 150200]", ranks, codes)
		}
		if _, err := s.Report(ctx, province, prefectures, to, from); err == nil {
			t.Error("a period ending before it starts must be refused")
		}
	})
}

func TestHazardNamesItsInspection(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 4, 1)
		s, _ := newTestStore(t, engine, d0)
		a := addSchool(t, s, "4000000001", "150102", 300)
		b := addSchool(t, s, "4000000002", "150102", 300)
		in, err := s.CreateInspection(ctx, testInspector, a.ID, InspectionInput{InspectedOn: d0})
		if err != nil {
			t.Fatal(err)
		}
		h, err := s.CreateHazard(ctx, testInspector, a.ID, HazardInput{Measure: model.NursingPost, Description: "x", Severity: model.Low, Deadline: d0, InspectionID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Hazard(ctx, h.ID); err != nil || got.InspectionID != in.ID {
			t.Errorf("hazard inspection = %d, %v; want %d", got.InspectionID, err, in.ID)
		}
		_, err = s.CreateHazard(ctx, testInspector, b.ID, HazardInput{Measure: model.NursingPost, Description: "x", Severity: model.Low, Deadline: d0, InspectionID: in.ID})
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("inspection_id") == "" {
			t.Errorf("another school's inspection: got %v, want a field error on inspection_id", err)
		}
	})
}
