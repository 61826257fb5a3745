package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// Tests of a hazard's life and of the hazard lists.

func TestHazardLifecycle(t *testing.T) {
	forEachEngine(t, testHazardLifecycle)
}

func testHazardLifecycle(t *testing.T, engine string) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 3, 2)
	s, clk, a := newStoreWithSchool(t, engine, d0)
	verified(t, s, a, d0)
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
		s, clk, a := newStoreWithSchool(t, engine, d0)
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
			{"all, closed last", HazardQuery{State: model.HazardsAll}, []int64{h1.ID, h3.ID, h2.ID, h4.ID}},
			{"closed", HazardQuery{State: model.HazardsClosed}, []int64{h4.ID}},
			{"overdue", HazardQuery{Overdue: true}, []int64{h1.ID, h3.ID}},
			{"overdue in Hohhot", HazardQuery{Overdue: true, Under: "150100"}, []int64{h1.ID}},
			{"measure", HazardQuery{Measure: model.VideoNetworking}, []int64{h1.ID, h3.ID}},
			{"other", HazardQuery{Measure: model.MeasureOther}, []int64{h2.ID}},
			{"one school", HazardQuery{SchoolID: b.ID, State: model.HazardsAll}, []int64{h3.ID, h4.ID}},
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
