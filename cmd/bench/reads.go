package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Read rates are measured with wrk, 64 connections on 2 threads, one path
// after another against the same server: the static file before and after
// the dashboard page, each ratio against the mean of the two static runs,
// so that a change of the machine's load during the run shows in both
// sides of the ratio. Twice: first as a browser asks, with
// "Accept-Encoding: gzip" (the page and the static file then travel
// gzipped), then without (identity), where the coverage API is measured
// too (it answers uncompressed either way).

// readConnections is the number of connections of every read rate.
const readConnections = 64

// readSeconds is how long each read rate runs.
const readSeconds = 5

var (
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
)

// readDetail is the load average as the read rates started, and the
// rates of clients that do not accept gzip with the bytes of one answer
// each (the figures without a coding in sizeResult are gzip's).
type readDetail struct {
	LoadAverage [3]float64 `json:"load_average"`
	identityReads
}

type identityReads struct {
	StaticRPS   float64 `json:"identity_static_rps"`
	StaticBytes int     `json:"identity_static_bytes"`
	PageRPS     float64 `json:"identity_dashboard_rps"`
	PageBytes   int     `json:"identity_dashboard_bytes"`
	RPSRatio    float64 `json:"identity_dashboard_to_static_ratio"`
}

// readRates fills the static, dashboard and coverage API rates of r. With
// --profile, each rate's CPU and allocation profiles are written to
// profileDir as <engine>-<schools>-<path>.{cpu,allocs}.pprof.
func (b *bench) readRates(e engine, srv *serverProcess, d *dataset, r *sizeResult) error {
	static, page := "/static/js/htmx.min.js", "/divisions/"+d.region
	// pair is the rate of path between two of the static file's, and its
	// ratio to their mean, with the bytes of one answer of each.
	pair := func(enc, name, path string) (staticRPS, rps, ratio float64, staticBytes, bytes int, err error) {
		rate := func(name, path, token string) (float64, int, error) {
			stop := b.profile(srv, fmt.Sprintf("%s-%d-%s%s", e, r.Schools, name, enc))
			defer stop()
			return readRate(srv.base+path, token, enc)
		}
		var s1, s2 float64
		if s1, staticBytes, err = rate("static", static, ""); err != nil {
			return
		}
		if rps, bytes, err = rate(name, path, d.token); err != nil {
			return
		}
		if s2, _, err = rate("static-again", static, ""); err != nil {
			return
		}
		staticRPS = round2((s1 + s2) / 2)
		if staticRPS > 0 {
			ratio = round2(rps / staticRPS)
		}
		return staticRPS, round2(rps), ratio, staticBytes, bytes, nil
	}
	r.Reads.LoadAverage = loadAverage()
	var err error
	if r.StaticRPS, r.PageRPS, r.RPSRatio, r.StaticBytes, r.PageBytes, err = pair("-gzip", "dashboard", page); err != nil {
		return err
	}
	id := &r.Reads.identityReads
	if id.StaticRPS, id.PageRPS, id.RPSRatio, id.StaticBytes, id.PageBytes, err = pair("", "dashboard", page); err != nil {
		return err
	}
	stop := b.profile(srv, fmt.Sprintf("%s-%d-coverage-api", e, r.Schools))
	api, _, err := readRate(srv.base+"/api/v1/coverage/"+d.region, d.token, "")
	stop()
	if err != nil {
		return err
	}
	r.APIRPS = round2(api)
	if id.StaticRPS > 0 {
		r.APIRatio = round2(api / id.StaticRPS)
	}
	return nil
}

// profile starts fetching a CPU and an allocation profile of most of a
// read rate's run from the server's profiler, and returns the function
// that waits for both and writes them. Without --profile it does nothing.
func (b *bench) profile(srv *serverProcess, name string) (wait func()) {
	if srv.pprof == "" {
		return func() {}
	}
	var wg sync.WaitGroup
	secs := strconv.Itoa(readSeconds - 1)
	for kind, path := range map[string]string{"cpu": "profile?seconds=" + secs, "allocs": "allocs?seconds=" + secs} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.pprof + path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "  profile:", err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			file := filepath.Join(b.profileDir, name+"."+kind+".pprof")
			if err := os.WriteFile(file, body, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "  profile:", err)
			}
		}()
	}
	return wg.Wait
}

// readRate is url's request rate under wrk and the bytes of one answer
// as sent, asking for the content coding enc ("-gzip" for gzip, "" for
// none). Without wrk on the PATH it falls back to the Go client (which
// competes with the server for the same cores, and asks for no coding:
// lower, and said so).
func readRate(url, token, enc string) (float64, int, error) {
	size, err := transferred(url, token, enc)
	if err != nil {
		return 0, 0, err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		fmt.Fprintln(os.Stderr, "  wrk not found: measuring with the Go client, without gzip")
		return rate(url, token, readConnections, readSeconds*time.Second)
	}
	args := []string{"-t2", "-c" + strconv.Itoa(readConnections), "-d" + strconv.Itoa(readSeconds) + "s"}
	if token != "" {
		args = append(args, "-H", "Authorization: Bearer "+token)
	}
	if enc == "-gzip" {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.Command("wrk", append(args, url)...).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk %s: %w", url, err)
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		return 0, 0, fmt.Errorf("wrk %s: %s answers were not 2xx", url, m[1])
	}
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("wrk %s: no Requests/sec in %q", url, out)
	}
	rps, err := strconv.ParseFloat(string(m[1]), 64)
	return rps, size, err
}

