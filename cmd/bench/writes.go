package main

import (
	"encoding/json"
	"fmt"
	"io"
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
	return b.measureSubmissionsAs(e, srv, d, n, "")
}

// measureSubmissionsAs is measureSubmissions with a suffix to the profiles'
// names.
func (b *bench) measureSubmissionsAs(e engine, srv *serverProcess, d *dataset, n int, suffix string) submitResult {
	fmt.Fprintln(os.Stderr, "  200 clients submitting checklists…")
	stop := b.profile(srv, fmt.Sprintf("%s-%d-submissions%s", e, n, suffix))
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
			if err := b.submitTurns(r.engine, d, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// submitTurns measures the submissions on the dataset with this tree's
// server and each --against binary, --rounds times in turns, each SQLite
// turn from a copy of the dataset as built (so every binary meets the same
// database), and prints a JSON line per turn.
func (b *bench) submitTurns(e engine, d *dataset, n int) error {
	binaries := append([]string{b.binary}, b.against...)
	pristine := ""
	if e == sqlite && len(binaries)*b.rounds > 1 {
		pristine = d.dsn + ".built"
		if err := copyFile(d.dsn, pristine); err != nil {
			return err
		}
		defer os.Remove(pristine)
	}
	for turn := range b.rounds {
		for i, bin := range binaries {
			if pristine != "" {
				for _, suffix := range []string{"-wal", "-shm"} {
					_ = os.Remove(d.dsn + suffix)
				}
				if err := copyFile(pristine, d.dsn); err != nil {
					return err
				}
			}
			srv, err := b.startBinary(bin, d.dsn)
			if err != nil {
				return err
			}
			// Let the server's start-up jobs (the daily reminders) finish
			// first: in the full run the read figures come before.
			time.Sleep(3 * time.Second)
			suffix := ""
			if len(binaries)*b.rounds > 1 {
				suffix = fmt.Sprintf("-%d-%d", i, turn+1)
			}
			s := b.measureSubmissionsAs(e, srv, d, n, suffix)
			srv.stop()
			line, _ := json.Marshal(map[string]any{"engine": e, "binary": bin, "turn": turn + 1, "submissions": s})
			fmt.Println(string(line))
		}
	}
	return nil
}

// copyFile copies the file at from to to, replacing it.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
