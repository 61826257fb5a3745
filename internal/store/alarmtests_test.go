package store

import (
	"context"
	"errors"
	"testing"

	"safecampus/internal/model"
)

func TestAlarmTestLogFeedsRegisterFacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		start := model.NewDate(2026, 9, 1)
		s, _ := newTestStore(t, engine, start)
		ctx := context.Background()
		a := addSchool(t, s, "1501020001", "150102", 500)
		var fe model.FieldErrors
		if _, err := s.AddAlarmTest(ctx, testAdmin, a.ID, model.AlarmTestInput{TestedOn: start + 1, OK: true}); !errors.As(err, &fe) || fe.For("tested_on") == "" {
			t.Fatalf("a test tomorrow: err = %v, want a tested_on error", err)
		}
		if _, err := s.AddAlarmTest(ctx, testAdmin, a.ID, model.AlarmTestInput{TestedOn: start, ResponseMinutes: ptr(-1)}); !errors.As(err, &fe) {
			t.Fatalf("negative minutes: err = %v", err)
		}
		if _, err := s.AddAlarmTest(ctx, testAdmin, a.ID, model.AlarmTestInput{TestedOn: start - 20, OK: false, ResponseMinutes: ptr(12)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAlarmTest(ctx, testAdmin, a.ID, model.AlarmTestInput{TestedOn: start - 5, OK: true, PoliceNotified: true}); err != nil {
			t.Fatal(err)
		}
		r, err := s.RegisterFacts(ctx, a.ID, start)
		if err != nil || r.AlarmTest == nil || r.AlarmTest.TestedOn != start-5 || !r.AlarmTest.OK {
			t.Fatalf("register facts today = %+v, %v", r.AlarmTest, err)
		}
		// As of a day between the two tests, the older one is the newest.
		if r, _ := s.RegisterFacts(ctx, a.ID, start-10); r.AlarmTest == nil || r.AlarmTest.TestedOn != start-20 || r.AlarmTest.OK {
			t.Errorf("register facts 10 days ago = %+v", r.AlarmTest)
		}
		if r, _ := s.RegisterFacts(ctx, a.ID, start-30); r.AlarmTest != nil || r.Guards.Kept {
			t.Errorf("register facts before any record = %+v", r)
		}
		list, err := s.SchoolAlarmTests(ctx, a.ID, 10)
		if err != nil || len(list) != 2 || list[0].TestedOn != start-5 || *list[1].ResponseMinutes != 12 {
			t.Errorf("log = %+v, %v", list, err)
		}
		entries, _, err := s.AuditTrail(ctx, AuditQuery{Entity: "alarm_test", Limit: 10})
		if err != nil || len(entries) != 2 {
			t.Errorf("%d alarm test audit entries, %v; want 2", len(entries), err)
		}
	})
}
