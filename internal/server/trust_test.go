package server_test

// The 等保 2.0 level-3 items of issue 16: audit of sign-ins, sign-outs,
// exports and downloads with address and request id; request ids; HSTS;
// tokens page; admin reset forcing a change; /metrics off the public port.

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/i18n"
	"safecampus/internal/imagetest"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

func TestSignInsExportsAndDownloadsAreAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	c := app.newClient(t)
	wantStatus(t, "wrong password", c.login(userInspector, "wrong-password"), http.StatusUnauthorized)
	r := c.login(userInspector, password)
	wantStatus(t, "sign in", r, http.StatusSeeOther)
	reqID := r.header.Get("X-Request-ID")
	if reqID == "" {
		t.Fatalf("no X-Request-ID on the sign-in answer")
	}
	wantStatus(t, "export", c.get("/divisions/"+prefHohhot+"/schools.csv?q=新城"), http.StatusOK)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	sch := app.signedIn(t, userSchool)
	sch.uploadFiles(fmt.Sprintf("/checklists/%d", cl.ID), fmt.Sprintf("/checklists/%d/evidence", cl.ID), []upFile{{"a.png", imagetest.PNG(t, 4, 4)}}, nil)
	files, _ := app.store.ChecklistEvidence(ctx, cl.ID)
	if len(files) != 1 {
		t.Fatalf("evidence: %v", files)
	}
	wantStatus(t, "download", c.get(fmt.Sprintf("/evidence/%d", files[0].ID)), http.StatusOK)
	wantStatus(t, "sign out", c.submit("/", "/logout", nil), http.StatusSeeOther)

	trail, _, err := app.store.AuditTrail(ctx, store.AuditQuery{Username: userInspector, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.AuditEntry{}
	for _, e := range trail {
		got[e.Entity+"/"+e.Action] = e
	}
	for _, k := range []string{"session/sign_in_failed", "session/sign_in", "export/export", "evidence/download", "session/sign_out"} {
		e, ok := got[k]
		if !ok {
			t.Errorf("no %s entry in the audit trail; have %v", k, keysOf(got))
			continue
		}
		if e.Address != "127.0.0.1" || e.RequestID == "" {
			t.Errorf("%s: address %q request id %q, want 127.0.0.1 and an id", k, e.Address, e.RequestID)
		}
	}
	if e := got["session/sign_in"]; e.RequestID != reqID {
		t.Errorf("sign-in entry request id %q, want the response's %q", e.RequestID, reqID)
	}
	if e := got["export/export"]; !strings.Contains(e.New, "q=") {
		t.Errorf("export entry %q does not record the filters", e.New)
	}
	// The audit page filters by kind.
	admin := app.signedIn(t, userAdmin)
	page := admin.get("/audit?entity=session")
	wantStatus(t, "audit page by kind", page, http.StatusOK)
	if !strings.Contains(page.text(), "登录失败") || !strings.Contains(page.text(), "退出登录") {
		t.Errorf("the audit page filtered to sign-ins shows no failed sign-in or sign-out:\n%s", truncate(page.text(), 1500))
	}
	if n, err := app.store.VerifyAudit(ctx); err != nil || n == 0 {
		t.Errorf("VerifyAudit = %d, %v", n, err)
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestRequestIDsAndHSTS(t *testing.T) {
	t.Parallel()
	plain := newTestApp(t)
	c := plain.signedIn(t, userLeader)
	c.header.Set("X-Request-ID", "forged-by-client")
	r := c.get("/divisions/" + unknownDivision)
	id := r.header.Get("X-Request-ID")
	if !hexID.MatchString(id) {
		t.Errorf("X-Request-ID %q: want a fresh id, not the client's own", id)
	}
	if !strings.Contains(r.body, id) {
		t.Errorf("the error page does not show its request id %s", id)
	}
	if h := r.header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS %q over plain HTTP", h)
	}

	proxied := newTestAppWith(t, appOptions{cfg: server.Config{TrustedProxies: []*net.IPNet{mustCIDR(t, "127.0.0.0/8")}}})
	pc := proxied.newClient(t)
	pc.header.Set("X-Request-ID", "edge-42")
	if got := pc.get("/healthz").header.Get("X-Request-ID"); got != "edge-42" {
		t.Errorf("behind a trusted proxy X-Request-ID = %q, want the proxy's edge-42", got)
	}

	tls := newTestAppWith(t, appOptions{tls: true})
	if h := tls.newClient(t).get("/login").header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("HSTS over TLS = %q, want max-age", h)
	}
}

func TestTokensPageAndExpiry(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userLeader)
	r := c.submit("/account/tokens", "/account/tokens", url.Values{"name": {"reporting script"}, "expires": {"30"}})
	wantStatus(t, "create a token", r, http.StatusCreated)
	m := regexp.MustCompile(`sc_[A-Za-z0-9_-]{20,}`).FindString(r.body)
	if m == "" {
		t.Fatalf("the new token is not shown:\n%s", truncate(r.text(), 800))
	}
	api := &apiClient{t: t, base: app.srv.URL, hc: app.srv.Client(), token: m}
	wantStatus(t, "the new token", api.get("/api/v1/coverage/"+prefHohhot), http.StatusOK)
	r = c.submit("/account/tokens", "/account/tokens", url.Values{"name": {"x"}, "expires": {"0"}})
	wantStatus(t, "no life chosen", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, `value="x"`) {
		t.Errorf("the name is not kept after an error")
	}
	app.clock.Advance(30 * 24 * time.Hour)
	wantJSONError(t, "an expired token", api.get("/api/v1/coverage/"+prefHohhot), http.StatusUnauthorized)
	app.clock.Advance(-2 * 24 * time.Hour)
	tokens, _ := app.store.Tokens(context.Background(), app.users[userLeader].ID)
	c = app.signedIn(t, userLeader) // the old session idled out
	r = c.submit("/account/tokens", fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID), nil)
	wantStatus(t, "revoke", r, http.StatusSeeOther)
	wantJSONError(t, "a revoked token", api.get("/api/v1/coverage/"+prefHohhot), http.StatusUnauthorized)
	// Tokens cannot mint tokens.
	api2 := app.api(t, userLeader)
	req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/account/tokens", strings.NewReader("expires=30"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+api2.token)
	res, err := app.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("creating a token with a token: %d, want 403", res.StatusCode)
	}
}

func TestAdminResetForcesAChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	spare := app.signedIn(t, userSpare)
	admin := app.signedIn(t, userAdmin)
	page := fmt.Sprintf("/admin/users/%d/password", app.users[userSpare].ID)
	r := admin.submit(page, page, url.Values{"password": {"weakpassword"}, "confirm_password": {"weakpassword"}})
	wantStatus(t, "a weak password", r, http.StatusUnprocessableEntity)
	r = admin.submit(page, page, url.Values{"password": {"Temporary-Pass-1"}, "confirm_password": {"Temporary-Pass-1"}})
	wantStatus(t, "reset", r, http.StatusSeeOther)
	// The user's session ended.
	if r := spare.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("old session after a reset: %d %s, want 303 to /login", r.status, r.header.Get("Location"))
	}
	c := app.newClient(t)
	r = c.login(userSpare, "Temporary-Pass-1")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/password" {
		t.Fatalf("sign-in after a reset: %d → %q, want 303 to /account/password", r.status, r.header.Get("Location"))
	}
	if r := c.get("/"); r.header.Get("Location") != "/account/password" {
		t.Errorf("GET / before the change → %d %q, want the password page", r.status, r.header.Get("Location"))
	}
	r = c.submit("/account/password", "/account/password", url.Values{"current_password": {"Temporary-Pass-1"},
		"new_password": {"Chosen-Pass-77"}, "confirm_password": {"Chosen-Pass-77"}})
	wantStatus(t, "the change", r, http.StatusSeeOther)
	wantStatus(t, "GET / after the change", c.get("/"), http.StatusOK)
}

func TestMetricsMoveOffThePublicPort(t *testing.T) {
	t.Parallel()
	app := newTestAppWith(t, appOptions{cfg: server.Config{MetricsElsewhere: true}})
	wantStatus(t, "public /metrics", app.newClient(t).get("/metrics"), http.StatusNotFound)
	// The separate handler serves them (the CLI puts it on --metrics-addr).
	bundle, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{MetricsElsewhere: true}, app.store, bundle, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	rec := httptest.NewRecorder()
	h.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "safecampus_") {
		t.Errorf("metrics handler: %d\n%s", rec.Code, truncate(rec.Body.String(), 300))
	}
}

func keysOf(m map[string]store.AuditEntry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
