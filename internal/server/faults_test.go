package server_test

// Faults found by a review made as a hostile user (issue 16, items 1–9).
// Each test here failed before its fix.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"safecampus/internal/imagetest"
	"safecampus/internal/model"
)

// 1. Many wrong passwords sent at once for one username: the attempt is
// reserved before the password is checked, so no more than the limit get
// a verdict; the rest are throttled.
func TestLoginThrottleHoldsUnderParallelAttempts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const n = 14
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = app.newClient(t)
		clients[i].get("/login")
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = c.login(userLeader, "wrong-password").status
		}()
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[http.StatusUnauthorized] > 10 || counts[http.StatusTooManyRequests] != n-counts[http.StatusUnauthorized] {
		t.Errorf("%d parallel wrong passwords: statuses %v, want at most 10×401 and the rest 429", n, counts)
	}
}

// 2. /metrics labels are bounded: methods the server does not route count
// as OTHER, whatever their name or length.
func TestMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for i := range 50 {
		req := httptest.NewRequest(fmt.Sprintf("BREW%d", i), "/healthz", nil)
		app.handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	req := httptest.NewRequest(strings.Repeat("X", 20000), "/login", nil)
	app.handler.ServeHTTP(httptest.NewRecorder(), req)
	rec := httptest.NewRecorder()
	app.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	if strings.Contains(body, "BREW") || strings.Contains(body, "XXXX") {
		t.Errorf("custom methods became label values:\n%s", truncate(body, 2000))
	}
	if !strings.Contains(body, `method="OTHER"`) {
		t.Errorf("no method=\"OTHER\" series in /metrics:\n%s", truncate(body, 2000))
	}
	if len(body) > 100_000 {
		t.Errorf("/metrics is %d bytes after 51 odd requests", len(body))
	}
}

// 3. A huge search term is a clear 422, not a 500 from the database.
func TestSearchTermsAreCapped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn(t, userAdmin)
	long := url.QueryEscape(strings.Repeat("%_a", 17000))
	for _, path := range []string{
		"/divisions/" + prefHohhot + "?q=" + long,
		"/divisions/" + prefHohhot + "/schools.csv?q=" + long,
		"/admin/schools?q=" + long,
	} {
		r := admin.get(path)
		wantStatus(t, "GET "+path[:40], r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.text(), "search") {
			t.Errorf("GET %s: the page does not say what is wrong:\n%s", path[:40], truncate(r.text(), 500))
		}
	}
}

// 4. The password form takes only a session (never a Bearer token), and
// wrong current passwords are throttled like sign-in failures.
func TestPasswordChangeIsSessionOnlyAndThrottled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	api := app.api(t, userLeader)
	form := url.Values{"current_password": {password}, "new_password": {"Another-Pass-77"}, "confirm_password": {"Another-Pass-77"}}
	req, _ := http.NewRequest(http.MethodPost, api.base+"/account/password", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+api.token)
	res, err := api.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("password change with a Bearer token: status %d, want 403", res.StatusCode)
	}

	c := app.signedIn(t, userSpare)
	wrong := url.Values{"current_password": {"not-it"}, "new_password": {"Another-Pass-77"}, "confirm_password": {"Another-Pass-77"}}
	for i := range 10 {
		r := c.submit("/account/password", "/account/password", wrong)
		wantStatus(t, fmt.Sprintf("wrong current password %d", i+1), r, http.StatusUnprocessableEntity)
	}
	right := url.Values{"current_password": {password}, "new_password": {"Another-Pass-77"}, "confirm_password": {"Another-Pass-77"}}
	r := c.submit("/account/password", "/account/password", right)
	wantStatus(t, "11th attempt, right password", r, http.StatusTooManyRequests)
}

