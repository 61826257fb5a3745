package server_test

import (
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
