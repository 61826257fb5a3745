package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// TestRebuildAgreesWithIncremental runs a random workload of schools,
// checklists, reviews, hazards, enrolment changes, closures and rule
// profiles (effective at once or scheduled) over four months, then checks three ways of knowing coverage agree: the incremental
// ledger (every day, both bases, every division), the same after
// RebuildCoverage replays the raw records, and, for today, each school's
// status derived from scratch.
func TestRebuildAgreesWithIncremental(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		for _, seed := range []uint64{1, 2, 3} {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { testRebuildAgrees(t, engine, seed) })
		}
	})
}

func testRebuildAgrees(t *testing.T, engine string, seed uint64) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 1, 5)
	s, clk := newTestStore(t, engine, d0)
	r := rand.New(rand.NewPCG(seed, 7))
	counties := []string{"150102", "150103", "150202"}

	var schools []model.School
	var submitted []int64
	var drafts []int64
	var openHazards []int64
	const days = 120
	// Rule profiles: a province profile and a prefecture's partial one
	// effective the day they are made, a national version and a county
	// profile scheduled ahead, applied by the maintenance on their day.
	type ruleStep struct {
		division string
		ahead    int
		params   map[string]json.RawMessage
	}
	ruleSteps := map[int]ruleStep{
		3:  {"", 5, params("guard_basis", `"all_students"`)},
		15: {"150000", 0, params("guards_middle", "3", "min_retention_days", "20")},
		30: {"150100", 0, params("validity_days", "60")},
		45: {"", 10, params("guards_small", "2")},
		60: {"150202", 5, params("guards_large", "2", "students_per_extra_guard", "1000")},
		80: {"150100", 0, params("guards_middle", "2", "anti_ramming_required", "false")},
	}
	for day := 0; day < days; day++ {
		today := d0.AddDays(day)
		clk.day(today)
		if _, err := s.ApplyDueRuleSets(ctx); err != nil {
			t.Fatal(err)
		}
		if step, ok := ruleSteps[day]; ok {
			createRules(t, s, step.division, today.AddDays(step.ahead), step.params)
		}
		if day < 10 || r.IntN(10) == 0 {
			for range 1 + r.IntN(3) {
				n := len(schools) + 1
				students := 20 + r.IntN(2500)
				sc, err := s.SaveSchool(ctx, testAdmin, model.School{Code: fmt.Sprintf("S%04d", n), Name: fmt.Sprintf("学校%d", n),
					Type: model.Primary, DivisionCode: counties[r.IntN(len(counties))], Students: students,
					Boarders: r.IntN(students/4 + 1), Active: true})
				if err != nil {
					t.Fatal(err)
				}
				schools = append(schools, sc)
			}
		}
		for range r.IntN(6) {
			sc := schools[r.IntN(len(schools))]
			switch op := r.IntN(100); {
			case op < 40: // a checklist, submitted or draft
				f := goodFacts(today)
				guards := 1 + r.IntN(5)
				f.SecurityGuards.FullTimeGuards, f.SecurityGuards.LicensedGuards = &guards, &guards
				if r.IntN(4) == 0 {
					f.VideoNetworking.RetentionDays = ptr(15)
				}
				on := today.AddDays(-r.IntN(60))
				c, err := s.CreateChecklist(ctx, testAdmin, sc.ID, ChecklistInput{CheckedOn: on, Facts: f, Submit: r.IntN(5) > 0})
				if errors.Is(err, ErrNotFound) || errors.Is(err, ErrSchoolClosed) {
					continue // closed schools take no new work
				}
				if err != nil {
					t.Fatal(err)
				}
				if c.State == model.Draft {
					drafts = append(drafts, c.ID)
				} else {
					submitted = append(submitted, c.ID)
				}
			case op < 50 && len(drafts) > 0: // a draft submitted later
				i := r.IntN(len(drafts))
				c, err := s.Checklist(ctx, drafts[i])
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.UpdateChecklist(ctx, testAdmin, c.ID, ChecklistInput{CheckedOn: c.CheckedOn, Facts: goodFacts(c.CheckedOn), Submit: true}); errors.Is(err, ErrSchoolClosed) {
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				drafts = append(drafts[:i], drafts[i+1:]...)
				submitted = append(submitted, c.ID)
			case op < 75 && len(submitted) > 0: // a review
				i := r.IntN(len(submitted))
				var err error
				if r.IntN(4) == 0 {
					_, err = s.ReturnChecklist(ctx, testAdmin, submitted[i], "photos missing")
				} else {
					_, err = s.VerifyChecklist(ctx, testAdmin, submitted[i])
				}
				if errors.Is(err, ErrSchoolClosed) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				submitted = append(submitted[:i], submitted[i+1:]...)
			case op < 85: // a hazard
				m := model.MeasureOther
				if r.IntN(5) > 0 {
					m = model.Measures[r.IntN(5)]
				}
				h, err := s.CreateHazard(ctx, testAdmin, sc.ID, HazardInput{Measure: m, Description: "found on site", Severity: model.High, Deadline: today.AddDays(10)})
				if errors.Is(err, ErrSchoolClosed) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				openHazards = append(openHazards, h.ID)
			case op < 93 && len(openHazards) > 0:
				i := r.IntN(len(openHazards))
				if _, err := s.CloseHazard(ctx, testAdmin, openHazards[i]); err != nil {
					t.Fatal(err)
				}
				openHazards = append(openHazards[:i], openHazards[i+1:]...)
			case op < 97: // enrolment changes move the guard requirement
				cur, err := s.SchoolByID(ctx, sc.ID)
				if err != nil {
					t.Fatal(err)
				}
				cur.Students = 50 + r.IntN(2500)
				cur.Boarders = 0
				if _, err := s.SaveSchool(ctx, testAdmin, cur); err != nil {
					t.Fatal(err)
				}
			default: // closed, or reopened
				cur, err := s.SchoolByID(ctx, sc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.SetSchoolActive(ctx, testAdmin, cur.Code, !cur.Active); err != nil {
					t.Fatal(err)
				}
			}
		}
		if day == days/2 {
			if err := s.MaintainCheckpoints(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	today := d0.AddDays(days - 1)

	snapshot := func() map[string]model.Counts { return coverageFigures(t, s, d0.AddDays(-1), today.AddDays(200)) }
	incremental := snapshot()

	// From scratch: today's counts per division from each school's full
	// derivation must equal the ledger's.
	fresh := map[string]model.Counts{}
	for _, sc := range schools {
		cur, err := s.SchoolByID(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range model.Bases {
			st, err := s.SchoolStatus(ctx, cur, b)
			if err != nil {
				t.Fatal(err)
			}
			anc, err := s.Ancestors(ctx, cur.DivisionCode)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range append(anc, model.Division{Code: cur.DivisionCode}) {
				k := fmt.Sprintf("%s %s %s", today, b, d.Code)
				c := fresh[k]
				if cur.Active {
					c.Schools++
				}
				c.Tally(st)
				fresh[k] = c
			}
		}
	}
	for k, want := range fresh {
		if got := incremental[k]; got != want && want != (model.Counts{}) {
			t.Errorf("%s: ledger %+v, derived from scratch %+v", k, got, want)
		}
	}

	if err := s.RebuildCoverage(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(incremental, snapshot()); diff != "" {
		t.Errorf("rebuild differs from incremental (-incremental +rebuild):\n%s", diff)
	}
	if t.Failed() {
		return
	}
	t.Logf("%d schools, %d non-empty coverage cells compared", len(schools), len(incremental))
}
