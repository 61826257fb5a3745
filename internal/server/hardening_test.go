package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"safecampus/internal/server"
	"safecampus/internal/store"
)

// Account and session hardening (issue 6): login throttling by address,
// session timeouts, password changes and disabled users ending every
// session and token, cookie flags.

// addressFailures records n failed logins from address straight in the
// store (bcrypt is slow under -race; the count is what is under test).
func (a *testApp) addressFailures(t *testing.T, address string, n int) {
	t.Helper()
	for i := range n {
		if err := a.store.RecordLoginFailure(context.Background(), fmt.Sprintf("sprayed-%d", i), address); err != nil {
			t.Fatal(err)
		}
	}
}

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Without a trusted proxy the address is the connection's: a client that
// sprays passwords across usernames is throttled whatever X-Forwarded-For
// it sends.
func TestLoginThrottlesAnAddressWhateverItClaims(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addressFailures(t, "127.0.0.1", 29)
	// The 30th failure, claiming to come from elsewhere, counts for the
	// connection's address.
	r := app.newClient(t).login("sprayed-30", "wrong-password", "X-Forwarded-For", "203.0.113.9", "X-Real-IP", "203.0.113.9")
	wantStatus(t, "30th failure", r, http.StatusUnauthorized)
	for _, xff := range []string{"", "198.51.100.7", "10.0.0.1, 192.0.2.1"} {
		var hdr []string
		if xff != "" {
			hdr = []string{"X-Forwarded-For", xff, "X-Real-IP", xff}
		}
		// Even the right password of another user is refused.
		r := app.newClient(t).login(userLeader, password, hdr...)
		wantStatus(t, "right password from a throttled address claiming "+xff, r, http.StatusTooManyRequests)
		if ck := r.cookie("sc_session"); ck != nil && ck.Value != "" {
			t.Errorf("a throttled login set a session cookie")
		}
	}
	app.clock.Advance(16 * time.Minute)
	wantStatus(t, "after the window", app.newClient(t).login(userLeader, password), http.StatusSeeOther)
}

// Behind a configured proxy the address is the one the proxy reports: the
// right-most address in X-Forwarded-For that is not a trusted proxy.
func TestLoginThrottleUsesTheTrustedProxysAddress(t *testing.T) {
	t.Parallel()
	app := newTestAppWith(t, appOptions{cfg: server.Config{TrustedProxies: []*net.IPNet{mustCIDR(t, "127.0.0.0/8")}}})
	app.addressFailures(t, "203.0.113.9", 29)
	r := app.newClient(t).login("sprayed-30", "wrong-password", "X-Forwarded-For", "203.0.113.9")
	wantStatus(t, "30th failure through the proxy", r, http.StatusUnauthorized)
	for _, tc := range []struct {
		xff  string
		want int
	}{
		{"203.0.113.9", http.StatusTooManyRequests},
		// A client that prepends an address of its own is still known by
		// the one the proxy appended.
		{"198.51.100.7, 203.0.113.9", http.StatusTooManyRequests},
		{"198.51.100.7", http.StatusSeeOther},
		{"", http.StatusSeeOther}, // the proxy itself
	} {
		var hdr []string
		if tc.xff != "" {
			hdr = []string{"X-Forwarded-For", tc.xff}
		}
		wantStatus(t, "login via the proxy for "+tc.xff, app.newClient(t).login(userLeader, password, hdr...), tc.want)
	}
}

// A proxy that is configured but is not the peer is not believed.
func TestLoginThrottleIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	app := newTestAppWith(t, appOptions{cfg: server.Config{TrustedProxies: []*net.IPNet{mustCIDR(t, "10.0.0.0/8")}}})
	app.addressFailures(t, "203.0.113.9", 30)
	wantStatus(t, "claiming a throttled address", app.newClient(t).login(userLeader, password, "X-Forwarded-For", "203.0.113.9"), http.StatusSeeOther)
	app.addressFailures(t, "127.0.0.1", 30)
	wantStatus(t, "claiming a fresh address from a throttled one",
		app.newClient(t).login(userLeader, password, "X-Forwarded-For", "198.51.100.7"), http.StatusTooManyRequests)
}

func TestSessionEndsAfterItsAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.loggedIn(t, userLeader)
	r := c.get("/")
	wantStatus(t, "GET / after login", r, http.StatusOK)
	// Used every 7 hours, the session never idles out ...
	for elapsed := 7 * time.Hour; elapsed <= store.SessionAbsolute; elapsed += 7 * time.Hour {
		app.clock.Advance(7 * time.Hour)
		if r := c.get("/"); r.status != http.StatusOK {
			t.Fatalf("after %v in use: status %d, want 200", elapsed, r.status)
		}
	}
	// ... but ends once it is older than the absolute limit.
	app.clock.Advance(2 * time.Hour)
	if r := c.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("past the absolute limit: %d %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	if r := c.get("/api/v1/coverage/" + prefHohhot); r.status != http.StatusUnauthorized {
		t.Errorf("past the absolute limit on the API: status %d, want 401", r.status)
	}
}

// The session cookie expires when the session would.
func TestSessionCookieLivesNoLongerThanTheSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.newClient(t).login(userLeader, password)
	ck := r.cookie("sc_session")
	if ck == nil || time.Duration(ck.MaxAge)*time.Second != store.SessionAbsolute {
		t.Errorf("sc_session = %v, want Max-Age %v", ck, store.SessionAbsolute)
	}
}