// transferred is the number of bytes of url's answer as sent: with
// Accept-Encoding set, Go's transport leaves the body as it came.
func transferred(url, token, enc string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", map[string]string{"-gzip": "gzip", "": "identity"}[enc])
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return int(n), err
}

// readTargets judges the read figures: at 100,000 schools (or the largest
// size measured), the dashboard page and the coverage API at half the
// static file's rate or more, and PostgreSQL's dashboard p50 within twice
// SQLite's at the same size.
type readTargets struct {
	AtSchools     int     `json:"at_schools"`
	PageRatio     float64 `json:"dashboard_to_static"`
	PageRatioOK   bool    `json:"dashboard_at_least_0_5_of_static"`
	APIRatio      float64 `json:"coverage_api_to_static"`
	APIRatioOK    bool    `json:"coverage_api_at_least_0_5_of_static"`
	PGP50Ratio    float64 `json:"postgres_dashboard_p50_over_sqlite,omitempty"`
	PGP50RatioOK  *bool   `json:"postgres_dashboard_p50_within_2x"` // null: no PostgreSQL run to compare
	PGRatioSchool int     `json:"postgres_compared_at_schools,omitempty"`
}

// referenceSize is the 100,000-school result, or the largest.
func referenceSize(rs []sizeResult) sizeResult {
	for _, r := range rs {
		if r.Schools == 100_000 {
			return r
		}
	}
	return rs[len(rs)-1]
}

func (b *bench) judgeReads() readTargets {
	ref := referenceSize(b.results.Sizes)
	t := readTargets{AtSchools: ref.Schools, PageRatio: ref.RPSRatio, APIRatio: ref.APIRatio,
		PageRatioOK: ref.RPSRatio >= 0.5, APIRatioOK: ref.APIRatio >= 0.5}
	if pg := b.results.Postgres; pg != nil && len(pg.Sizes) > 0 {
		p := referenceSize(pg.Sizes)
		for _, s := range b.results.Sizes {
			if s.Schools == p.Schools && s.RegionPageP50 > 0 {
				t.PGRatioSchool, t.PGP50Ratio = p.Schools, round2(p.RegionPageP50/s.RegionPageP50)
				ok := t.PGP50Ratio <= 2
				t.PGP50RatioOK = &ok
			}
		}
	}
	return t
}

// printReads prints the read rates of every size and engine, and the
// read targets.
func (b *bench) printReads() {
	w := os.Stdout
	fmt.Fprintf(w, "\nread rates (wrk, %d connections, %ds each; ratios against the mean static rate of the same run and coding;\n"+
		"bytes: one answer as sent; the coverage API answers uncompressed and is compared with the identity static rate)\n",
		readConnections, readSeconds)
	fmt.Fprintf(w, "%-11s %-8s %-8s %10s %8s %10s %8s %8s %10s %8s %10s %10s  %s\n", "engine", "schools", "coding", "static/s",
		"bytes", "page/s", "bytes", "page ÷", "api/s", "api ÷", "page p50", "api p50", "load avg")
	row := func(engine string, rs []sizeResult) {
		for _, r := range rs {
			fmt.Fprintf(w, "%-11s %-8d %-8s %10.0f %8d %10.0f %8d %8.2f\n", engine, r.Schools, "gzip", r.StaticRPS,
				r.StaticBytes, r.PageRPS, r.PageBytes, r.RPSRatio)
			id := r.Reads
			fmt.Fprintf(w, "%-11s %-8d %-8s %10.0f %8d %10.0f %8d %8.2f %10.0f %8.2f %10.2f %10.2f  %.1f\n", engine, r.Schools,
				"identity", id.StaticRPS, id.StaticBytes, id.PageRPS, id.PageBytes, id.RPSRatio, r.APIRPS, r.APIRatio,
				r.RegionPageP50, r.RegionAPIP50, id.LoadAverage[0])
		}
	}
	row("SQLite", b.results.Sizes)
	if pg := b.results.Postgres; pg != nil {
		row("PostgreSQL", pg.Sizes)
	}
	t := b.results.Reads
	fmt.Fprintf(w, "read targets at %d schools: dashboard ÷ static (gzip) %.2f (≥0.5: %v); coverage API ÷ static %.2f (≥0.5: %v)",
		t.AtSchools, t.PageRatio, t.PageRatioOK, t.APIRatio, t.APIRatioOK)
	if t.PGRatioSchool > 0 {
		fmt.Fprintf(w, "; PostgreSQL dashboard p50 at %d schools = %.2f× SQLite's (≤2: %v)", t.PGRatioSchool, t.PGP50Ratio, *t.PGP50RatioOK)
	}
	fmt.Fprintln(w)
}
