// Command bench measures SafeCampus at national scale: it builds datasets of
// synthetic schools on the mainland China divisions, starts the real server
// binary on loopback against each, and measures, side by side in one run,
// dashboard and coverage API latency, the dashboard's request rate against
// a static file's, checklist submissions under 200 concurrent clients, a
// roster import, start-up time and peak memory. It prints a table and, as
// its last line, one JSON object with the figures.
//
// Run it with `go run ./cmd/bench` (or `task bench`) from the repository.
// Timings are only comparable within one run: the machine is shared.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "time/tzdata"

	"safecampus/internal/pgtest"
)

//go:embed divisions-china.csv
var chinaCSV string

func main() {
	sizesFlag := flag.String("sizes", "10000,100000,800000", "school counts of the SQLite datasets")
	pgSizesFlag := flag.String("pg-sizes", "10000,100000", "school counts of the PostgreSQL datasets (empty: skip PostgreSQL)")
	keep := flag.String("dir", "", "work directory (default: a temporary one, removed at the end)")
	requests := flag.Int("requests", 300, "sequential requests per latency figure")
	notifyOnly := flag.Bool("notify-only", false, "build each dataset and time the daily reminder job only (no server figures)")
	reportsOnly := flag.Bool("reports-only", false, "import each roster, seed a year of inspections and hazards, and time the period report only")
	importOnly := flag.Bool("import-only", false, "time the CLI roster import alone, of each size (SQLite) and each PostgreSQL size")
	profile := flag.String("profile", "", "write CPU and allocation profiles of each read rate's server into this directory")
	writesOnly := flag.Bool("writes-only", false, "build each dataset and measure the checklist submissions only")
	against := flag.String("against", "", "with --writes-only: other server binaries (comma-separated) measured on the same "+
		"dataset, each from a copy of it as built, in turns with this tree's")
	rounds := flag.Int("rounds", 1, "with --writes-only: turns of every binary on each dataset")
	flag.Parse()
	sizes, err := parseSizes(*sizesFlag)
	if err != nil || (len(sizes) == 0 && !*importOnly) {
		fmt.Fprintln(os.Stderr, "bench: bad --sizes")
		os.Exit(2)
	}
	pgSizes, err := parseSizes(*pgSizesFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: bad --pg-sizes")
		os.Exit(2)
	}
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "safecampus-bench-")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	b := &bench{dir: dir, requests: *requests, ctx: context.Background(), notifyOnly: *notifyOnly, profileDir: *profile}
	if *writesOnly {
		if *against != "" {
			b.against = strings.Split(*against, ",")
		}
		b.rounds = max(*rounds, 1)
		if err := b.writesOnly(sizes, pgSizes); err != nil {
			fail(err)
		}
		return
	}
	if *importOnly {
		if err := b.importOnly(sizes, pgSizes); err != nil {
			fail(err)
		}
		return
	}
	if *reportsOnly {
		if err := b.reportsOnly(sizes); err != nil {
			fail(err)
		}
		return
	}
	if err := b.run(sizes, pgSizes); err != nil {
		fail(err)
	}
}

func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

type bench struct {
	ctx      context.Context
	dir      string
	binary   string
	requests int
	results  results
	// notifyOnly skips the server figures: datasets and the reminder job.
	notifyOnly bool
	// profileDir, if set, receives profiles of the read rates (reads.go).
	profileDir string
	// servers counts the servers started, naming their logs.
	servers int
	// against are other server binaries the submissions figure runs on
	// too, rounds times each (--writes-only).
	against []string
	rounds  int
}

// results is the JSON line.
type results struct {
	Sizes    []sizeResult `json:"sizes"`
	Import   importResult `json:"import_100k"`
	Submits  submitResult `json:"submissions"`
	Targets  targets      `json:"targets"`
	Reads    readTargets  `json:"read_targets"`
	Postgres *engineRun   `json:"postgres,omitempty"`
}

// engineRun is the figures of one more database engine.
type engineRun struct {
	Sizes   []sizeResult `json:"sizes"`
	Import  importResult `json:"import_100k"`
	Submits submitResult `json:"submissions"`
}