// 5. The CSRF token is bound to the session: a token the attacker planted
// in a cookie is worthless, and the token is never read from the query.
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userLeader)
	base, _ := url.Parse(c.base)
	planted := "attacker-chosen-token-attacker-chosen"
	c.hc.Jar.SetCookies(base, []*http.Cookie{{Name: "sc_csrf", Value: planted, Path: "/"}})
	r := c.postRaw("/settings/language", url.Values{"_csrf": {planted}, "lang": {"en"}})
	wantStatus(t, "a planted cookie token", r, http.StatusForbidden)

	c2 := app.signedIn(t, userLeader)
	r = c2.postRaw("/settings/language?_csrf="+url.QueryEscape(c2.csrf), url.Values{"lang": {"en"}})
	wantStatus(t, "the token in the query string", r, http.StatusForbidden)

	// Another session's token does not work for this one.
	c3 := app.signedIn(t, userLeader)
	r = c3.postRaw("/settings/language", url.Values{"_csrf": {c2.csrf}, "lang": {"en"}})
	wantStatus(t, "another session's token", r, http.StatusForbidden)
	r = c3.post("/settings/language", url.Values{"lang": {"en"}})
	wantStatus(t, "its own token", r, http.StatusSeeOther)
}

// 6. A closed school takes no new work, through any door: 409 with a
// message.
func TestClosedSchoolTakesNoNewWork(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	draft := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	submitted := app.checklist(t, schoolB, day0, goodFacts(day0), true)
	h := app.hazard(t, schoolA, model.SecurityGuards)
	if err := app.store.SetSchoolActive(ctx, seedAdmin, schoolA, false); err != nil {
		t.Fatal(err)
	}
	if err := app.store.SetSchoolActive(ctx, seedAdmin, schoolB, false); err != nil {
		t.Fatal(err)
	}
	api := app.api(t, userInspector)
	r := api.post("/api/v1/schools/"+schoolA+"/hazards", map[string]any{"measure": "security_guards", "description": "x",
		"severity": "low", "deadline": day0.AddDays(10).String()})
	if msg := wantJSONError(t, "API hazard on a closed school", r, http.StatusConflict); !strings.Contains(msg, "closed") {
		t.Errorf("message %q does not say the school is closed", msg)
	}
	r = api.post(fmt.Sprintf("/api/v1/checklists/%d/verify", submitted.ID), nil)
	wantJSONError(t, "verify a checklist of a closed school", r, http.StatusConflict)

	school := app.signedIn(t, userSchool)
	form := goodForm(t, day0)
	form.Set("action", "submit")
	r = school.submit(fmt.Sprintf("/checklists/%d/edit", draft.ID), fmt.Sprintf("/checklists/%d", draft.ID), form)
	wantStatus(t, "submit a draft of a closed school", r, http.StatusConflict)
	r = school.uploadFiles(fmt.Sprintf("/checklists/%d", draft.ID), fmt.Sprintf("/checklists/%d/evidence", draft.ID),
		[]upFile{{"a.png", imagetest.PNG(t, 4, 4)}}, nil)
	wantStatus(t, "evidence on a closed school", r, http.StatusConflict)
	r = school.uploadFiles(fmt.Sprintf("/hazards/%d", h.ID), fmt.Sprintf("/hazards/%d/answer", h.ID),
		[]upFile{{"a.png", imagetest.PNG(t, 4, 4)}}, url.Values{"answer": {"fixed"}})
	wantStatus(t, "answer a hazard of a closed school", r, http.StatusConflict)
	if !strings.Contains(r.text(), "closed") && !strings.Contains(r.text(), "停用") {
		t.Errorf("the page does not say the school is closed:\n%s", truncate(r.text(), 800))
	}
}

