package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"safecampus/internal/server"
)

func TestLoginWrongPasswordShowsTheFormAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, tc := range []struct {
		name, username, password string
	}{
		{"wrong password", userLeader, "not-the-password"},
		{"unknown user", "nobody-here", password},
		{"empty password", userLeader, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := app.newClient(t)
			r := c.login(tc.username, tc.password)
			wantStatus(t, "POST /login", r, http.StatusUnauthorized)
			if !r.isHTML() {
				t.Errorf("Content-Type %q, want the HTML form", r.header.Get("Content-Type"))
			}
			if !strings.Contains(r.body, `name="username"`) || !strings.Contains(r.body, `name="password"`) {
				t.Errorf("the login form is not shown again:\n%s", r.body)
			}
			if want := `value="` + tc.username + `"`; !strings.Contains(r.body, want) {
				t.Errorf("the username is not kept: no %s in\n%s", want, r.body)
			}
			if tc.password != "" && strings.Contains(r.body, tc.password) {
				t.Errorf("the password %q is echoed back in the page", tc.password)
			}
			if ck := r.cookie("sc_session"); ck != nil && ck.Value != "" {
				t.Errorf("a failed login set a session cookie %q", ck.Value)
			}
			if got := c.get("/"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.header.Get("Location"), "/login") {
				t.Errorf("after a failed login GET / = %d %q, want 303 to /login", got.status, got.header.Get("Location"))
			}
		})
	}
}

// transports are the ways a server is reached, and whether its cookies
// must then be Secure.
var transports = []struct {
	name       string
	opts       appOptions
	wantSecure bool
}{
	{"plain HTTP", appOptions{}, false},
	{"TLS", appOptions{tls: true}, true},
	{"plain HTTP behind a TLS proxy", appOptions{cfg: server.Config{SecureCookies: true}}, true},
}

func TestLoginSetsASafeSessionCookie(t *testing.T) {
	t.Parallel()
	for _, tc := range transports {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestAppWith(t, tc.opts)
			c := app.newClient(t)
			r := c.login(userInspector, password)
			wantStatus(t, "POST /login", r, http.StatusSeeOther)
			if got := r.header.Get("Location"); got != "/" {
				t.Errorf("Location %q, want /", got)
			}
			name := "sc_session"
			if tc.wantSecure {
				name = "__Host-sc_session" // Secure cookies carry the __Host- prefix
			}
			ck := r.cookie(name)
			if ck == nil || ck.Value == "" {
				t.Fatalf("no %s cookie in %q", name, r.header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly {
				t.Errorf("sc_session is not HttpOnly: %s", ck)
			}
			if ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("sc_session SameSite = %v, want Lax: %s", ck.SameSite, ck)
			}
			if ck.Secure != tc.wantSecure {
				t.Errorf("sc_session Secure = %v, want %v: %s", ck.Secure, tc.wantSecure, ck)
			}
			if ck.Path != "/" {
				t.Errorf("sc_session Path = %q, want /", ck.Path)
			}
			// The cookie signs the client in.
			if got := c.get("/"); got.status != http.StatusOK {
				t.Errorf("GET / after login: status %d, want 200", got.status)
			}
		})
	}
}

