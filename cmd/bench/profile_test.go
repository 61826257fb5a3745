package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

// The benchmarks here run the write paths in process so that they can be
// profiled (see README, Performance):
//
//	go test ./cmd/bench -run '^$' -bench ImportRoster -benchtime 1x -cpuprofile /tmp/import.pprof
//
// BenchmarkImportRoster is `safecampus import schools` of 100,000 schools
// minus process start: parse the CSV, then import it all or nothing.
func BenchmarkImportRoster(b *testing.B) {
	all, counties, err := divisions()
	if err != nil {
		b.Fatal(err)
	}
	file := rosterCSV(syntheticRoster(counties, 100_000, 7))
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		st, err := store.Open(store.Options{DSN: filepath.Join(b.TempDir(), "import"+strconv.Itoa(i)+".db"), Location: time.UTC})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if err := st.ImportDivisions(ctx, all); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rows, parseErr := roster.ParseSchools(bytes.NewReader(file), "roster.csv")
		res, err := st.ImportRoster(ctx, model.User{Username: "cli"}, rows, parseErr, false)
		if err != nil || res.Created != 100_000 {
			b.Fatal(res, err)
		}
		b.StopTimer()
		st.Close()
	}
}

// rosterCSV is the schools file the CLI reads.
func rosterCSV(schools []model.School) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"code", "name", "type", "division_code", "address", "students", "boarders", "police_station", "ownership"})
	for _, s := range schools {
		_ = w.Write([]string{s.Code, s.Name, string(s.Type), s.DivisionCode, "", strconv.Itoa(s.Students),
			strconv.Itoa(s.Boarders), "", string(s.Ownership)})
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkSeed is the benchmark's dataset build (buildDataset) of 20,000
// schools: the roster and five months of checklist history.
func BenchmarkSeed(b *testing.B) {
	for range b.N {
		bn := &bench{dir: b.TempDir(), ctx: context.Background()}
		d, err := bn.buildDataset(sqlite, 20_000)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(d.seed.Seconds(), "seed-s")
	}
}

// postSchools is the size of BenchmarkDurablePosts's dataset:
// `go test ./cmd/bench -run '^$' -bench DurablePosts -benchtime 1x -args -schools 100000`.
var postSchools = flag.Int("schools", 10_000, "schools of BenchmarkDurablePosts's dataset")

// BenchmarkDurablePosts is the submissions figure in process: 200 clients
// posting checklists for 10 seconds to the real handler on loopback, the
// store durable (fsync at every commit) as `safecampus serve` opens it.
func BenchmarkDurablePosts(b *testing.B) {
	bn := &bench{dir: b.TempDir(), ctx: context.Background()}
	d, err := bn.buildDataset(sqlite, *postSchools)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(store.Options{DSN: d.dsn, Location: shanghai()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bundle, err := i18n.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{}, st, bundle, slog.New(slog.DiscardHandler), prometheus.NewRegistry()).Handler())
	defer srv.Close()
	b.ResetTimer()
	for range b.N {
		cpu := cpuTime()
		s := submissions(srv.URL, d.token, d.schools, 200, 10*time.Second)
		if s.Errors > 0 {
			b.Fatalf("%d errors", s.Errors)
		}
		b.ReportMetric(s.PerSecond, "posts/s")
		// On a shared machine the rate follows the load; the CPU time a
		// post costs (server and client together) does not.
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(s.Accepted), "cpu-ms/post")
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