type sizeResult struct {
	Schools          int     `json:"schools"`
	SeedSeconds      float64 `json:"seed_seconds"`
	DBMegabytes      float64 `json:"db_mb"`
	StartupSeconds   float64 `json:"startup_seconds"`
	RegionPageP50    float64 `json:"region_page_p50_ms"`
	RegionPageP99    float64 `json:"region_page_p99_ms"`
	CountyPageP50    float64 `json:"county_page_p50_ms"`
	CountyPageP99    float64 `json:"county_page_p99_ms"`
	RegionAPIP50     float64 `json:"region_api_p50_ms"`
	RegionAPIP99     float64 `json:"region_api_p99_ms"`
	CountyAPIP50     float64 `json:"county_api_p50_ms"`
	CountyAPIP99     float64 `json:"county_api_p99_ms"`
	PageRPS          float64 `json:"dashboard_rps"`
	PageBytes        int     `json:"dashboard_bytes"`
	StaticRPS        float64 `json:"static_rps"`
	StaticBytes      int     `json:"static_bytes"`
	RPSRatio         float64 `json:"dashboard_to_static_ratio"`
	APIRPS           float64 `json:"coverage_api_rps"`
	APIRatio         float64 `json:"coverage_api_to_static_ratio"`
	PeakRSSMegabytes float64 `json:"peak_rss_mb"`
	// Reads is the rest of the read rates (reads.go).
	Reads readDetail `json:"reads"`
	// Notify is the daily reminder job on this dataset.
	Notify notifyResult `json:"notify"`
	// Reports is the period report on this dataset with a year of activity.
	Reports reportResult `json:"reports"`
}

type importResult struct {
	Schools     int        `json:"schools"`
	Seconds     float64    `json:"seconds"`
	CPUSeconds  float64    `json:"cpu_seconds"`
	LoadAverage [3]float64 `json:"load_average"`
}

type submitResult struct {
	AtSchools int     `json:"at_schools"`
	Clients   int     `json:"clients"`
	Seconds   float64 `json:"seconds"`
	Accepted  int     `json:"accepted"`
	Errors    int     `json:"errors"`
	PerSecond float64 `json:"per_second"`
	// ServerCPUms is the server's CPU time per accepted submission.
	ServerCPUms float64    `json:"server_cpu_ms_per_submission"`
	LoadAverage [3]float64 `json:"load_average"`
}

type targets struct {
	P99Ratio        float64 `json:"region_page_p99_largest_over_smallest"`
	P99RatioOK      bool    `json:"p99_ratio_within_1_5"`
	RPSRatioOK      bool    `json:"dashboard_at_least_0_5_of_static"`
	SubmitsOK       bool    `json:"at_least_2000_submissions_per_second_no_errors"`
	ImportOK        bool    `json:"import_100k_within_3s"`
	MemoryOK        bool    `json:"peak_rss_under_300mb"`
	StartupSeconds  float64 `json:"startup_seconds_largest"`
	PeakRSSLargest  float64 `json:"peak_rss_mb_largest"`
	LargestSchools  int     `json:"largest_schools"`
	SmallestSchools int     `json:"smallest_schools"`
}

func (b *bench) run(sizes, pgSizes []int) error {
	if err := b.buildBinary(); err != nil {
		return err
	}
	run, err := b.runEngine(sqlite, sizes)
	if err != nil {
		return err
	}
	b.results.Sizes, b.results.Import, b.results.Submits = run.Sizes, run.Import, run.Submits
	if len(pgSizes) > 0 {
		if ok, why := pgtest.Available(); !ok {
			fmt.Fprintln(os.Stderr, "skipping PostgreSQL:", why)
		} else {
			if err := pgtest.StartDurable(); err != nil {
				return err
			}
			pg, err := b.runEngine(postgres, pgSizes)
			if err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
			b.results.Postgres = &pg
		}
	}
	b.judge()
	b.print()
	return nil
}

// buildBinary builds the server binary the figures run.
func (b *bench) buildBinary() error {
	fmt.Fprintln(os.Stderr, "building the server binary…")
	b.binary = filepath.Join(b.dir, "safecampus")
	if err := command("go", "build", "-o", b.binary, "./cmd/safecampus").Run(); err != nil {
		return fmt.Errorf("go build ./cmd/safecampus (run the bench from the repository root): %w", err)
	}
	return nil
}

// runEngine measures every size on one engine, submissions at the middle
// size, and the import.
func (b *bench) runEngine(e engine, sizes []int) (engineRun, error) {
	var run engineRun
	for i, n := range sizes {
		r, s, err := b.measureSize(e, n, i == len(sizes)/2 || len(sizes) == 1)
		if err != nil {
			return run, fmt.Errorf("%s, %d schools: %w", e, n, err)
		}
		run.Sizes = append(run.Sizes, r)
		if s != nil {
			run.Submits = *s
		}
	}
	if b.notifyOnly {
		return run, nil
	}
	imp, err := b.measureImport(e, 100_000)
	if err != nil {
		return run, fmt.Errorf("%s import: %w", e, err)
	}
	run.Import = imp
	return run, nil
}

