package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"safecampus/internal/pgtest"
)

// The write figures are read beside the machine's load: it is shared, and a
// rate follows the load while the CPU time a request costs does not.

// loadAverage is the 1, 5 and 15 minute load average.
func loadAverage() [3]float64 {
	var out [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	for i, f := range strings.Fields(string(b)) {
		if i < 3 {
			out[i], _ = strconv.ParseFloat(f, 64)
		}
	}
	return out
}

// cpuSeconds is the CPU time the server process has used.
func (p *serverProcess) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 14th and 15th of the line, in clock ticks.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseFloat(f[11], 64)
	sys, _ := strconv.ParseFloat(f[12], 64)
	return (user + sys) / 100 // USER_HZ
}

// measureSubmissions is the submissions figure against a running server:
// 200 clients for 10 seconds, with the server's CPU time per submission
// (and, with --profile, its profiles as <engine>-<schools>-submissions).
func (b *bench) measureSubmissions(e engine, srv *serverProcess, d *dataset, n int) submitResult {
	fmt.Fprintln(os.Stderr, "  200 clients submitting checklists…")
	stop := b.profile(srv, fmt.Sprintf("%s-%d-submissions", e, n))
	defer stop()
	cpu := srv.cpuSeconds()
	s := submissions(srv.base, d.token, d.schools, 200, 10*time.Second)
	s.AtSchools, s.LoadAverage = n, loadAverage()
	if s.Accepted > 0 {
		s.ServerCPUms = round2((srv.cpuSeconds() - cpu) * 1000 / float64(s.Accepted))
	}
	return s
}

// writesOnly is `bench --writes-only`: per dataset, the submissions figure
// alone (minutes instead of the whole run), printed as a JSON line each.
func (b *bench) writesOnly(sizes, pgSizes []int) error {
	if err := b.buildBinary(); err != nil {
		return err
	}
	type run struct {
		engine engine
		sizes  []int
	}
	runs := []run{{sqlite, sizes}}
	if len(pgSizes) > 0 {
		if ok, why := pgtest.Available(); !ok {
			fmt.Fprintln(os.Stderr, "skipping PostgreSQL:", why)
		} else if err := pgtest.StartDurable(); err != nil {
			return err
		} else {
			runs = append(runs, run{postgres, pgSizes})
		}
	}
	for _, r := range runs {
		for _, n := range r.sizes {
			fmt.Fprintf(os.Stderr, "%s: building %d schools…\n", r.engine, n)
			d, err := b.buildDataset(r.engine, n)
			if err != nil {
				return err
			}
			srv, err := b.startServer(d.dsn)
			if err != nil {
				return err
			}
			// Let the server's start-up jobs (the daily reminders) finish
			// first: in the full run the read figures come before.
			time.Sleep(3 * time.Second)
			s := b.measureSubmissions(r.engine, srv, d, n)
			srv.stop()
			line, _ := json.Marshal(map[string]any{"engine": r.engine, "submissions": s})
			fmt.Println(string(line))
		}
	}
	return nil
}