func TestChangePasswordEndsEverySessionAndToken(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	a := app.loggedIn(t, userLeader)
	b := app.loggedIn(t, userLeader)
	tok := app.api(t, userLeader)
	wantStatus(t, "token before", tok.get("/api/v1/coverage/"+prefHohhot), http.StatusOK)

	page := a.get("/")
	if !strings.Contains(page.body, `href="/account/password"`) {
		t.Errorf("the page header has no link to /account/password")
	}
	r := a.get("/account/password")
	wantStatus(t, "GET /account/password", r, http.StatusOK)
	for _, f := range []string{"current_password", "new_password", "confirm_password"} {
		if !strings.Contains(r.body, `name="`+f+`"`) {
			t.Errorf("the form has no field %s", f)
		}
	}
	const newPassword = "Brand-New-Pass-7"
	for _, tc := range []struct {
		name                   string
		current, next, confirm string
		field                  string
	}{
		{"wrong current password", "not-the-password", newPassword, newPassword, "current_password"},
		{"confirmation differs", password, newPassword, newPassword + "x", "confirm_password"},
		{"too short", password, "short", "short", "new_password"},
		{"too long", password, strings.Repeat("x", 73), strings.Repeat("x", 73), "new_password"},
		{"unchanged", password, password, password, "new_password"},
	} {
		r := a.submit("/account/password", "/account/password", url.Values{"current_password": {tc.current},
			"new_password": {tc.next}, "confirm_password": {tc.confirm}})
		wantStatus(t, tc.name, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, `data-testid="field-error-`+tc.field+`"`) {
			t.Errorf("%s: no error on %s", tc.name, tc.field)
		}
		for _, secret := range []string{tc.current, tc.next} {
			if strings.Contains(r.body, secret) {
				t.Errorf("%s: the page shows a typed password", tc.name)
			}
		}
	}
	// Nothing changed so far.
	wantStatus(t, "B after refused changes", b.get("/"), http.StatusOK)

	before := a.sessionCookie()
	r = a.submit("/account/password", "/account/password", url.Values{"current_password": {password},
		"new_password": {newPassword}, "confirm_password": {newPassword}})
	wantStatus(t, "change password", r, http.StatusSeeOther)
	if after := a.sessionCookie(); after == "" || after == before {
		t.Errorf("the browser that changed its password kept session %q, want a new one", after)
	}
	wantStatus(t, "A after the change", a.get("/"), http.StatusOK)
	if r := b.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("the other browser after the change: %d %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	old := app.newClient(t)
	u, _ := url.Parse(old.base)
	old.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sc_session", Value: before, Path: "/"}})
	wantStatus(t, "replaying the old session", old.get("/divisions/"+prefHohhot), http.StatusSeeOther)
	wantJSONError(t, "the old API token", tok.get("/api/v1/coverage/"+prefHohhot), http.StatusUnauthorized)
	wantStatus(t, "login with the old password", app.newClient(t).login(userLeader, password), http.StatusUnauthorized)
	wantStatus(t, "login with the new password", app.newClient(t).login(userLeader, newPassword), http.StatusSeeOther)

	entries, _, err := app.store.AuditTrail(context.Background(), store.AuditQuery{Entity: "user", EntityID: userLeader})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range entries {
		if e.Action == "change_password" {
			found = true
			if e.Username != userLeader || !strings.Contains(e.New, `"sessions_ended":2`) || !strings.Contains(e.New, `"tokens_revoked":1`) {
				t.Errorf("audit entry %+v, want by %s ending 2 sessions and 1 token", e, userLeader)
			}
			if strings.Contains(e.New+e.Old, newPassword) || strings.Contains(e.New+e.Old, "$2a$") {
				t.Errorf("the audit entry holds a password or hash: %+v", e)
			}
		}
	}
	if !found {
		t.Errorf("no change_password entry in the audit trail: %+v", entries)
	}
}

func TestAdminDisablesAndEnablesAUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	leader := app.loggedIn(t, userLeader)
	tok := app.api(t, userLeader)
	admin := app.signedIn(t, userAdmin)
	id := app.users[userLeader].ID

	r := admin.get("/admin/users")
	wantStatus(t, "users page", r, http.StatusOK)
	if !strings.Contains(r.body, `data-testid="disable-user-leader"`) {
		t.Errorf("the users page offers no way to disable leader")
	}
	if strings.Contains(r.body, `data-testid="disable-user-admin"`) {
		t.Errorf("the users page offers the admin a way to disable themselves")
	}

	r = admin.submit("/admin/users", fmt.Sprintf("/admin/users/%d/disable", id), nil)
	wantStatus(t, "disable", r, http.StatusSeeOther)
	if r := leader.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("the disabled user's session: %d %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	wantJSONError(t, "the disabled user's token", tok.get("/api/v1/coverage/"+prefHohhot), http.StatusUnauthorized)
	wantStatus(t, "login of a disabled user", app.newClient(t).login(userLeader, password), http.StatusUnauthorized)
	r = admin.get("/admin/users")
	if !strings.Contains(r.body, `data-testid="enable-user-leader"`) {
		t.Errorf("the users page offers no way to enable the disabled leader")
	}
	// Disabling twice changes nothing; disabling oneself is refused.
	wantStatus(t, "disable again", admin.submit("/admin/users", fmt.Sprintf("/admin/users/%d/disable", id), nil), http.StatusSeeOther)
	wantStatus(t, "disable oneself", admin.submit("/admin/users", fmt.Sprintf("/admin/users/%d/disable", app.users[userAdmin].ID), nil),
		http.StatusUnprocessableEntity)
	wantStatus(t, "the admin is still signed in", admin.get("/admin/users"), http.StatusOK)

	wantStatus(t, "enable", admin.submit("/admin/users", fmt.Sprintf("/admin/users/%d/enable", id), nil), http.StatusSeeOther)
	wantStatus(t, "login after enabling", app.newClient(t).login(userLeader, password), http.StatusSeeOther)
	// Tokens revoked by the disabling stay revoked.
	wantJSONError(t, "the old token after enabling", tok.get("/api/v1/coverage/"+prefHohhot), http.StatusUnauthorized)

	entries, _, err := app.store.AuditTrail(context.Background(), store.AuditQuery{Entity: "user", EntityID: userLeader})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.Action == "disable" || e.Action == "enable" {
			actions = append(actions, e.Action+" by "+e.Username)
			if e.Action == "disable" && !strings.Contains(e.New, `"sessions_ended":1`) {
				t.Errorf("disable audit entry %+v, want sessions_ended 1", e)
			}
		}
	}
	// Newest first; the second disable changed nothing and is not logged.
	if got, want := strings.Join(actions, ", "), "enable by admin, disable by admin"; got != want {
		t.Errorf("audit trail: %s, want %s", got, want)
	}
}

