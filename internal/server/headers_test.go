package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		out[strings.ToLower(f[0])] = f[1:]
	}
	return out
}

// wantSecurityHeaders checks the headers SPEC section 6 demands of every
// response.
func wantSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	policy := h.Get("Content-Security-Policy")
	if policy == "" {
		t.Errorf("%s: no Content-Security-Policy", what)
		return
	}
	d := cspDirectives(policy)
	scripts, ok := d["script-src"]
	if !ok {
		scripts, ok = d["default-src"]
	}
	if !ok {
		t.Errorf("%s: CSP %q restricts no scripts", what, policy)
	}
	for _, src := range scripts {
		switch strings.ToLower(src) {
		case "'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:":
			t.Errorf("%s: CSP script source %s allows inline or foreign scripts: %q", what, src, policy)
		}
	}
	if fa := d["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
		t.Errorf("%s: CSP frame-ancestors %v, want 'none': %q", what, fa, policy)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	// URLs carry school codes and filters: they must not leak to other sites.
	switch got := h.Get("Referrer-Policy"); got {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q, want one that keeps paths on this site", what, got)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	anon := app.newClient(t)
	school := app.signedIn(t, userSchool)
	admin := app.signedIn(t, userAdmin)
	for _, tc := range []struct {
		name   string
		c      *client
		method string
		path   string
		status int
	}{
		{"login page", anon, "GET", "/login", 200},
		{"redirect to login", anon, "GET", "/", 303},
		{"health", anon, "GET", "/healthz", 200},
		{"ready", anon, "GET", "/readyz", 200},
		{"metrics", anon, "GET", "/metrics", 200},
		{"static file", anon, "GET", "/static/css/app.css", 200},
		{"unknown path", anon, "GET", "/no/such/page", 0},
		{"API without credentials", anon, "GET", "/api/v1/coverage/" + province, 401},
		{"POST without token", anon, "POST", "/login", 403},
		{"dashboard", admin, "GET", "/", 200},
		{"division", admin, "GET", "/divisions/" + prefHohhot, 200},
		{"school", school, "GET", "/schools/" + schoolA, 200},
		{"checklist form", school, "GET", "/schools/" + schoolA + "/checklists/new", 200},
		{"forbidden", school, "GET", "/admin/schools", 403},
		{"not found", admin, "GET", "/schools/" + unknownSchool, 404},
		{"bad request", admin, "GET", "/divisions/" + prefHohhot + "?basis=x", 400},
		{"API", admin, "GET", "/api/v1/coverage/" + province, 200},
		{"API unknown", admin, "GET", "/api/v1/schools/" + unknownSchool, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.method == http.MethodGet {
				r = tc.c.get(tc.path)
			} else {
				r = tc.c.postRaw(tc.path, nil)
			}
			if tc.status != 0 && r.status != tc.status {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, r.status, tc.status)
			}
			wantSecurityHeaders(t, tc.method+" "+tc.path, r.header)
		})
	}
	// The API answers through the same middleware with a token too.
	r := app.api(t, userAdmin).get("/api/v1/schools/" + schoolA)
	wantSecurityHeaders(t, "API with a token", r.header)
}

func TestErrorPagesHideInternals(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	for _, path := range []string{"/schools/" + unknownSchool, "/checklists/not-a-number", "/divisions/" + prefHohhot + "?page=-1"} {
		r := c.get(path)
		if r.status < 400 || !r.isHTML() {
			t.Errorf("GET %s: %d %q, want an HTML error page", path, r.status, r.header.Get("Content-Type"))
		}
		for _, leak := range []string{"goroutine ", ".go:", "gorm", "sql:"} {
			if strings.Contains(r.body, leak) {
				t.Errorf("GET %s: the error page shows %q", path, leak)
			}
		}
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		wantStatus(t, "GET "+path, c.get(path), http.StatusOK)
	}
	c.get("/login")
	r := c.get("/metrics")
	wantStatus(t, "GET /metrics", r, http.StatusOK)
	if !strings.Contains(r.body, "safecampus_http_requests_total") {
		t.Errorf("/metrics lacks safecampus_http_requests_total:\n%s", truncate(r.body, 2000))
	}
	// Requests are counted by route pattern, not by id.
	c.get("/schools/" + schoolA)
	r = c.get("/metrics")
	if !strings.Contains(r.body, `route="/schools/:code"`) {
		t.Errorf("/metrics does not count by route pattern:\n%s", truncate(r.body, 4000))
	}
	if strings.Contains(r.body, schoolA) {
		t.Errorf("/metrics has a label with a school code")
	}

	// With the database gone, the process is up but not ready.
	if err := app.closeStore(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "GET /healthz without a database", c.get("/healthz"), http.StatusOK)
	wantStatus(t, "GET /readyz without a database", c.get("/readyz"), http.StatusServiceUnavailable)
}