func TestLoginRedirectsOnlyWithinTheSite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, tc := range []struct{ next, want string }{
		{"/divisions/" + prefHohhot, "/divisions/" + prefHohhot},
		{"//evil.example/x", "/"},
		{"https://evil.example/", "/"},
		{`/\evil.example`, "/"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			c := app.newClient(t)
			c.get("/login?next=" + url.QueryEscape(tc.next))
			r := c.postRaw("/login", url.Values{"_csrf": {c.csrf}, "username": {userLeader}, "password": {password}, "next": {tc.next}})
			wantStatus(t, "POST /login", r, http.StatusSeeOther)
			if got := r.header.Get("Location"); got != tc.want {
				t.Errorf("Location %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoginIssuesANewSessionEachTime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)

	// A session id planted before login (fixation) is not kept.
	u, _ := url.Parse(c.base)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sc_session", Value: "planted-by-attacker", Path: "/"}})
	wantStatus(t, "first login", c.login(userLeader, password), http.StatusSeeOther)
	first := c.sessionCookie()
	if first == "" || first == "planted-by-attacker" {
		t.Fatalf("session after first login = %q, want a fresh id", first)
	}

	c.get("/login")
	wantStatus(t, "second login", c.login(userLeader, password), http.StatusSeeOther)
	second := c.sessionCookie()
	if second == "" || second == first {
		t.Fatalf("session after second login = %q, want a new id different from %q", second, first)
	}

	// The first session ended when the second began.
	old := app.newClient(t)
	old.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sc_session", Value: first, Path: "/"}})
	if r := old.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("GET / with the replaced session: %d %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	if r := c.get("/"); r.status != http.StatusOK {
		t.Errorf("GET / with the new session: status %d, want 200", r.status)
	}
}

func TestLoginThrottlesAUsernameAfterTenFailures(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	fail := func(i int) {
		t.Helper()
		r := c.login(userInspector, "wrong-password", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		wantStatus(t, fmt.Sprintf("failure %d", i), r, http.StatusUnauthorized)
		app.clock.Advance(time.Minute)
	}
	for i := range 9 {
		fail(i + 1)
	}
	// After 9 failures the right password still works (and does not wipe
	// the count).
	wantStatus(t, "the right password after 9 failures", app.newClient(t).login(userInspector, password), http.StatusSeeOther)
	fail(10)
	// Within 15 minutes of the first failure: the right password, from
	// "another" address, is still refused.
	for _, xff := range []string{"", "198.51.100.7", "10.0.0.1, 192.0.2.1"} {
		var hdr []string
		if xff != "" {
			hdr = []string{"X-Forwarded-For", xff, "X-Real-IP", xff}
		}
		r := app.newClient(t).login(userInspector, password, hdr...)
		wantStatus(t, "11th attempt from "+xff, r, http.StatusTooManyRequests)
		if ck := r.cookie("sc_session"); ck != nil && ck.Value != "" {
			t.Errorf("a throttled login set a session cookie")
		}
	}
	// Another username is not affected.
	wantStatus(t, "another user", app.newClient(t).login(userLeader, password), http.StatusSeeOther)

	// Once the failures are older than 15 minutes, the right password works.
	app.clock.Advance(16 * time.Minute)
	wantStatus(t, "after the window", app.newClient(t).login(userInspector, password), http.StatusSeeOther)
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.loggedIn(t, userLeader)
	session := c.sessionCookie()
	r := c.submit("/", "/logout", nil)
	wantStatus(t, "POST /logout", r, http.StatusSeeOther)
	if got := r.header.Get("Location"); got != "/login" {
		t.Errorf("Location %q, want /login", got)
	}
	if ck := r.cookie("sc_session"); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
		t.Errorf("logout Set-Cookie sc_session = %v, want an expired empty cookie", ck)
	}
	if r := c.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("GET / after logout: status %d, want 303", r.status)
	}
	// The server forgot the session: replaying the old cookie fails.
	replay := app.newClient(t)
	u, _ := url.Parse(c.base)
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sc_session", Value: session, Path: "/"}})
	if r := replay.get("/divisions/" + prefHohhot); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("replayed session after logout: %d %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	if r := replay.get("/api/v1/coverage/" + prefHohhot); r.status != http.StatusUnauthorized {
		t.Errorf("replayed session on the API after logout: status %d, want 401", r.status)
	}
}

func TestSessionExpiresWhenIdle(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.loggedIn(t, userLeader)
	app.clock.Advance(7 * time.Hour)
	if r := c.get("/"); r.status != http.StatusOK {
		t.Fatalf("after 7 idle hours: status %d, want 200", r.status)
	}
	app.clock.Advance(9 * time.Hour)
	if r := c.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("after 9 more idle hours: status %d, want 303 to /login", r.status)
	}
}

func TestSignedOutRequests(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	for _, path := range []string{"/", "/divisions/" + prefHohhot + "?type=primary", "/schools/" + schoolA, "/review", "/admin/schools"} {
		r := c.get(path)
		if r.status != http.StatusSeeOther {
			t.Errorf("GET %s signed out: status %d, want 303", path, r.status)
			continue
		}
		if got, want := r.header.Get("Location"), "/login?next="+url.QueryEscape(path); got != want {
			t.Errorf("GET %s signed out: Location %q, want %q", path, got, want)
		}
	}
	// The login page carries next in its form, and signing in goes there.
	r := c.get("/login?next=" + url.QueryEscape("/schools/"+schoolA))
	wantStatus(t, "GET /login", r, http.StatusOK)
	form := r.body[strings.Index(r.body, `action="/login"`)+1:]
	form = form[:strings.Index(form, "</form>")+1]
	m := regexp.MustCompile(`<input[^>]*name="next"[^>]*value="([^"]*)"`).FindStringSubmatch(form)
	if m == nil || html.UnescapeString(m[1]) != "/schools/"+schoolA {
		t.Fatalf("the login form does not carry next=/schools/%s: %v", schoolA, m)
	}
	r = c.postRaw("/login", url.Values{"_csrf": {c.csrf}, "username": {userSchool}, "password": {password},
		"next": {html.UnescapeString(m[1])}})
	if got := r.header.Get("Location"); got != "/schools/"+schoolA {
		t.Errorf("after login with next: Location %q, want /schools/%s", got, schoolA)
	}
}