func (b *bench) judge() {
	rs := b.results.Sizes
	if b.notifyOnly {
		return
	}
	first, last := rs[0], rs[len(rs)-1]
	t := &b.results.Targets
	t.SmallestSchools, t.LargestSchools = first.Schools, last.Schools
	if first.RegionPageP99 > 0 {
		t.P99Ratio = round2(last.RegionPageP99 / first.RegionPageP99)
	}
	t.P99RatioOK = t.P99Ratio <= 1.5
	b.results.Reads = b.judgeReads()
	t.RPSRatioOK = b.results.Reads.PageRatioOK
	s := b.results.Submits
	t.SubmitsOK = s.PerSecond >= 2000 && s.Errors == 0
	t.ImportOK = b.results.Import.Seconds <= 3
	t.PeakRSSLargest, t.StartupSeconds = last.PeakRSSMegabytes, last.StartupSeconds
	t.MemoryOK = last.PeakRSSMegabytes < 300
}

func (b *bench) print() {
	w := os.Stdout
	if b.notifyOnly {
		fmt.Fprintln(w, "\nSafeCampus daily reminder job —", time.Now().Format("2006-01-02 15:04"))
		printNotify(b.results.Sizes)
		line, _ := json.Marshal(b.results.Sizes)
		fmt.Fprintln(w, string(line))
		return
	}
	fmt.Fprintln(w, "\nSafeCampus benchmark —", time.Now().Format("2006-01-02 15:04"), "— latencies in ms")
	printEngine("SQLite", engineRun{Sizes: b.results.Sizes, Import: b.results.Import, Submits: b.results.Submits})
	if pg := b.results.Postgres; pg != nil {
		printEngine("PostgreSQL", *pg)
	}
	b.printReads()
	t := b.results.Targets
	fmt.Fprintf(w, "\ntargets (SQLite): region page p99 %d/%d schools = %.2fx (≤1.5: %v); dashboard/static ≥0.5: %v; "+
		"≥2000 submits/s, 0 errors: %v; import ≤3s: %v; peak RSS <300 MB: %v\n",
		t.LargestSchools, t.SmallestSchools, t.P99Ratio, t.P99RatioOK, t.RPSRatioOK, t.SubmitsOK, t.ImportOK, t.MemoryOK)
	line, _ := json.Marshal(b.results)
	fmt.Fprintln(w, string(line))
}

func printEngine(name string, run engineRun) {
	w := os.Stdout
	fmt.Fprintf(w, "\n%s\n", name)
	fmt.Fprintf(w, "%-10s %8s %8s %9s %9s %9s %9s %9s %9s %9s %9s %8s %8s %6s %7s %7s\n", "schools", "seed s", "start s",
		"rgnpg p50", "rgnpg p99", "cntpg p50", "cntpg p99", "rgnapi50", "rgnapi99", "cntapi50", "cntapi99",
		"page/s", "static/s", "ratio", "rss MB", "db MB")
	for _, r := range run.Sizes {
		fmt.Fprintf(w, "%-10d %8.1f %8.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %8.0f %8.0f %6.2f %7.0f %7.0f\n",
			r.Schools, r.SeedSeconds, r.StartupSeconds, r.RegionPageP50, r.RegionPageP99, r.CountyPageP50, r.CountyPageP99,
			r.RegionAPIP50, r.RegionAPIP99, r.CountyAPIP50, r.CountyAPIP99, r.PageRPS, r.StaticRPS, r.RPSRatio,
			r.PeakRSSMegabytes, r.DBMegabytes)
	}
	printNotify(run.Sizes)
	printReports(run.Sizes)
	s := run.Submits
	fmt.Fprintf(w, "submissions at %d schools, %d clients, %.0fs: %d accepted, %d errors, %.0f per second, "+
		"server CPU %.2f ms each (load average %.1f)\n", s.AtSchools, s.Clients, s.Seconds, s.Accepted, s.Errors,
		s.PerSecond, s.ServerCPUms, s.LoadAverage[0])
	fmt.Fprintf(w, "roster import of %d schools: %.1fs wall, %.1fs CPU (load average %.1f)\n", run.Import.Schools,
		run.Import.Seconds, run.Import.CPUSeconds, run.Import.LoadAverage[0])
}

// printNotify prints the reminder job's figures per size.
func printNotify(sizes []sizeResult) {
	w := os.Stdout
	for _, r := range sizes {
		n := r.Notify
		fmt.Fprintf(w, "reminder job at %d schools (%d officials, %d hazards): first run %.2fs (%d notifications), "+
			"next day %.2fs (%d), same day again %.2fs\n", r.Schools, n.Officials, n.Hazards, n.FirstSeconds, n.FirstCreated,
			n.DailySeconds, n.DailyCreated, n.RepeatSeconds)
	}
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// engine is a database the benchmark runs on.
type engine string

const (
	sqlite   engine = "sqlite"
	postgres engine = "postgres"
)
