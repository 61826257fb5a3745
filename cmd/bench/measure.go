package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"safecampus/internal/store"
)

func (b *bench) measureSize(e engine, n int, withSubmissions bool) (sizeResult, *submitResult, error) {
	fmt.Fprintf(os.Stderr, "%s: building %d schools…\n", e, n)
	d, err := b.buildDataset(e, n)
	if err != nil {
		return sizeResult{}, nil, err
	}
	r := sizeResult{Schools: n, SeedSeconds: round2(d.seed.Seconds())}
	if fi, err := os.Stat(d.dsn); err == nil {
		r.DBMegabytes = round2(float64(fi.Size()) / (1 << 20))
	}
	var sub *submitResult
	fmt.Fprintf(os.Stderr, "  seeded in %.1fs\n", d.seed.Seconds())
	if r.Notify, err = b.measureNotify(e, d); err != nil {
		return r, nil, fmt.Errorf("reminder job: %w", err)
	}
	if b.notifyOnly {
		return r, nil, nil
	}
	fmt.Fprintln(os.Stderr, "  starting the server…")
	srv, err := b.startServer(d.dsn)
	if err != nil {
		return r, nil, err
	}
	defer srv.stop()
	r.StartupSeconds = round2(srv.startup.Seconds())
	base := srv.base
	figures := []struct {
		path     string
		p50, p99 *float64
	}{
		{"/divisions/" + d.region, &r.RegionPageP50, &r.RegionPageP99},
		{"/divisions/" + d.county, &r.CountyPageP50, &r.CountyPageP99},
		{"/api/v1/coverage/" + d.region, &r.RegionAPIP50, &r.RegionAPIP99},
		{"/api/v1/coverage/" + d.county, &r.CountyAPIP50, &r.CountyAPIP99},
	}
	for _, f := range figures {
		if *f.p50, *f.p99, err = latency(base+f.path, d.token, b.requests); err != nil {
			return r, nil, err
		}
	}
	fmt.Fprintln(os.Stderr, "  measuring request rates…")
	if err := b.readRates(e, srv, d, &r); err != nil {
		return r, nil, err
	}
	if withSubmissions {
		s := b.measureSubmissions(e, srv, d, n)
		sub = &s
	}
	r.PeakRSSMegabytes = round2(srv.peakRSS())
	// Last: the seeded year of hazards rewrites the coverage history.
	if r.Reports, err = b.measureReports(e, d); err != nil {
		return r, sub, fmt.Errorf("period reports: %w", err)
	}
	return r, sub, nil
}

// measureImport times `safecampus import schools` of a fresh n-school CSV
// into a database that has the divisions.
func (b *bench) measureImport(e engine, n int) (importResult, error) {
	fmt.Fprintf(os.Stderr, "%s: importing %d schools through the CLI…\n", e, n)
	dsn, err := b.newDSN(e, "import")
	if err != nil {
		return importResult{}, err
	}
	st, err := store.Open(store.Options{DSN: dsn})
	if err != nil {
		return importResult{}, err
	}
	all, counties, err := divisions()
	if err == nil {
		_, err = st.Migrate(b.ctx)
	}
	if err == nil {
		err = st.ImportDivisions(b.ctx, all)
	}
	st.Close()
	if err != nil {
		return importResult{}, err
	}
	path := filepath.Join(b.dir, "roster.csv")
	f, err := os.Create(path)
	if err != nil {
		return importResult{}, err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"code", "name", "type", "division_code", "address", "students", "boarders", "police_station", "ownership"})
	for _, s := range syntheticRoster(counties, n, 7) {
		_ = w.Write([]string{s.Code, s.Name, string(s.Type), s.DivisionCode, "", strconv.Itoa(s.Students),
			strconv.Itoa(s.Boarders), "", string(s.Ownership)})
	}
	w.Flush()
	if err := f.Close(); err != nil {
		return importResult{}, err
	}
	start, load := time.Now(), loadAverage()
	cmd := command(b.binary, "import", "schools", path, "--db", dsn)
	if err := cmd.Run(); err != nil {
		return importResult{}, err
	}
	return importResult{Schools: n, Seconds: round2(time.Since(start).Seconds()), LoadAverage: load,
		CPUSeconds: round2(cmd.ProcessState.UserTime().Seconds() + cmd.ProcessState.SystemTime().Seconds())}, nil
}
