package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// reportResult is the cost of the period report (SPEC section 9) over the
// past year: the national report (the provinces and their sum) and the
// region's province report (its prefectures), read through the store as
// the report page and API read it. The dataset first gets a year of
// on-site inspections and hazards on top of its checklist history.
type reportResult struct {
	Inspections int     `json:"inspections_seeded"`
	Hazards     int     `json:"hazards_seeded"`
	NationalP50 float64 `json:"national_p50_ms"`
	NationalP99 float64 `json:"national_p99_ms"`
	ProvinceP50 float64 `json:"province_p50_ms"`
	ProvinceP99 float64 `json:"province_p99_ms"`
}

// Per day of the seeded year: inspections (some recorded days late) and
// hazards, a third of which are closed a few days later.
const (
	benchInspectionsPerDay = 40
	benchHazardsPerDay     = 8
	reportReads            = 60
)

func (b *bench) measureReports(e engine, d *dataset) (reportResult, error) {
	ctx := context.Background()
	var r reportResult
	st, err := openDataset(e, d.dsn)
	if err != nil {
		return r, err
	}
	defer st.Close()
	ids, err := st.SchoolIDs(ctx)
	if err != nil {
		return r, err
	}
	schools := make([]int64, 0, len(d.schools))
	for _, c := range d.schools {
		schools = append(schools, ids[c])
	}
	fmt.Fprintln(os.Stderr, "  seeding a year of inspections and hazards…")
	if r.Inspections, r.Hazards, err = seedActivity(ctx, st, schools, uint64(len(schools))); err != nil {
		return r, err
	}
	if err := st.MaintainCheckpoints(ctx); err != nil {
		return r, err
	}
	today := st.Today()
	from, to := today.AddDays(-365), today.AddDays(-1)
	national := model.Division{}
	provinces, err := st.Children(ctx, "")
	if err != nil {
		return r, err
	}
	region, err := st.Division(ctx, d.region)
	if err != nil {
		return r, err
	}
	prefectures, err := st.Children(ctx, d.region)
	if err != nil {
		return r, err
	}
	if r.NationalP50, r.NationalP99, err = timeReports(ctx, st, national, provinces, from, to); err != nil {
		return r, err
	}
	r.ProvinceP50, r.ProvinceP99, err = timeReports(ctx, st, region, prefectures, from, to)
	return r, err
}

// seedActivity records a year of inspections and hazards at random schools,
// one store call each with the clock on its day, as inspectors would.
func seedActivity(ctx context.Context, st *store.Store, schools []int64, seed uint64) (inspections, hazards int, err error) {
	rnd := rand.New(rand.NewPCG(seed, 0x14))
	loc := st.Location()
	var clock time.Time
	sim := st.WithClock(func() time.Time { return clock })
	inspector := model.User{Username: "bench-inspector", Role: model.Inspector}
	today := st.Today()
	type open struct {
		id    int64
		close model.Date
	}
	var pending []open
	for day := today.AddDays(-365); day < today; day++ {
		clock = day.Time(loc).Add(15 * time.Hour)
		for range benchInspectionsPerDay {
			on := day.AddDays(-rnd.IntN(3))
			if _, err := sim.CreateInspection(ctx, inspector, schools[rnd.IntN(len(schools))], store.InspectionInput{InspectedOn: on}); err != nil {
				return inspections, hazards, err
			}
			inspections++
		}
		for range benchHazardsPerDay {
			h, err := sim.CreateHazard(ctx, inspector, schools[rnd.IntN(len(schools))], store.HazardInput{
				Measure: model.Measures[rnd.IntN(len(model.Measures))], Description: "bench", Severity: model.Medium,
				Deadline: day.AddDays(7 + rnd.IntN(21))})
			if err != nil {
				return inspections, hazards, err
			}
			hazards++
			if rnd.IntN(3) > 0 {
				pending = append(pending, open{h.ID, day.AddDays(1 + rnd.IntN(40))})
			}
		}
		keep := pending[:0]
		for _, p := range pending {
			if p.close > day {
				keep = append(keep, p)
				continue
			}
			if _, err := sim.CloseHazard(ctx, inspector, p.id); err != nil {
				return inspections, hazards, err
			}
		}
		pending = keep
	}
	return inspections, hazards, nil
}

