package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"testing"

	"safecampus/static"
)

// fetch GETs path with the Accept-Encoding given (none when empty), taking
// the body as sent: a request that names an encoding is not decoded by
// Go's transport.
func (c *client) fetch(path, acceptEncoding string) response {
	c.t.Helper()
	req := c.newRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	return c.do(req)
}

// gunzip decodes exactly one gzip member (Go's reader checks its CRC-32
// and length) and nothing after it.
func gunzip(t *testing.T, what string, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: decoding: %v", what, err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) > 0 {
		t.Fatalf("%s: %d bytes after the gzip member", what, len(rest))
	}
	return out
}

// TestDashboardGzip: a client that accepts gzip gets the dashboard as one
// valid gzip member whose content is, byte for byte, the page a client
// without gzip gets, from the page cache and after a write alike, with
// the same security headers and Vary: Accept-Encoding on both.
func TestDashboardGzip(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, userLeader)
	path := "/divisions/" + prefHohhot
	compare := func(when string) {
		t.Helper()
		plain := c.fetch(path, "identity")
		zipped := c.fetch(path, "br;q=1.0, gzip;q=0.8")
		for _, r := range []response{plain, zipped} {
			if r.status != http.StatusOK {
				t.Fatalf("%s: status %d", when, r.status)
			}
			if r.header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: Vary %q, want Accept-Encoding", when, r.header.Get("Vary"))
			}
			wantSecurityHeaders(t, when, r.header)
		}
		if enc := plain.header.Get("Content-Encoding"); enc != "" {
			t.Errorf("%s: identity request answered with Content-Encoding %q", when, enc)
		}
		if enc := zipped.header.Get("Content-Encoding"); enc != "gzip" {
			t.Fatalf("%s: Content-Encoding %q, want gzip", when, enc)
		}
		if n := zipped.resp.ContentLength; n != int64(len(zipped.body)) {
			t.Errorf("%s: Content-Length %d, body %d bytes", when, n, len(zipped.body))
		}
		page := gunzip(t, when, []byte(zipped.body))
		if !bytes.Equal(page, []byte(plain.body)) {
			t.Fatalf("%s: the gzipped page (%d bytes) differs from the identity page (%d bytes)", when, len(page), len(plain.body))
		}
		if len(zipped.body)*4 > len(plain.body) {
			t.Errorf("%s: %d bytes gzipped of %d: hardly compressed", when, len(zipped.body), len(plain.body))
		}
	}
	compare("first read")
	compare("from the cache")
	app.checklist(t, schoolA, day0, goodFacts(day0), true)
	compare("after a write")
	// gzip refused by quality zero: identity.
	if r := c.fetch(path, "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", r.header.Get("Content-Encoding"))
	}
}

// TestStaticGzip: the embedded text files are served gzipped (compressed
// once at start-up) to clients that accept it, identical once decoded;
// others, and range requests, get the file as it is.
func TestStaticGzip(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	want, err := fs.ReadFile(static.FS, "js/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	path := "/static/js/htmx.min.js"
	zipped := c.fetch(path, "gzip")
	if zipped.status != 200 || zipped.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: status %d, Content-Encoding %q", zipped.status, zipped.header.Get("Content-Encoding"))
	}
	if got := gunzip(t, path, []byte(zipped.body)); !bytes.Equal(got, want) {
		t.Fatalf("decoded htmx differs from the embedded file (%d bytes, want %d)", len(got), len(want))
	}
	for _, r := range []response{zipped, c.fetch(path, "identity")} {
		if r.header.Get("Vary") != "Accept-Encoding" || r.header.Get("Cache-Control") != "public, max-age=86400" ||
			r.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("headers %v", r.header)
		}
		wantSecurityHeaders(t, path, r.header)
	}
	if r := c.fetch(path, "identity"); r.header.Get("Content-Encoding") != "" || r.body != string(want) {
		t.Errorf("identity: Content-Encoding %q, %d bytes", r.header.Get("Content-Encoding"), len(r.body))
	}
	req := c.newRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Range", "bytes=0-9")
	if r := c.do(req); r.status != http.StatusPartialContent || r.body != string(want[:10]) {
		t.Errorf("range: status %d, body %q", r.status, r.body)
	}
	// PNGs are compressed already: as they are.
	if r := c.fetch("/static/img/icon-192.png", "gzip"); r.status != 200 || r.header.Get("Content-Encoding") != "" {
		t.Errorf("png: status %d, Content-Encoding %q", r.status, r.header.Get("Content-Encoding"))
	}
}
