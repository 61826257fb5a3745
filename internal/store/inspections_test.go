package store

import (
	"context"
	"errors"
	"testing"

	"safecampus/internal/model"
)

func TestInspectionRaisesHazardsInOneStep(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		d0 := model.NewDate(2026, 3, 2)
		s, clk, a := newStoreWithSchool(t, engine, d0)
		verified(t, s, a, d0)

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
