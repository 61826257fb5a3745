package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"safecampus/internal/model"
	"safecampus/internal/roster"
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
