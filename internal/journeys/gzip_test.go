package journeys

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// csrfValue finds the page's CSRF token, a session's own.
var csrfValue = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestDashboardArrivesGzipped: Chromium, which asks for gzip, renders the
// dashboard with htmx and the stylesheet, from the first render and from
// the page cache; it gets the page and htmx gzipped (its fetch sees the
// Content-Encoding; navigations go through the service worker, whose
// timings show its own copies), and the page it decodes is, byte for byte,
// the page a client without gzip gets (the session's CSRF token aside).
func TestDashboardArrivesGzipped(t *testing.T) {
	a := newApp(t, userLeader)
	a.checklist(t, schoolXC1, goodFacts(), true)
	b := newBrowser(t, a.url)
	tb := b.newTab("leader", desktop)
	tb.login(userLeader)
	for range 2 { // the first render, then from the page cache
		if status := tb.open("/divisions/" + prefHohhot); status != 200 {
			tb.fatalf("dashboard: status %d", status)
		}
		if tb.eval(`typeof htmx === "object" && getComputedStyle(document.querySelector(".site-header")).display !== "inline"`) != true {
			tb.fatalf("htmx or the stylesheet did not load")
		}
		if !strings.Contains(tb.text(tid("division-name")), "呼和浩特") {
			tb.fatalf("division name %q", tb.text(tid("division-name")))
		}
	}
	got, ok := tb.await(`fetch(location.href).then(async r => r.headers.get("Content-Encoding") + "\n" + await r.text())`).(string)
	if !ok || !strings.HasPrefix(got, "gzip\n") {
		tb.fatalf("the browser's fetch of the dashboard was not gzipped: %.60q", got)
	}
	htmx := tb.await(`fetch("/static/js/htmx.min.js", {cache: "no-store"}).then(async r => [r.headers.get("Content-Encoding"), (await r.text()).length])`)
	if h, ok := htmx.([]any); !ok || h[0] != "gzip" || h[1].(float64) < 50_000 {
		tb.fatalf("htmx: %v, want gzip and the whole script", htmx)
	}
	want := identityPage(t, a, "/divisions/"+prefHohhot)
	if normal(got[len("gzip\n"):]) != normal(want) {
		tb.fatalf("the page Chromium decoded differs from the identity page (%d and %d bytes)", len(got)-5, len(want))
	}
}

// identityPage is path as a client without gzip gets it, signed in as the
// leader in a session of its own, asking for Chinese as the browser does.
func identityPage(t *testing.T, a *app, path string) string {
	t.Helper()
	tok, err := a.store.CreateSession(context.Background(), a.users[userLeader].ID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, a.url+path, nil)
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("Accept-Language", "zh-CN,zh")
	req.AddCookie(&http.Cookie{Name: "sc_session", Value: tok})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity %s: status %d, Content-Encoding %q, %v", path, resp.StatusCode, resp.Header.Get("Content-Encoding"), err)
	}
	return string(body)
}

// normal is a page with its CSRF token replaced by a mark.
func normal(page string) string {
	if m := csrfValue.FindStringSubmatch(page); m != nil {
		return strings.ReplaceAll(page, m[1], "CSRF")
	}
	return page
}