// timeReports reads the report reportReads times and returns the p50 and
// p99 in milliseconds.
func timeReports(ctx context.Context, st *store.Store, d model.Division, children []model.Division, from, to model.Date) (p50, p99 float64, err error) {
	// One read first, untimed: the first touches cold pages.
	if _, err := st.Report(ctx, d, children, from, to); err != nil {
		return 0, 0, err
	}
	ms := make([]float64, reportReads)
	for i := range ms {
		start := time.Now()
		if _, err := st.Report(ctx, d, children, from, to); err != nil {
			return 0, 0, err
		}
		ms[i] = float64(time.Since(start).Microseconds()) / 1000
	}
	slices.Sort(ms)
	return round2(ms[len(ms)/2]), round2(ms[len(ms)*99/100]), nil
}

// printReports prints the period report's figures per size.
func printReports(sizes []sizeResult) {
	for _, r := range sizes {
		p := r.Reports
		fmt.Fprintf(os.Stdout, "period report over a year at %d schools (%d inspections, %d hazards seeded): "+
			"national p50 %.2fms p99 %.2fms, province p50 %.2fms p99 %.2fms\n", r.Schools, p.Inspections, p.Hazards,
			p.NationalP50, p.NationalP99, p.ProvinceP50, p.ProvinceP99)
	}
}

// reportsOnly times the period report alone (--reports-only) at each size
// on SQLite: the roster imported a year and a week ago, then the year of
// inspections and hazards. It skips the checklist history and the server
// figures, so the largest size builds in minutes; the coverage half of the
// report is the ledger read that the full run's coverage API figures time.
func (b *bench) reportsOnly(sizes []int) error {
	ctx := context.Background()
	all, counties, err := divisions()
	if err != nil {
		return err
	}
	var out []sizeResult
	for _, n := range sizes {
		fmt.Fprintf(os.Stderr, "%s: importing %d schools…\n", sqlite, n)
		dsn, err := b.newDSN(sqlite, fmt.Sprintf("reports-%d", n))
		if err != nil {
			return err
		}
		st, err := store.Open(store.Options{DSN: dsn, NoSync: true})
		if err != nil {
			return err
		}
		if _, err = st.Migrate(ctx); err == nil {
			err = st.ImportDivisions(ctx, all)
		}
		if err != nil {
			st.Close()
			return err
		}
		roster := syntheticRoster(counties, n, uint64(n))
		lines := make([]model.SchoolLine, len(roster))
		d := &dataset{dsn: dsn, region: "150000"}
		for i, s := range roster {
			lines[i] = model.SchoolLine{Line: i + 2, School: s}
			d.schools = append(d.schools, s.Code)
		}
		then := time.Now().AddDate(0, 0, -372)
		past := st.WithClock(func() time.Time { return then })
		for from := 0; from < len(lines) && err == nil; from += 20000 {
			_, err = past.ImportSchools(ctx, model.User{Username: "bench"}, lines[from:min(from+20000, len(lines))], false)
		}
		st.Close()
		if err != nil {
			return err
		}
		r := sizeResult{Schools: n}
		if r.Reports, err = b.measureReports(sqlite, d); err != nil {
			return err
		}
		out = append(out, r)
	}
	printReports(out)
	return nil
}

// openDataset opens a built dataset's store in the deployment's zone.
// openDataset opens a bench database; its accounts never sign in, so the
// cheapest password hash will do.
func openDataset(e engine, dsn string) (*store.Store, error) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, err
	}
	return store.Open(store.Options{DSN: dsn, Location: loc, NoSync: e == sqlite, PasswordCost: bcrypt.MinCost})
}
