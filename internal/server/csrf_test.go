package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// csrfCase is a form route, who posts to it, and a form it accepts.
type csrfCase struct {
	name     string
	user     string
	page     string // where the form is
	action   string
	form     url.Values
	accepted int // status with the token
}

func csrfCases(t *testing.T) []csrfCase {
	return []csrfCase{
		{"checklist", userSchool, "/schools/" + schoolA + "/checklists/new", "/schools/" + schoolA + "/checklists",
			goodForm(t, day0), http.StatusSeeOther},
		{"admin school", userAdmin, "/admin/schools/new", "/admin/schools",
			url.Values{"code": {"1501040009"}, "name": {"玉泉区小学"}, "type": {"primary"}, "division_code": {countyYQ},
				"students": {"300"}, "ownership": {"public"}}, http.StatusSeeOther},
		{"logout", userLeader, "/", "/logout", url.Values{}, http.StatusSeeOther},
		{"language", userLeader, "/", "/settings/language", url.Values{"lang": {"en"}}, http.StatusSeeOther},
	}
}

func TestCSRFRefusesFormsWithoutTheToken(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, tc := range csrfCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			c := app.signedIn(t, tc.user)
			page := c.get(tc.page)
			wantStatus(t, "GET "+tc.page, page, http.StatusOK)
			token := csrfOf(page.body)
			schools := app.schoolCount(t)

			for _, bad := range []struct {
				name  string
				token string
				hdr   []string
			}{
				{"no token", "", nil},
				{"no token, Sec-Fetch-Site same-origin", "", []string{"Sec-Fetch-Site", "same-origin"}},
				{"no token, Sec-Fetch-Site none", "", []string{"Sec-Fetch-Site", "none"}},
				{"no token, Origin of the site", "", []string{"Origin", c.base, "Referer", c.base + tc.page}},
				{"wrong token", "x" + token, nil},
				{"token, Sec-Fetch-Site cross-site, wrong token", "forged", []string{"Sec-Fetch-Site", "cross-site"}},
			} {
				f := cloneValues(tc.form)
				if bad.token != "" {
					f.Set("_csrf", bad.token)
				}
				r := c.postRaw(tc.action, f, bad.hdr...)
				if r.status != http.StatusForbidden {
					t.Errorf("POST %s, %s: got status %d, want 403", tc.action, bad.name, r.status)
				}
			}
			// Nothing happened: still signed in, the school not created.
			if r := c.get("/"); r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login") {
				t.Fatalf("a refused POST %s signed the user out", tc.action)
			}
			if n := app.schoolCount(t); n != schools {
				t.Errorf("school count after refused posts = %d, want %d", n, schools)
			}

			f := cloneValues(tc.form)
			f.Set("_csrf", token)
			r := c.postRaw(tc.action, f)
			wantStatus(t, "POST "+tc.action+" with the token", r, tc.accepted)
		})
	}
}

// A browser sends Sec-Fetch-Site on every request. Its forms must still
// carry a real token, and posting them with it must work.
func TestCSRFBrowserFlowWithFetchMetadata(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	c.header.Set("Sec-Fetch-Site", "none")
	r := c.get("/login")
	wantStatus(t, "GET /login", r, http.StatusOK)
	tok := csrfOf(r.body)
	if tok == "" || strings.HasPrefix(tok, "_echo_") {
		t.Fatalf("the login form's _csrf = %q, want a real token", tok)
	}
	c.header.Set("Sec-Fetch-Site", "same-origin")
	r = c.postRaw("/login", url.Values{"_csrf": {tok}, "username": {userSchool}, "password": {password}})
	wantStatus(t, "POST /login with the token", r, http.StatusSeeOther)

	r = c.get("/schools/" + schoolA + "/checklists/new")
	wantStatus(t, "GET the checklist form", r, http.StatusOK)
	f := goodForm(t, day0)
	f.Set("_csrf", csrfOf(r.body))
	wantStatus(t, "POST the checklist with the token", c.postRaw("/schools/"+schoolA+"/checklists", f), http.StatusSeeOther)
}

func TestCSRFTokenIsNotSharedBetweenClients(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	victim := app.signedIn(t, userAdmin)
	attacker := app.signedIn(t, userLeader)
	f := url.Values{"_csrf": {attacker.csrf}, "code": {"1501040009"}, "name": {"x"}, "type": {"primary"},
		"division_code": {countyYQ}, "students": {"1"}, "ownership": {"public"}}
	if r := victim.postRaw("/admin/schools", f); r.status != http.StatusForbidden {
		t.Errorf("POST with another client's token: status %d, want 403", r.status)
	}
}

func TestCSRFOnTheAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	body := map[string]any{"checked_on": day0.String(), "submit": false, "facts": goodFactsJSON(day0)}
	path := "/api/v1/schools/" + schoolA + "/checklists"

	// Bearer requests carry no ambient credentials: no token needed.
	r := app.api(t, userSchool).post(path, body)
	wantStatus(t, "API POST with Bearer", r, http.StatusCreated)

	// The API with the session cookie is a browser request: reads work,
	// writes need the token.
	c := app.signedIn(t, userSchool)
	wantStatus(t, "API GET with the session cookie", c.get("/api/v1/schools/"+schoolA), http.StatusOK)
	req := c.newRequest(http.MethodPost, path, strings.NewReader(`{"checked_on":"`+day0.String()+`","facts":{}}`))
	req.Header.Set("Content-Type", "application/json")
	wantJSONError(t, "API POST with the session cookie, no token", c.do(req), http.StatusForbidden)

	req = c.newRequest(http.MethodPost, path, strings.NewReader(`{"checked_on":"`+day0.String()+`","facts":{}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	wantStatus(t, "API POST with the session cookie and X-CSRF-Token", c.do(req), http.StatusCreated)
}
