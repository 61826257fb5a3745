package server_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestEscortPostsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	inspector := app.api(t, userInspector)
	r := inspector.post("/api/v1/escort-posts", map[string]any{"division_code": countyXC, "name": "新城路口",
		"schools": []string{schoolA, schoolB}})
	wantStatus(t, "create post", r, 201)
	var created struct{ ID int64 }
	decode(t, r, &created)
	wantJSONError(t, "a school of another county", inspector.post("/api/v1/escort-posts",
		map[string]any{"division_code": countyXC, "name": "x", "schools": []string{schoolD}}), 422)
	wantJSONError(t, "a prefecture", inspector.post("/api/v1/escort-posts",
		map[string]any{"division_code": prefHohhot, "name": "x", "schools": []string{schoolA}}), 422)
	wantJSONError(t, "a school user", app.api(t, userSchool).post("/api/v1/escort-posts",
		map[string]any{"division_code": countyXC, "name": "x", "schools": []string{schoolA}}), 403)

	checkIns := "/api/v1/escort-posts/" + itoa(created.ID) + "/check-ins"
	school := app.api(t, userSchool)
	wantStatus(t, "check in", school.post(checkIns, map[string]any{"session": "am", "police_officers": 1, "staff": 2}), 201)
	msg := wantJSONError(t, "the same session again", inspector.post(checkIns, map[string]any{"session": "am", "police_officers": 2, "staff": 0}), 409)
	if !strings.Contains(msg, "already has a check-in") {
		t.Errorf("409 message %q", msg)
	}
	wantJSONError(t, "session noon", school.post(checkIns, map[string]any{"session": "noon", "police_officers": 1}), 422)
	wantJSONError(t, "negative staff", school.post(checkIns, map[string]any{"session": "pm", "staff": -1}), 422)
	wantStatus(t, "pm: staff only", school.post(checkIns, map[string]any{"session": "pm", "police_officers": 0, "staff": 3}), 201)

	// A post serving only schoolD: schoolA's user may not check in there.
	other := app.escortPost(t, countyDH, schoolD)
	wantJSONError(t, "a school user of another school", school.post("/api/v1/escort-posts/"+itoa(other.ID)+"/check-ins",
		map[string]any{"session": "am", "police_officers": 1}), 403)

	// Mon 2 March 2026 and the week before: five school days, ten sessions, one with police.
	r = app.api(t, userLeader).get("/api/v1/escort-presence/" + prefHohhot + "?from=" + day0.AddDays(-6).String() + "&to=" + day0.String())
	wantStatus(t, "presence", r, 200)
	var got map[string]any
	decode(t, r, &got)
	if len(got) != 5 || got["posts"] != 1.0 || got["sessions"] != 10.0 || got["sessions_with_police"] != 1.0 || got["percent"] != 10.0 {
		t.Errorf("presence = %v", got)
	}
	children, _ := got["children"].([]any)
	if len(children) == 0 {
		t.Fatalf("children = %v", got["children"])
	}
	for _, c := range children {
		ch := c.(map[string]any)
		for _, k := range []string{"division_code", "name", "posts", "sessions", "sessions_with_police", "percent"} {
			if _, ok := ch[k]; !ok {
				t.Errorf("child lacks %q: %v", k, ch)
			}
		}
		if ch["division_code"] == countyYQ && ch["percent"] != nil {
			t.Errorf("a county without posts: percent %v, want null", ch["percent"])
		}
	}
	wantJSONError(t, "to before from", app.api(t, userLeader).get("/api/v1/escort-presence/"+prefHohhot+"?from=2026-03-02&to=2026-03-01"), 400)
	wantJSONError(t, "a future to", app.api(t, userLeader).get("/api/v1/escort-presence/"+prefHohhot+"?to=2099-01-01"), 400)
}

func TestEscortPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	post := app.escortPost(t, countyXC, schoolA)
	school := app.signedIn(t, userSchool)
	registers := school.get("/schools/" + schoolA + "/registers").body
	checkIn := "/escort-posts/" + itoa(post.ID) + "/check-in"
	if !strings.Contains(registers, `href="`+checkIn+`"`) {
		t.Fatalf("the registers page lacks the post's check-in link")
	}
	page := school.get(checkIn).body
	if strings.Count(page, `name="session"`) != 2 || strings.Count(page, " checked") != 1 ||
		strings.Count(page, `type="number"`) != 2 || strings.Count(page, `type="submit"`) < 1 {
		t.Errorf("check-in screen: want two session choices, one preselected, two number inputs: %s", truncate(page, 600))
	}
	values := url.Values{"session": {"pm"}, "police_officers": {"1"}, "staff": {"2"}}
	wantStatus(t, "check in", school.submit(checkIn, "/escort-posts/"+itoa(post.ID)+"/check-ins", values), 303)
	r := school.submit(checkIn, "/escort-posts/"+itoa(post.ID)+"/check-ins", values)
	wantStatus(t, "again", r, 409)
	if !strings.Contains(r.body, `data-testid="field-error-session"`) || !strings.Contains(r.body, `value="2"`) {
		t.Errorf("the second check-in lacks the error beside the session or the values typed")
	}
	r = school.submit(checkIn, "/escort-posts/"+itoa(post.ID)+"/check-ins", url.Values{"session": {"am"}, "police_officers": {"many"}, "staff": {"0"}})
	wantStatus(t, "not a number", r, 422)
	if !strings.Contains(r.body, `data-testid="field-error-police_officers"`) || !strings.Contains(r.body, `value="many"`) {
		t.Errorf("a bad count lacks its error or its value")
	}

	admin := app.signedIn(t, userAdmin)
	r = admin.submit("/admin/calendar", "/admin/calendar", url.Values{"day": {"soon"}, "kind": {"holiday"}, "note": {"国庆"}})
	wantStatus(t, "bad calendar day", r, 422)
	if !strings.Contains(r.body, `data-testid="field-error-day"`) || !strings.Contains(r.body, `value="国庆"`) {
		t.Errorf("a bad calendar day lacks its error or the note typed")
	}
	wantStatus(t, "make-up day", admin.submit("/admin/calendar", "/admin/calendar",
		url.Values{"day": {day0.AddDays(-2).String()}, "kind": {"school_day"}, "note": {"调休"}}), 303)
	if !strings.Contains(admin.get("/admin/calendar").body, `data-testid="calendar-`+day0.AddDays(-2).String()+`"`) {
		t.Errorf("the calendar lacks the make-up day")
	}
	if !strings.Contains(admin.get("/audit?entity=calendar_day").body, day0.AddDays(-2).String()) {
		t.Errorf("the calendar change is not in the audit trail")
	}

	presence := app.signedIn(t, userInspector).get("/divisions/" + prefHohhot + "/escort-presence?from=" + day0.AddDays(-2).String() + "&to=" + day0.String())
	wantStatus(t, "presence page", presence, 200)
	// Sat (make-up) and Mon: four sessions, the Monday pm with police.
	if !strings.Contains(presence.body, "25.0%") || !strings.Contains(presence.body, `data-testid="missed-sessions"`) {
		t.Errorf("presence page: %s", truncate(presence.text(), 800))
	}
	if !strings.Contains(app.signedIn(t, userLeader).get("/divisions/"+prefHohhot).body, `data-testid="escort-presence-link"`) {
		t.Errorf("the division page lacks the presence link")
	}
}
