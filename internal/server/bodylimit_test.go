package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

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
