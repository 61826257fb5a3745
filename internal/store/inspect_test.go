package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// Tests of the inspectors' tools: the hazard lifecycle, inspections,
// batch review, due lists, rule changes and the audit trail.

var testInspector = model.User{Username: "test-inspector", Role: model.Inspector, ScopeCode: "150100"}

// covered reads whether measure i is covered at the school on the basis,
// from the ledger (what dashboards show) and from the school's own status
// (what the school page shows), and fails when they disagree.
func covered(t *testing.T, s *Store, sc model.School, basis model.Basis, i int) bool {
	t.Helper()
	st, err := s.SchoolStatus(context.Background(), sc, basis)
	if err != nil {
		t.Fatal(err)
	}
	return st.Measures[i].Covered
}

func TestHazardLifecycle(t *testing.T) {
	forEachEngine(t, testHazardLifecycle)
}

func testHazardLifecycle(t *testing.T, engine string) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 3, 2)
	s, clk := newTestStore(t, engine, d0)
	a := addSchool(t, s, "1000000001", "150102", 500)
	verify(t, s, submit(t, s, a, d0, goodFacts(d0)))
	video := model.VideoNetworking.Index()
	county := func() model.Counts { return coverageOf(t, s, "150102", model.BasisVerified, clk.today()) }
	if got := county(); got.Measures[video] != 1 || got.AllFive != 1 {
		t.Fatalf("before the hazard: %+v", got)
	}

	h, err := s.CreateHazard(ctx, testInspector, a.ID, HazardInput{Measure: model.VideoNetworking, Description: "camera at the gate broken",
		Severity: model.High, Deadline: d0.AddDays(7)})
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string, state model.HazardState, wantCovered bool) {
		t.Helper()
		got, err := s.Hazard(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != state {
			t.Errorf("%s: state %s, want %s", step, got.State, state)
		}
		c := county()
		if (c.Measures[video] == 1) != wantCovered || (c.AllFive == 1) != wantCovered {
			t.Errorf("%s: county coverage %+v, want video covered = %v", step, c, wantCovered)
		}
		if covered(t, s, a, model.BasisVerified, video) != wantCovered {
			t.Errorf("%s: school status covered = %v, want %v", step, !wantCovered, wantCovered)
		}
	}
	check("raised", model.HazardOpen, false)

	// Sending back an open hazard, closing from a state it is not in: conflicts.
	if _, err := s.SendBackHazard(ctx, testInspector, h.ID, "not fixed"); !errors.Is(err, ErrConflict) {
		t.Errorf("send back an open hazard: got %v, want ErrConflict", err)
	}
	if _, err := s.CloseHazardFrom(ctx, testInspector, h.ID, model.HazardAnswered, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("close as answered while open: got %v, want ErrConflict", err)
	}
	// An answer needs words.
	var fe model.FieldErrors
	if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "  ", nil); !errors.As(err, &fe) || fe.For("answer") == "" {
		t.Errorf("empty answer: got %v, want a field error on answer", err)
	}

	clk.day(d0.AddDays(2))
	files := []EvidenceInput{{StoredName: "ab/0123456789abcdef0123456789abcdef.jpg", FileName: "gate.jpg", ContentType: "image/jpeg",
		Size: 1234, SHA256: "x", Width: 640, Height: 480}}
	if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "camera replaced", files); err != nil {
		t.Fatal(err)
	}
	check("answered", model.HazardAnswered, false)
	if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "again", nil); !errors.Is(err, ErrConflict) {
		t.Errorf("answer twice: got %v, want ErrConflict", err)
	}
	ev, err := s.HazardEvidence(ctx, h.ID)
	if err != nil || len(ev) != 1 || ev[0].FileName != "gate.jpg" || ev[0].HazardEventID == 0 || ev[0].SchoolID != a.ID {
		t.Errorf("evidence of the answer: %+v, %v", ev, err)
	}

	if _, err := s.SendBackHazard(ctx, testInspector, h.ID, ""); !errors.As(err, &fe) || fe.For("reason") == "" {
		t.Errorf("send back without a reason: got %v, want a field error on reason", err)
	}
	if _, err := s.SendBackHazard(ctx, testInspector, h.ID, "still no picture at night"); err != nil {
		t.Fatal(err)
	}
	check("sent back", model.HazardOpen, false)
	if got, _ := s.Hazard(ctx, h.ID); got.Answer != "" {
		t.Errorf("answer after send-back = %q, want it cleared", got.Answer)
	}

	clk.day(d0.AddDays(4))
	if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "infrared camera installed", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseHazardFrom(ctx, testInspector, h.ID, model.HazardAnswered, "checked on site"); err != nil {
		t.Fatal(err)
	}
	check("closed", model.HazardClosed, true)
	if _, err := s.CloseHazard(ctx, testInspector, h.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("close twice: got %v, want ErrConflict", err)
	}
	if _, err := s.CloseHazard(ctx, testInspector, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("close unknown: got %v, want ErrNotFound", err)
	}

	events, err := s.HazardEvents(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []model.HazardEventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	want := []model.HazardEventKind{model.HazardAnswer, model.HazardSendBack, model.HazardAnswer, model.HazardClose}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	trail, _, err := s.AuditTrail(ctx, AuditQuery{Entity: "hazard", EntityID: itoa(h.ID)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(trail) - 1; i >= 0; i-- {
		actions = append(actions, trail[i].Action+" by "+trail[i].Username)
	}
	wantActions := []string{"create by test-inspector", "answer by test-admin", "send_back by test-inspector",
		"answer by test-admin", "close by test-inspector"}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("audit trail of the hazard (-want +got):\n%s", diff)
	}
	if trail[0].DivisionCode != "150102" || trail[0].Old == "" || trail[0].New == "" {
		t.Errorf("close entry: %+v, want the county and old and new values", trail[0])
	}

	// History: the dashboard as of the day before the hazard shows it covered,
	// as of the day it was raised not; the replay agrees.
	before := coverageOf(t, s, "150102", model.BasisVerified, d0.AddDays(3))
	if err := s.RebuildCoverage(ctx); err != nil {
		t.Fatal(err)
	}
	if after := coverageOf(t, s, "150102", model.BasisVerified, d0.AddDays(3)); after != before {
		t.Errorf("rebuild changed the history: %+v, was %+v", after, before)
	}
}

func TestHazardListFilters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500)
		b := addSchool(t, s, "1000000002", "150202", 500)
		raise := func(sc model.School, m model.Measure, deadline model.Date) model.Hazard {
			t.Helper()
			h, err := s.CreateHazard(ctx, testAdmin, sc.ID, HazardInput{Measure: m, Description: "x", Severity: model.Medium, Deadline: deadline})
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		h1 := raise(a, model.VideoNetworking, d0.AddDays(1))
		h2 := raise(a, model.MeasureOther, d0.AddDays(20))
		h3 := raise(b, model.VideoNetworking, d0.AddDays(3))
		h4 := raise(b, model.NursingPost, d0.AddDays(30))
		if _, err := s.CloseHazard(ctx, testAdmin, h4.ID); err != nil {
			t.Fatal(err)
		}
		clk.day(d0.AddDays(5)) // h1 and h3 are now overdue
		ids := func(q HazardQuery) []int64 {
			t.Helper()
			items, total, err := s.Hazards(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if int(total) != len(items) {
				t.Errorf("%+v: total %d, %d items", q, total, len(items))
			}
			var out []int64
			for _, it := range items {
				out = append(out, it.Hazard.ID)
			}
			return out
		}
		tests := []struct {
			name string
			q    HazardQuery
			want []int64
		}{
			{"active, by deadline", HazardQuery{}, []int64{h1.ID, h3.ID, h2.ID}},
			{"all, closed last", HazardQuery{State: HazardsAll}, []int64{h1.ID, h3.ID, h2.ID, h4.ID}},
			{"closed", HazardQuery{State: HazardsClosed}, []int64{h4.ID}},
			{"overdue", HazardQuery{Overdue: true}, []int64{h1.ID, h3.ID}},
			{"overdue in Hohhot", HazardQuery{Overdue: true, Under: "150100"}, []int64{h1.ID}},
			{"measure", HazardQuery{Measure: model.VideoNetworking}, []int64{h1.ID, h3.ID}},
			{"other", HazardQuery{Measure: model.MeasureOther}, []int64{h2.ID}},
			{"one school", HazardQuery{SchoolID: b.ID, State: HazardsAll}, []int64{h3.ID, h4.ID}},
		}
		for _, tt := range tests {
			if diff := cmp.Diff(tt.want, ids(tt.q)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}
		counts, err := s.OverdueHazardCounts(ctx, []int64{a.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[int64]int{a.ID: 1, b.ID: 1}, counts); diff != "" {
			t.Errorf("overdue counts (-want +got):\n%s", diff)
		}
	})
}

func TestInspectionRaisesHazardsInOneStep(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500)
		verify(t, s, submit(t, s, a, d0, goodFacts(d0)))

		// Invalid input writes nothing and names every bad field.
		bad := InspectionInput{InspectedOn: d0.AddDays(1), Findings: []FindingInput{
			{Measure: model.VideoNetworking, Result: model.FindingProblem, Raise: true, Severity: "urgent", Deadline: d0.AddDays(-1)},
			{Measure: model.SecurityGuards, Result: "fine"},
		}}
		_, err := s.CreateInspection(ctx, testInspector, a.ID, bad)
		var fe model.FieldErrors
		if !errors.As(err, &fe) {
			t.Fatalf("invalid inspection: got %v, want field errors", err)
		}
		for _, f := range []string{"inspected_on", "video_networking.note", "video_networking.severity", "video_networking.deadline", "security_guards.result"} {
			if fe.For(f) == "" {
				t.Errorf("no error for %s in %v", f, fe)
			}
		}

		clk.day(d0.AddDays(1))
		in, err := s.CreateInspection(ctx, testInspector, a.ID, InspectionInput{InspectedOn: d0.AddDays(1), Participants: "李警官", Findings: []FindingInput{
			{Measure: model.NursingPost, Result: model.FindingOK},
			{Measure: model.ClosedManagement, Result: model.FindingProblem, Note: "east wall broken", Raise: true, Severity: model.High, Deadline: d0.AddDays(8)},
			{Measure: model.SecurityGuards, Result: model.FindingProblem, Note: "one guard without licence"},
			{Measure: model.VideoNetworking, Result: model.FindingProblem, Note: "no recording at night", Raise: true, Severity: model.Medium, Deadline: d0.AddDays(15)},
			{Measure: model.MeasureOther, Result: model.FindingNotChecked},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if in.Problems() != 3 {
			t.Errorf("problems = %d, want 3", in.Problems())
		}
		got, err := s.Inspection(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		raised := 0
		for _, f := range got.Findings {
			if f.HazardID != 0 {
				raised++
				h, err := s.Hazard(ctx, f.HazardID)
				if err != nil || h.Measure != f.Measure || h.Description != f.Note || h.State != model.HazardOpen {
					t.Errorf("hazard of %s: %+v, %v", f.Measure, h, err)
				}
			}
		}
		if raised != 2 {
			t.Errorf("%d hazards raised, want 2", raised)
		}
		c := coverageOf(t, s, "150102", model.BasisVerified, d0.AddDays(1))
		if want := [5]int{1, 0, 1, 1, 0}; c.Measures != want || c.AllFive != 0 {
			t.Errorf("coverage after the inspection: %+v, want measures %v", c, want)
		}
		list, err := s.SchoolInspections(ctx, a.ID, 10)
		if err != nil || len(list) != 1 || len(list[0].Findings) != 5 || list[0].Inspector != "test-inspector" {
			t.Errorf("school inspections: %+v, %v", list, err)
		}
		trail, n, err := s.AuditTrail(ctx, AuditQuery{Scope: "150100", From: d0.AddDays(1), To: d0.AddDays(1)})
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 || trail[0].Entity != "inspection" {
			t.Errorf("audit of the day: %d entries, first %+v; want the inspection and its 2 hazards", n, trail[0])
		}

		// A closed school cannot be inspected.
		if err := s.SetSchoolActive(ctx, testAdmin, a.Code, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateInspection(ctx, testInspector, a.ID, InspectionInput{InspectedOn: d0.AddDays(1)}); !errors.Is(err, ErrSchoolClosed) {
			t.Errorf("inspecting a closed school: got %v, want ErrSchoolClosed", err)
		}
	})
}

func TestVerifyChecklistsBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, _ := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500)
		b := addSchool(t, s, "1000000002", "150103", 500)
		c := addSchool(t, s, "1000000003", "150202", 500)
		ca, cb, cc := submit(t, s, a, d0, goodFacts(d0)), submit(t, s, b, d0, goodFacts(d0)), submit(t, s, c, d0, goodFacts(d0))

		verify(t, s, cc) // someone else got there first
		_, err := s.VerifyChecklists(ctx, testInspector, []int64{ca.ID, cb.ID, cc.ID})
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
			t.Fatalf("batch with a reviewed one: got %v, want a ConflictError", err)
		}
		if diff := cmp.Diff([]int64{cc.ID}, ce.IDs); diff != "" {
			t.Errorf("conflicting ids (-want +got):\n%s", diff)
		}
		if got, _ := s.Checklist(ctx, ca.ID); got.State != model.Submitted {
			t.Errorf("after a failed batch %d is %s, want still submitted (all or nothing)", ca.ID, got.State)
		}

		out, err := s.VerifyChecklists(ctx, testInspector, []int64{cb.ID, ca.ID, ca.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].State != model.Verified {
			t.Errorf("verified %+v", out)
		}
		if got := coverageOf(t, s, "150000", model.BasisVerified, d0); got.AllFive != 3 {
			t.Errorf("province all five = %d, want 3", got.AllFive)
		}
		trail, n, err := s.AuditTrail(ctx, AuditQuery{Entity: "checklist", Username: "test-inspector"})
		if err != nil || n != 2 || trail[0].Action != "verified" {
			t.Errorf("audit of the batch: %d entries %+v, %v", n, trail, err)
		}
		var fe model.FieldErrors
		if _, err := s.VerifyChecklists(ctx, testInspector, nil); !errors.As(err, &fe) {
			t.Errorf("empty batch: got %v, want a field error", err)
		}
	})
}

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

		type row struct {
			Code string
			Kind DueKind
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
			{never.Code, DueNever, 0},
			{"1000000940", DueExpired, 40},
			{"1000000901", DueExpired, 1},
			{"1000000000", DueSoon, 0},
			{"1000000030", DueSoon, -30},
		}
		if diff := cmp.Diff(want, list(DueQuery{Under: "150102"})); diff != "" {
			t.Errorf("due in 150102 (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want[1:3], list(DueQuery{Under: "150102", Kind: DueExpired})); diff != "" {
			t.Errorf("expired only (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want[3:], list(DueQuery{Under: "150102", Kind: DueSoon})); diff != "" {
			t.Errorf("soon only (-want +got):\n%s", diff)
		}
		if got := list(DueQuery{Under: "150000"}); len(got) != 6 || got[1].Code != other.Code {
			t.Errorf("province: %+v, want the 6 schools, never-checked first by county", got)
		}
		// On the verified basis none of them was verified: all seven active
		// schools of the county are due, never checked.
		if got := list(DueQuery{Under: "150102", Basis: model.BasisVerified}); len(got) != 6 || got[5].Kind != DueNever {
			t.Errorf("verified basis: %+v", got)
		}
	})
}

