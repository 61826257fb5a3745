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
// the dashboard page and the coverage API, each ratio against the mean of
// the two static runs, so that a change of the machine's load during the
// run shows in both sides of the ratio.

// readConnections is the number of connections of every read rate.
const readConnections = 64

// readSeconds is how long each read rate runs.
const readSeconds = 5

var (
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
)

// readRates fills the static, dashboard and coverage API rates of r. With
// --profile, each rate's CPU and allocation profiles are written to
// profileDir as <engine>-<schools>-<path>.{cpu,allocs}.pprof.
func (b *bench) readRates(e engine, srv *serverProcess, d *dataset, r *sizeResult) error {
	rate := func(name, path, token string) (float64, int, error) {
		stop := b.profile(srv, fmt.Sprintf("%s-%d-%s", e, r.Schools, name))
		defer stop()
		return readRate(srv.base+path, token)
	}
	static := "/static/js/htmx.min.js"
	var err error
	var s1, s2 float64
	if s1, r.StaticBytes, err = rate("static", static, ""); err != nil {
		return err
	}
	if r.PageRPS, r.PageBytes, err = rate("dashboard", "/divisions/"+d.region, d.token); err != nil {
		return err
	}
	if r.APIRPS, _, err = rate("coverage-api", "/api/v1/coverage/"+d.region, d.token); err != nil {
		return err
	}
	if s2, _, err = rate("static-again", static, ""); err != nil {
		return err
	}
	r.StaticRPS = round2((s1 + s2) / 2)
	r.PageRPS, r.APIRPS = round2(r.PageRPS), round2(r.APIRPS)
	if r.StaticRPS > 0 {
		r.RPSRatio, r.APIRatio = round2(r.PageRPS/r.StaticRPS), round2(r.APIRPS/r.StaticRPS)
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

// readRate is url's request rate under wrk and the size of one answer.
// Without wrk on the PATH it falls back to the Go client (which competes
// with the server for the same cores: lower, and said so).
func readRate(url, token string) (float64, int, error) {
	size, err := get(url, token)
	if err != nil {
		return 0, 0, err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		fmt.Fprintln(os.Stderr, "  wrk not found: measuring with the Go client")
		return rate(url, token, readConnections, readSeconds*time.Second)
	}
	args := []string{"-t2", "-c" + strconv.Itoa(readConnections), "-d" + strconv.Itoa(readSeconds) + "s"}
	if token != "" {
		args = append(args, "-H", "Authorization: Bearer "+token)
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
	fmt.Fprintf(w, "\nread rates (wrk, %d connections, %ds each; ratios against the mean static rate of the same run)\n",
		readConnections, readSeconds)
	fmt.Fprintf(w, "%-11s %-10s %10s %10s %10s %8s %8s %10s %10s\n", "engine", "schools", "static/s", "page/s", "api/s",
		"page ÷", "api ÷", "page p50", "api p50")
	row := func(engine string, rs []sizeResult) {
		for _, r := range rs {
			fmt.Fprintf(w, "%-11s %-10d %10.0f %10.0f %10.0f %8.2f %8.2f %10.2f %10.2f\n", engine, r.Schools, r.StaticRPS,
				r.PageRPS, r.APIRPS, r.RPSRatio, r.APIRatio, r.RegionPageP50, r.RegionAPIP50)
		}
	}
	row("SQLite", b.results.Sizes)
	if pg := b.results.Postgres; pg != nil {
		row("PostgreSQL", pg.Sizes)
	}
	t := b.results.Reads
	fmt.Fprintf(w, "read targets at %d schools: dashboard ÷ static %.2f (≥0.5: %v); coverage API ÷ static %.2f (≥0.5: %v)",
		t.AtSchools, t.PageRatio, t.PageRatioOK, t.APIRatio, t.APIRatioOK)
	if t.PGRatioSchool > 0 {
		fmt.Fprintf(w, "; PostgreSQL dashboard p50 at %d schools = %.2f× SQLite's (≤2: %v)", t.PGRatioSchool, t.PGP50Ratio, *t.PGP50RatioOK)
	}
	fmt.Fprintln(w)
}
