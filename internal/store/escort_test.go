package store

import (
	"context"
	"errors"
	"testing"

	"safecampus/internal/model"
)

func TestEscortPresence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		sat := model.NewDate(2026, 9, 26) // Saturday
		s, clk := newTestStore(t, engine, sat)
		ctx := context.Background()
		addSchool(t, s, "1501020001", "150102", 500)
		addSchool(t, s, "1501020002", "150102", 500)
		addSchool(t, s, "1501030001", "150103", 500)
		post := func(county, name string, schools ...string) model.EscortPost {
			t.Helper()
			p, err := s.CreateEscortPost(ctx, testAdmin, model.EscortPostInput{DivisionCode: county, Name: name, Schools: schools})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		a := post("150102", "新城路口", "1501020001", "1501020002") // two schools, one post
		b := post("150103", "回民路口", "1501030001")
		if len(a.Schools) != 2 {
			t.Errorf("post a serves %v", a.Schools)
		}
		var fe model.FieldErrors
		if _, err := s.CreateEscortPost(ctx, testAdmin, model.EscortPostInput{DivisionCode: "150102", Name: "x", Schools: []string{"1501030001"}}); !errors.As(err, &fe) {
			t.Errorf("a school of another county: err = %v", err)
		}
		if _, err := s.CreateEscortPost(ctx, testAdmin, model.EscortPostInput{DivisionCode: "150100", Name: "x", Schools: []string{"1501020001"}}); !errors.As(err, &fe) {
			t.Errorf("a prefecture: err = %v", err)
		}

		checkIn := func(p model.EscortPost, day model.Date, sess model.Session, police, staff int) {
			t.Helper()
			clk.day(day)
			if _, err := s.CheckIn(ctx, testAdmin, p.ID, model.CheckInInput{Session: sess, PoliceOfficers: police, Staff: staff}); err != nil {
				t.Fatal(err)
			}
		}
		sun, mon, tue, thu := sat+1, sat+2, sat+3, sat+5
		checkIn(a, sat, model.SessionAM, 1, 2) // a weekend: not a school day
		checkIn(a, sun, model.SessionAM, 1, 2) // a make-up school day
		checkIn(a, sun, model.SessionPM, 0, 3) // staff but no police
		checkIn(a, mon, model.SessionAM, 2, 0) // police
		checkIn(b, tue, model.SessionPM, 1, 1) // police
		checkIn(b, thu, model.SessionAM, 1, 1) // a holiday
		clk.day(mon)
		if _, err := s.CheckIn(ctx, testAdmin, a.ID, model.CheckInInput{Session: model.SessionAM, PoliceOfficers: 1}); !errors.Is(err, ErrCheckedIn) {
			t.Errorf("a second check-in: err = %v, want ErrCheckedIn", err)
		}
		if _, err := s.CheckIn(ctx, testAdmin, a.ID, model.CheckInInput{Session: "noon"}); !errors.As(err, &fe) {
			t.Errorf("session noon: err = %v", err)
		}
		for _, d := range []model.CalendarDay{{Day: sun, SchoolDay: true, Note: "调休"}, {Day: thu, Note: "国庆"}, {Day: thu + 1, Note: "国庆"}} {
			if err := s.SetCalendarDay(ctx, testAdmin, d); err != nil {
				t.Fatal(err)
			}
		}
		// Changing an entry replaces it.
		if err := s.SetCalendarDay(ctx, testAdmin, model.CalendarDay{Day: sun, SchoolDay: true, Note: "调休上课"}); err != nil {
			t.Fatal(err)
		}

		// School days Sat 26 – Sun 4 Oct: Sun 27 (make-up), Mon–Wed; Thu, Fri holidays.
		total, children, err := s.Presence(ctx, "150100", sat, sat+8)
		if err != nil {
			t.Fatal(err)
		}
		if total.Posts != 2 || total.Sessions != 16 || total.WithPolice != 3 || total.Percent().String() != "18.7%" {
			t.Errorf("150100: %+v %s", total, total.Percent())
		}
		if len(children) != 2 {
			t.Fatalf("children: %+v", children)
		}
		want := []struct{ posts, sessions, police int }{{1, 8, 2}, {1, 8, 1}}
		for i, w := range want {
			c := children[i]
			if c.Posts != w.posts || c.Sessions != w.sessions || c.WithPolice != w.police {
				t.Errorf("child %s: %+v, want %+v", c.Division.Code, c, w)
			}
		}
		weekend, _, err := s.Presence(ctx, "150102", sat, sat)
		if err != nil {
			t.Fatal(err)
		}
		if weekend.Sessions != 0 || weekend.Percent().Valid {
			t.Errorf("a weekend alone: %+v", weekend)
		}
		missed, err := s.MissedSessions(ctx, "150102", sat, sat+8, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(missed) != 6 || missed[0].Day != sun || missed[0].Session != model.SessionPM || !missed[0].Checked || missed[0].Staff != 3 {
			t.Errorf("missed: %+v", missed)
		}
		if err := s.DeleteCalendarDay(ctx, testAdmin, sun); err != nil {
			t.Fatal(err)
		}
		if p, _, err := s.Presence(ctx, "150102", sat, sat+8); err != nil || p.Sessions != 6 || p.WithPolice != 1 {
			t.Errorf("without the make-up day: %+v %v", p, err)
		}
	})
}