// Every cookie the server sets is HttpOnly and SameSite=Lax, and Secure
// when the request came over TLS or the server is told it sits behind TLS.
func TestEveryCookieIsHttpOnlySameSiteAndSecureBehindTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range transports {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestAppWith(t, tc.opts)
			c := app.newClient(t)
			var responses []response
			responses = append(responses, c.get("/login"))
			responses = append(responses, c.login(userAdmin, password))
			responses = append(responses, c.submit("/", "/settings/language", url.Values{"lang": {"en"}, "next": {"/"}}))
			responses = append(responses, c.submit("/admin/users", fmt.Sprintf("/admin/users/%d/disable", app.users[userSpare].ID), nil))
			responses = append(responses, c.get("/admin/users")) // clears the flash
			responses = append(responses, c.submit("/", "/logout", nil))
			seen := map[string]bool{}
			for _, r := range responses {
				for _, ck := range r.resp.Cookies() {
					seen[ck.Name] = true
					if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tc.wantSecure {
						t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Secure=%v, want true, Lax, %v", ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure, tc.wantSecure)
					}
				}
			}
			for _, name := range []string{"sc_session", "sc_csrf", "sc_lang", "sc_flash"} {
				if tc.wantSecure {
					name = "__Host-" + name // Secure cookies carry the __Host- prefix
				}
				if !seen[name] {
					t.Errorf("the flow never set cookie %s; seen %v", name, seen)
				}
			}
		})
	}
}

// rawPost sends a request with the given Content-Length but no body, and
// reads the status the server answers with before any body arrives.
func rawPost(t *testing.T, base, path string, contentLength int64, header ...string) *http.Response {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", path, u.Host, contentLength)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s with Content-Length %d: %v", path, contentLength, err)
	}
	res.Body.Close()
	return res
}

// largeBodyRoutes take file uploads and so a larger body than forms and
// JSON; every other POST route is limited to 1 MiB.
var largeBodyRoutes = map[string]bool{
	"/admin/import":            true,
	"/checklists/:id/evidence": true,
	"/hazards/:id/answer":      true,
	// The evidence API (SPEC section 11).
	"/api/v1/checklists/:id/evidence": true,
	"/api/v1/hazards/:id/evidence":    true,
}

// Every POST route refuses a body larger than its limit from its announced
// length alone, before reading it and before anything else is checked.
func TestEveryPostRouteRefusesOversizedBodies(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	session := app.signedIn(t, userAdmin).sessionCookie()
	filled := strings.NewReplacer(":code", schoolA, ":id", "1")
	n := 0
	for _, r := range routeTable(t) {
		if r.Method != http.MethodPost {
			continue
		}
		n++
		path := filled.Replace(r.Path)
		sizes := []int64{1 << 30}
		if !largeBodyRoutes[r.Path] {
			sizes = append(sizes, 1<<20+1)
		}
		for _, size := range sizes {
			for _, hdr := range [][]string{nil, {"Cookie", "sc_session=" + session}} {
				res := rawPost(t, app.srv.URL, path, size, hdr...)
				if res.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("POST %s with %d bytes (cookie %v): status %d, want 413", r.Path, size, hdr != nil, res.StatusCode)
				}
				wantAPI := strings.HasPrefix(r.Path, "/api/")
				if ct := res.Header.Get("Content-Type"); wantAPI != strings.HasPrefix(ct, "application/json") {
					t.Errorf("POST %s: 413 with Content-Type %q", r.Path, ct)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d POST routes", n)
	}
}

// A form sent without a length (chunked) is cut off at the limit while it
// is read, and answered 413 too, not taken as an empty form.
func TestChunkedOversizedFormIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	for _, path := range []string{"/schools/" + schoolA + "/checklists", "/login", "/admin/schools", "/account/password"} {
		form := url.Values{"_csrf": {c.csrf}, "notes": {strings.Repeat("x", 1<<20)}}
		req := c.newRequest(http.MethodPost, path, io.MultiReader(strings.NewReader(form.Encode())))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.do(req); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked 1 MiB form to %s: status %d, want 413", path, r.status)
		}
	}
}

// The roster import takes files far larger than a form: its limit is
// declared on its route, and a body over the form limit reaches the
// handler (which refuses this one for not being a workbook, not for its
// size).
func TestImportRouteTakesBodiesLargerThanAForm(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	junk := []byte("this is not a zip file" + strings.Repeat(".", 2<<20))
	r := c.upload("/admin/import", "/admin/import", "file", "schools.xlsx", junk, nil)
	wantStatus(t, "upload of 2 MiB to /admin/import", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.text(), "XLSX") {
		t.Errorf("upload of 2 MiB: the page does not say the file is not an XLSX workbook")
	}
}