// 7. A PDF uploaded under an .html name downloads as .pdf.
func TestEvidenceDownloadNamedByItsType(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	school := app.signedIn(t, userSchool)
	r := school.uploadFiles(fmt.Sprintf("/checklists/%d", cl.ID), fmt.Sprintf("/checklists/%d/evidence", cl.ID),
		[]upFile{{"report.html", pdfBytes()}}, nil)
	if r.status != http.StatusSeeOther && r.status != http.StatusOK {
		t.Fatalf("upload: status %d\n%s", r.status, truncate(r.text(), 500))
	}
	files, err := app.store.ChecklistEvidence(context.Background(), cl.ID)
	if err != nil || len(files) != 1 {
		t.Fatalf("evidence: %v %v", files, err)
	}
	r = school.get(fmt.Sprintf("/evidence/%d", files[0].ID))
	wantStatus(t, "download", r, http.StatusOK)
	cd := r.header.Get("Content-Disposition")
	if strings.Contains(cd, ".html") || !strings.Contains(cd, `filename="report.pdf"`) {
		t.Errorf("Content-Disposition %q, want the name report.pdf", cd)
	}
}

// 8. School codes: letters, digits, - and _ only.
func TestSchoolCodesAreSafeCharacters(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, code := range []string{"ab<c", "a\tb", "学校1", "a.b", "a'b"} {
		_, err := app.store.SaveSchool(context.Background(), seedAdmin, model.School{Code: code, Name: "x", Type: model.Primary,
			DivisionCode: countyXC, Students: 10, Active: true})
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("code") == "" {
			t.Errorf("code %q: err %v, want a field error on code", code, err)
		}
	}
	if _, err := app.store.SaveSchool(context.Background(), seedAdmin, model.School{Code: "A-1_b", Name: "x", Type: model.Primary,
		DivisionCode: countyXC, Students: 10, Active: true}); err != nil {
		t.Errorf("code A-1_b: %v", err)
	}
}

// 9. Small things: no-store on the API, HEAD /healthz, no Go type names
// in 400s, dates outside 2000-01-01 … today+5 years refused, and the
// per-address limit says that everyone behind the address is locked.
func TestAPIHygiene(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	api := app.api(t, userAdmin)
	r := api.get("/api/v1/coverage/" + prefHohhot)
	wantStatus(t, "coverage", r, http.StatusOK)
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("API Cache-Control %q, want no-store", got)
	}
	res, err := http.DefaultClient.Do(mustRequest(t, http.MethodHead, app.srv.URL+"/healthz"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("HEAD /healthz: %d, want 200", res.StatusCode)
	}
	r = api.post("/api/v1/schools/"+schoolA+"/checklists", `{"checked_on":"2026-03-01","submit":"yes","facts":{}}`)
	msg := wantJSONError(t, "a string for a bool", r, http.StatusBadRequest)
	if strings.Contains(msg, "Go ") || strings.Contains(msg, "struct") || strings.Contains(msg, "of type") {
		t.Errorf("400 message exposes Go internals: %q", msg)
	}
	if !strings.Contains(msg, "submit") {
		t.Errorf("400 message %q does not name the field submit", msg)
	}
	for _, d := range []string{"0001-01-01", "1999-12-31"} {
		r = api.post("/api/v1/schools/"+schoolA+"/checklists", map[string]any{"checked_on": d, "submit": false, "facts": map[string]any{}})
		wantJSONError(t, "checked_on "+d, r, http.StatusUnprocessableEntity)
	}
	for _, d := range []string{"9999-12-31", day0.AddDays(5*366 + 2).String()} {
		r = api.post("/api/v1/schools/"+schoolA+"/hazards", map[string]any{"measure": "other", "description": "x",
			"severity": "low", "deadline": d})
		wantJSONError(t, "deadline "+d, r, http.StatusUnprocessableEntity)
	}

	app.addressFailures(t, "127.0.0.1", 30)
	r = app.newClient(t).login(userLeader, password)
	wantStatus(t, "login from a throttled address", r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "address") && !strings.Contains(r.text(), "地址") {
		t.Errorf("the per-address 429 does not say the whole address is locked:\n%s", truncate(r.text(), 800))
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