func TestRuleChangeMovesCoverage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500)
		b := addSchool(t, s, "1000000002", "150202", 500)
		verify(t, s, submit(t, s, a, d0, goodFacts(d0))) // keeps video 30 days
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
		_, err := s.CreateRuleSet(ctx, testAdmin, rs)
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("effective_from") == "" || fe.For("validity_days") == "" {
			t.Errorf("bad rule set: got %v", err)
		}

		// Effective today: coverage moves at once, everywhere.
		clk.day(d0.AddDays(1))
		rs = model.DefaultRuleSet()
		rs.MinRetentionDays, rs.EffectiveFrom = 60, d0.AddDays(1)
		got, err := s.CreateRuleSet(ctx, testAdmin, rs)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
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
		if r := model.JoinReasons(st.Measures[video].Reasons); r != "video kept 30 days, at least 60 required" {
			t.Errorf("reason = %q", r)
		}

		// Effective in ten days: nothing moves until the day comes and the
		// maintenance applies it. Validity 7 days expires both checks.
		rs = model.DefaultRuleSet()
		rs.MinRetentionDays, rs.ValidityDays, rs.EffectiveFrom = 60, 7, d0.AddDays(10)
		if _, err := s.CreateRuleSet(ctx, testAdmin, rs); err != nil {
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
		if len(versions) != 3 || versions[0].RuleSet.Version != 3 || !versions[0].Applied || versions[0].CreatedBy != "" {
			t.Errorf("versions: %+v", versions)
		}

		// A future version can be cancelled; one in force cannot.
		rs.EffectiveFrom = d0.AddDays(40)
		if _, err := s.CreateRuleSet(ctx, testAdmin, rs); err != nil {
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

func (c *clock) today() model.Date { return model.DateOf(c.t) }

// Reviewers racing on one hazard and on overlapping batches: exactly one
// wins each race, on both engines; the others get ErrConflict.
func TestConcurrentStepsConflict(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, _ := newTestStore(t, engine, d0)
		a := addSchool(t, s, "1000000001", "150102", 500)
		b := addSchool(t, s, "1000000002", "150103", 500)
		h, err := s.CreateHazard(ctx, testInspector, a.ID, HazardInput{Measure: model.VideoNetworking, Description: "x", Severity: model.Low, Deadline: d0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerHazard(ctx, testAdmin, h.ID, "fixed", nil); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if i%2 == 0 {
					_, errs[i] = s.CloseHazardFrom(ctx, testInspector, h.ID, model.HazardAnswered, "")
				} else {
					_, errs[i] = s.SendBackHazard(ctx, testInspector, h.ID, "no")
				}
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrConflict):
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d hazard steps won, want 1", wins, n)
		}
		events, _ := s.HazardEvents(ctx, h.ID)
		if len(events) != 2 {
			t.Errorf("%d events, want the answer and one winner", len(events))
		}

		ca, cb := submit(t, s, a, d0, goodFacts(d0)), submit(t, s, b, d0, goodFacts(d0))
		for i := range n {
			wg.Go(func() {
				ids := []int64{ca.ID, cb.ID}
				if i%2 == 1 {
					ids = []int64{cb.ID}
				}
				_, errs[i] = s.VerifyChecklists(ctx, testInspector, ids)
			})
		}
		wg.Wait()
		wins = 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if !errors.Is(err, ErrConflict) {
				t.Errorf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d overlapping batches won, want 1", wins, n)
		}
		if _, total, _ := s.AuditTrail(ctx, AuditQuery{Entity: "checklist", Username: testInspector.Username}); total < 1 || total > 2 {
			t.Errorf("%d verify entries", total)
		}
	})
}
