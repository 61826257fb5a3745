package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"safecampus/internal/model"
)

// LoadHistory (bulk rows, then the rebuild) leaves the same coverage, the
// same checklists and the same import audit as writing the same history
// day by day through BulkSubmit and BulkReview with the clock moved along.
func TestLoadHistoryMatchesDayByDay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 1, 5)
		const days = 60
		counties := []string{"150102", "150103", "150202"}
		var lines []model.SchoolLine
		for i := range 90 {
			lines = append(lines, model.SchoolLine{Line: i + 2, School: model.School{Code: fmt.Sprintf("H%04d", 90-i),
				Name: fmt.Sprintf("历史学校%d", i), Type: model.Primary, DivisionCode: counties[i%3], Students: 100 + 37*i,
				Ownership: model.Public, Active: true}})
		}
		// The plan: each school's one checklist, its state and its days.
		r := rand.New(rand.NewPCG(5, 5))
		type plan struct {
			code           string
			on, sent, seen model.Date
			state          model.ChecklistState
		}
		var plans []plan
		for _, l := range lines {
			if r.IntN(6) == 0 {
				continue // never checked
			}
			sent := d0.AddDays(1 + r.IntN(days-5))
			p := plan{code: l.School.Code, on: sent, sent: sent, seen: sent.AddDays(r.IntN(4)),
				state: []model.ChecklistState{model.Draft, model.Submitted, model.Verified, model.Verified, model.Returned}[r.IntN(5)]}
			plans = append(plans, p)
		}
		last := d0.AddDays(days)

		stores := map[string]*Store{}
		for _, way := range []string{"daily", "bulk"} {
			s, clk := newTestStore(t, engine, d0)
			stores[way] = s
			if _, err := s.ImportSchools(ctx, testAdmin, lines, false); err != nil {
				t.Fatal(err)
			}
			ids, err := s.SchoolIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if way == "bulk" {
				var cs []HistoricChecklist
				for _, p := range plans {
					cs = append(cs, HistoricChecklist{SchoolID: ids[p.code], CheckedOn: p.on, Facts: goodFacts(p.on), State: p.state,
						Submitted: p.sent.Time(s.loc).Add(12 * time.Hour), Reviewed: p.seen.Time(s.loc).Add(12 * time.Hour),
						ReturnReason: "照片缺失"})
				}
				clk.day(last)
				if err := s.LoadHistory(ctx, testAdmin, cs); err != nil {
					t.Fatal(err)
				}
				continue
			}
			made := map[string]int64{}
			for d := d0; d <= last; d++ {
				clk.day(d)
				var batch []BulkChecklist
				var codes []string
				for _, p := range plans {
					if p.sent == d {
						batch = append(batch, BulkChecklist{SchoolID: ids[p.code], CheckedOn: p.on, Facts: goodFacts(p.on), Draft: p.state == model.Draft})
						codes = append(codes, p.code)
					}
				}
				if len(batch) > 0 {
					got, err := s.BulkSubmit(ctx, testAdmin, batch)
					if err != nil {
						t.Fatal(err)
					}
					for i, c := range codes {
						made[c] = got[i]
					}
				}
				for _, p := range plans {
					if p.seen == d && (p.state == model.Verified || p.state == model.Returned) {
						reason := ""
						if p.state == model.Returned {
							reason = "照片缺失"
						}
						if err := s.BulkReview(ctx, testAdmin, []int64{made[p.code]}, p.state, reason); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
		daily, bulk := coverageFigures(t, stores["daily"], d0.AddDays(-1), last.AddDays(200)), coverageFigures(t, stores["bulk"], d0.AddDays(-1), last.AddDays(200))
		if len(daily) == 0 {
			t.Fatal("no coverage at all")
		}
		for k, c := range daily {
			if bulk[k] != c {
				t.Errorf("coverage %s: daily %v, bulk %v", k, c, bulk[k])
			}
		}
		if len(daily) != len(bulk) {
			t.Errorf("coverage: %d figures daily, %d bulk", len(daily), len(bulk))
		}
		rows := func(s *Store, q string) []string {
			var out []map[string]any
			if err := s.r.Raw(q).Scan(&out).Error; err != nil {
				t.Fatal(err)
			}
			lines := make([]string, len(out))
			for i, r := range out {
				lines[i] = fmt.Sprint(r)
			}
			return lines
		}
		for _, q := range []string{
			"SELECT s.code, c.checked_on, c.state, c.facts, c.return_reason, c.submitted_at, c.reviewed_at, c.updated_at, c.created_at FROM checklists c JOIN schools s ON s.id = c.school_id ORDER BY s.code",
			"SELECT s.code, v.basis, v.active, v.checked_on, v.expires_on, v.all_five, v.reasons FROM school_coverage v JOIN schools s ON s.id = v.school_id ORDER BY s.code, v.basis",
			"SELECT at, action, entity, entity_id, division_code, old_value, new_value FROM audit_log WHERE entity = 'school' ORDER BY id",
		} {
			a, b := rows(stores["daily"], q), rows(stores["bulk"], q)
			if len(a) == 0 || len(a) != len(b) {
				t.Errorf("%s: %d rows daily, %d bulk", q, len(a), len(b))
				continue
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("%s, row %d:\ndaily %s\nbulk  %s", q, i, a[i], b[i])
					break
				}
			}
		}
		for _, s := range stores {
			if _, err := s.VerifyAudit(ctx); err != nil {
				t.Error(err)
			}
		}
	})
}

// coverageFigures is every non-zero coverage figure of the test tree's
// divisions, per day from from to to and basis.
func coverageFigures(t *testing.T, s *Store, from, to model.Date) map[string]model.Counts {
	t.Helper()
	divisions := []string{"150000", "150100", "150102", "150103", "150200", "150202"}
	out := map[string]model.Counts{}
	for d := from; d <= to; d++ {
		for _, b := range model.Bases {
			got, err := s.Coverage(context.Background(), divisions, b, d)
			if err != nil {
				t.Fatal(err)
			}
			for code, c := range got {
				if c != (model.Counts{}) {
					out[fmt.Sprintf("%s %s %s", d, b, code)] = c
				}
			}
		}
	}
	return out
}
