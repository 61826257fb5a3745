// Command loadtest puts the real server under load on loopback: it builds
// the binary, prepares a database through the command line, starts
// `safecampus serve` on 127.0.0.1, and runs many concurrent clients that
// mix page reads (session cookies), API reads and exports (tokens) and
// writes (checklists submitted and verified, hazards raised and closed)
// for a while, in rounds each followed by idle time. It reports the
// statuses, the "database is locked" occurrences in the server's log,
// latencies, and the server's memory before, during, right after and at
// the end of each idle time; and exits non-zero if any request failed with
// 5xx or a transport error, the database was ever locked, the goroutines
// did not come back to their baseline, or the memory grew from one round
// to the next.
//
//	go run ./cmd/loadtest -clients 200 -duration 1m -rounds 2
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"safecampus/internal/harness"
)

type options struct {
	clients  int
	duration time.Duration
	schools  int
	settle   time.Duration
	rounds   int
	bin      string
	race     bool
	keep     bool
}

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 200, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", time.Minute, "how long the load lasts")
	flag.IntVar(&o.schools, "schools", 400, "schools in the database")
	flag.DurationVar(&o.settle, "settle", 130*time.Second, "idle time after each round before the settled memory reading (an idle Go program collects every 2 minutes)")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds of load, each followed by the idle time; memory must not grow from one to the next")
	flag.StringVar(&o.bin, "bin", "", "safecampus binary to run (default: build ./cmd/safecampus)")
	flag.BoolVar(&o.race, "race", false, "build the binary with the race detector")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (database and server log)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "safecampus-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(out, "working directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if o.bin == "" {
		fmt.Fprintln(out, "building the binary...")
		if o.bin, err = harness.Build(ctx, dir, o.race); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "preparing a database with %d schools...\n", o.schools)
	in, err := harness.Prepare(ctx, o.bin, dir, o.schools)
	if err != nil {
		return err
	}
	if _, err := in.CLI(ctx, leaderPassword+"\n", "user", "add", "--username", "ops-leader", "--role", "leader",
		"--scope", "150100", "--password-stdin"); err != nil {
		return err
	}
	srv, err := in.Serve(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if !srv.Exited() {
			srv.Kill()
		}
	}()
	fmt.Fprintln(out, "server:", srv.URL, "pid", srv.PID())

	tr := &http.Transport{MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2, MaxConnsPerHost: o.clients * 2}
	defer tr.CloseIdleConnections()
	day, _ := time.Parse(time.DateOnly, harness.CheckDay())
	l := &load{deadline: day.AddDate(0, 0, 15).Format(time.DateOnly), base: srv.URL, token: in.Token, admin: in.Admin, schools: in.Schools, tr: tr, stats: newStats(), sessions: map[string]*session{}, day: harness.CheckDay()}

	// Warm up, then take the baseline at rest.
	for range 3 {
		for _, p := range []string{"/api/v1/coverage/150000", "/api/v1/schools/" + in.Schools[0]} {
			if _, err := l.api(ctx, http.MethodGet, p, nil, "warm-up"); err != nil {
				return err
			}
		}
	}
	time.Sleep(2 * time.Second)
	before, err := sample(ctx, srv, l)
	if err != nil {
		return err
	}

	var rounds []roundResult
	for r := 1; r <= o.rounds; r++ {
		fmt.Fprintf(out, "round %d: %d clients for %v, then %v idle...\n", r, o.clients, o.duration, o.settle)
		res, err := l.round(ctx, srv, o)
		if err != nil {
			return err
		}
		rounds = append(rounds, res)
	}
	logs := srv.Logs()
	if err := srv.Terminate(); err != nil {
		return err
	}
	if err := srv.Wait(60 * time.Second); err != nil {
		return fmt.Errorf("server exit after SIGTERM: %w", err)
	}
	locked := strings.Count(strings.ToLower(logs), "database is locked")
	errorLines := strings.Count(logs, `"level":"ERROR"`)
	if o.keep {
		_ = os.WriteFile(dir+"/server.log", []byte(logs), 0o600)
	}

	r := l.stats.report(elapsed(rounds))
	fmt.Fprintln(out)
	fmt.Fprintln(out, r.text)
	fmt.Fprintf(out, "server log: %d \"database is locked\", %d error lines\n", locked, errorLines)
	shown := 0
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"level":"ERROR"`) && shown < 5 {
			fmt.Fprintln(out, "  ", line)
			shown++
		}
	}
	fmt.Fprintf(out, "memory (RSS / Go heap in use / goroutines):\n")
	fmt.Fprintf(out, "  %-18s %7.1f MiB / %7.1f MiB / %5d\n", "before", mib(before.rss), mib(before.heap), before.goroutines)
	for i, rr := range rounds {
		for _, m := range []struct {
			name string
			m    memory
		}{{"peak", rr.peak}, {"right after", rr.after}, {"settled", rr.settled}} {
			heap, gs := fmt.Sprintf("%7.1f MiB", mib(m.m.heap)), fmt.Sprintf("%5d", m.m.goroutines)
			if m.name == "peak" { // read from /proc only
				heap, gs = "          -", "    -"
			}
			fmt.Fprintf(out, "  round %d %-10s %7.1f MiB / %s / %s\n", i+1, m.name, mib(m.m.rss), heap, gs)
		}
		fmt.Fprintf(out, "  round %d RSS every 10s while idle (MiB): %s\n", i+1, strings.Join(rr.curve, " "))
	}

	var problems []string
	if r.server5xx > 0 {
		problems = append(problems, fmt.Sprintf("%d responses with 5xx", r.server5xx))
	}
	if r.transport > 0 {
		problems = append(problems, fmt.Sprintf("%d transport errors", r.transport))
	}
	if r.unexpected > 0 {
		problems = append(problems, fmt.Sprintf("%d unexpected statuses", r.unexpected))
	}
	if locked > 0 {
		problems = append(problems, fmt.Sprintf("%d \"database is locked\" in the log", locked))
	}
	// Memory back to baseline. Every goroutine of the load ends. The heap
	// does not return to the cold start's: the server keeps bounded caches
	// (rendered dashboard pages, connection pools) that the first round
	// fills. So the settled memory after the last round must be no more
	// than after the first: a leak grows with every round, a cache does not.
	first, last := rounds[0].settled, rounds[len(rounds)-1].settled
	if last.goroutines > before.goroutines+10 {
		problems = append(problems, fmt.Sprintf("%d goroutines settled, baseline %d", last.goroutines, before.goroutines))
	}
	if len(rounds) > 1 && last.heap > first.heap*5/4+8<<20 {
		problems = append(problems, fmt.Sprintf("heap in use grew from %.1f MiB after round 1 to %.1f MiB after round %d",
			mib(first.heap), mib(last.heap), len(rounds)))
	}
	if len(rounds) > 1 && last.rss > first.rss*5/4+16<<20 {
		problems = append(problems, fmt.Sprintf("RSS grew from %.1f MiB after round 1 to %.1f MiB after round %d",
			mib(first.rss), mib(last.rss), len(rounds)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "PASS: no 5xx, no transport errors, no \"database is locked\", goroutines back to baseline, no memory growth between rounds")
	return nil
}

const leaderPassword = "Leader-Pass-9"

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// memory is one reading of the server's memory.
type memory struct {
	rss, heap  int64
	goroutines int
}

// sample reads the RSS from /proc and, with l, the Go heap and goroutines
// from /metrics (the scrape itself is a small request).
func sample(ctx context.Context, srv *harness.Server, l *load) (memory, error) {
	var m memory
	var err error
	if m.rss, err = srv.RSS(); err != nil || l == nil {
		return m, err
	}
	body, err := l.api(ctx, http.MethodGet, "/metrics", nil, "metrics")
	if err != nil {
		return m, err
	}
	m.heap = int64(metric(body, "go_memstats_heap_inuse_bytes"))
	m.goroutines = int(metric(body, "go_goroutines"))
	return m, nil
}

func metric(body, name string) float64 {
	re := regexp.MustCompile(`(?m)^` + name + ` ([0-9.e+]+)$`)
	if m := re.FindStringSubmatch(body); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	return 0
}

// load is the shared state of the clients.
type load struct {
	base, token, day string
	deadline         string // a hazard deadline two weeks ahead
	admin            string // the admin's username (its password is harness.AdminPassword)
	schools          []string
	tr               *http.Transport
	stats            *stats

	mu       sync.Mutex
	sessions map[string]*session // by username, see signedIn
}

// client is one simulated user: a fixed mix by index — 40% people reading
// pages with a session, 30% programs reading the API and exports, 30%
// writers.
func (l *load) client(ctx context.Context, i int) {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	switch {
	case i%10 < 4:
		l.reader(ctx, rng, i)
	case i%10 < 7:
		l.apiReader(ctx, rng)
	default:
		l.writer(ctx, rng)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// session is one account's signed-in browser, shared by the readers of
// that account as tabs of one browser: forty people signing in to one
// account from one address in the same second is what the login throttle
// exists to refuse (parallel attempts count until they succeed), not a
// load to measure.
type session struct {
	once sync.Once
	hc   *http.Client
	ok   bool
}

// signedIn returns the account's client, signing in the first time.
func (l *load) signedIn(ctx context.Context, user, pw string) (*http.Client, bool) {
	l.mu.Lock()
	s := l.sessions[user]
	if s == nil {
		s = &session{}
		l.sessions[user] = s
	}
	l.mu.Unlock()
	s.once.Do(func() {
		jar, _ := cookiejar.New(nil)
		s.hc = &http.Client{Transport: l.tr, Jar: jar, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page, err := l.do(ctx, s.hc, http.MethodGet, "/login", nil, nil, "login form")
		if err != nil {
			return
		}
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			l.stats.fail("login form", "no CSRF token")
			return
		}
		form := url.Values{"_csrf": {m[1]}, "username": {user}, "password": {pw}}
		_, err = l.do(ctx, s.hc, http.MethodPost, "/login", strings.NewReader(form.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "login")
		s.ok = err == nil
	})
	return s.hc, s.ok
}

func (l *load) reader(ctx context.Context, rng *rand.Rand, i int) {
	// Admins read everywhere; the leader of 150100 within their scope.
	user, pw := l.admin, harness.AdminPassword
	pages := []string{"/", "/divisions/150000", "/divisions/150100", "/divisions/150100?uncovered=all_five&type=primary",
		"/divisions/150102?q=小学", "/hazards", "/review", "/due", "/divisions/150100/gaps"}
	schools := l.schools
	if i%2 == 1 {
		user, pw = "ops-leader", leaderPassword
		pages = []string{"/", "/divisions/150100", "/divisions/150100?uncovered=all_five&type=primary",
			"/divisions/150102?q=小学", "/hazards", "/due", "/divisions/150100/gaps", "/divisions/150100/due"}
		schools = slices.DeleteFunc(slices.Clone(l.schools), func(c string) bool { return !strings.HasPrefix(c, "1501") })
	}
	hc, ok := l.signedIn(ctx, user, pw)
	if !ok {
		return
	}
	for ctx.Err() == nil {
		p := pages[rng.IntN(len(pages))]
		if rng.IntN(4) == 0 {
			p = "/schools/" + schools[rng.IntN(len(schools))]
		}
		if _, err := l.do(ctx, hc, http.MethodGet, p, nil, nil, "page"); err != nil {
			return
		}
	}
}

func (l *load) apiReader(ctx context.Context, rng *rand.Rand) {
	paths := []string{"/api/v1/coverage/150000", "/api/v1/coverage/150100?basis=reported", "/api/v1/coverage/150102"}
	for ctx.Err() == nil {
		p, kind := paths[rng.IntN(len(paths))], "api read"
		switch rng.IntN(10) {
		case 0, 1, 2:
			p = "/api/v1/schools/" + l.schools[rng.IntN(len(l.schools))]
		case 3:
			p, kind = "/divisions/150100/schools.csv", "export"
		case 4:
			p, kind = "/divisions/150000/coverage.xlsx", "export"
		}
		if _, err := l.api(ctx, http.MethodGet, p, nil, kind); err != nil {
			return
		}
	}
}

var idField = regexp.MustCompile(`"id":(\d+)`)

func (l *load) writer(ctx context.Context, rng *rand.Rand) {
	for ctx.Err() == nil {
		school := l.schools[rng.IntN(len(l.schools))]
		switch rng.IntN(4) {
		case 0: // a hazard raised and closed
			body := `{"measure":"video_networking","description":"camera at the gate broken","severity":"medium","deadline":"` + l.deadline + `"}`
			res, err := l.api(ctx, http.MethodPost, "/api/v1/schools/"+school+"/hazards", strings.NewReader(body), "hazard")
			if err != nil {
				return
			}
			if m := idField.FindStringSubmatch(res); m != nil {
				if _, err := l.api(ctx, http.MethodPost, "/api/v1/hazards/"+m[1]+"/close", nil, "hazard close"); err != nil {
					return
				}
			}
		default: // a checklist submitted, half of them verified
			res, err := l.api(ctx, http.MethodPost, "/api/v1/schools/"+school+"/checklists", strings.NewReader(string(harness.ChecklistBody(l.day))), "checklist")
			if err != nil {
				return
			}
			if m := idField.FindStringSubmatch(res); m != nil && rng.IntN(2) == 0 {
				if _, err := l.api(ctx, http.MethodPost, "/api/v1/checklists/"+m[1]+"/verify", nil, "verify"); err != nil {
					return
				}
			}
		}
	}
}

func (l *load) api(ctx context.Context, method, path string, body io.Reader, kind string) (string, error) {
	hc := &http.Client{Transport: l.tr, Timeout: 60 * time.Second}
	h := http.Header{"Authorization": {"Bearer " + l.token}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return l.do(ctx, hc, method, path, body, h, kind)
}

// do sends one request and records it; err is set when the load should
// stop for this client (its context ended, or the request failed).
func (l *load) do(ctx context.Context, hc *http.Client, method, path string, body io.Reader, h http.Header, kind string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, body)
	if err != nil {
		return "", err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.stats.fail(kind, err.Error())
		}
		return "", err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		if ctx.Err() == nil {
			l.stats.fail(kind, err.Error())
		}
		return "", err
	}
	if ctx.Err() != nil {
		return "", ctx.Err() // cut off by the end of the load: not counted
	}
	l.stats.record(kind, res.StatusCode, time.Since(start))
	return string(b), nil
}

// stats counts the statuses and latencies by kind of request.
type stats struct {
	mu        sync.Mutex
	statuses  map[string]map[int]int
	latencies map[string][]time.Duration
	failures  map[string]int
}

func newStats() *stats {
	return &stats{statuses: map[string]map[int]int{}, latencies: map[string][]time.Duration{}, failures: map[string]int{}}
}

func (s *stats) record(kind string, status int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.statuses[kind] == nil {
		s.statuses[kind] = map[int]int{}
	}
	s.statuses[kind][status]++
	s.latencies[kind] = append(s.latencies[kind], d)
}

func (s *stats) fail(kind, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[kind+": "+msg]++
}

// expected are the statuses each kind of request may get. A verify may
// meet 409 only if two writers verified the same checklist, which they do
// not; the others have one answer.
var expected = map[string][]int{
	"login form": {200}, "login": {303}, "page": {200, 303}, "api read": {200}, "export": {200},
	"checklist": {201}, "verify": {200}, "hazard": {201}, "hazard close": {200}, "metrics": {200}, "warm-up": {200},
}

type report struct {
	text                             string
	server5xx, transport, unexpected int
}

func (s *stats) report(elapsed time.Duration) report {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r report
	var b strings.Builder
	total := 0
	kinds := make([]string, 0, len(s.statuses))
	for k := range s.statuses {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(&b, "%-13s %8s %9s %9s  %s\n", "request", "count", "p50 ms", "p99 ms", "statuses")
	for _, k := range kinds {
		n := 0
		var codes []string
		for code, c := range s.statuses[k] {
			n += c
			codes = append(codes, fmt.Sprintf("%d×%d", code, c))
			if code >= 500 {
				r.server5xx += c
			}
			if !slices.Contains(expected[k], code) {
				r.unexpected += c
			}
		}
		slices.Sort(codes)
		total += n
		ls := s.latencies[k]
		slices.Sort(ls)
		fmt.Fprintf(&b, "%-13s %8d %9.1f %9.1f  %s\n", k, n, ms(ls[len(ls)/2]), ms(ls[len(ls)*99/100]), strings.Join(codes, " "))
	}
	for f, c := range s.failures {
		r.transport += c
		fmt.Fprintf(&b, "failed: %s ×%d\n", f, c)
	}
	fmt.Fprintf(&b, "total %d requests in %.1fs (%.0f/s); 5xx: %d; transport errors: %d; unexpected statuses: %d",
		total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), r.server5xx, r.transport, r.unexpected)
	r.text = b.String()
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// roundResult is one round of load and the memory around it.
type roundResult struct {
	elapsed              time.Duration
	peak, after, settled memory
	curve                []string // RSS every 10s while idle, MiB
}

func elapsed(rs []roundResult) time.Duration {
	var d time.Duration
	for _, r := range rs {
		d += r.elapsed
	}
	return d
}

// round runs the clients for o.duration, then waits o.settle idle, and
// reads the memory during, right after and at the end.
func (l *load) round(ctx context.Context, srv *harness.Server, o options) (roundResult, error) {
	var res roundResult
	loadCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.clients {
		wg.Go(func() { l.client(loadCtx, i) })
	}
	var peakMu sync.Mutex
	wg.Go(func() {
		for loadCtx.Err() == nil {
			select {
			case <-loadCtx.Done():
				return
			case <-time.After(5 * time.Second):
			}
			if m, err := sample(context.Background(), srv, nil); err == nil {
				peakMu.Lock()
				if m.rss > res.peak.rss {
					res.peak = m
				}
				peakMu.Unlock()
			}
		}
	})
	wg.Wait()
	res.elapsed = time.Since(start)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	var err error
	if res.after, err = sample(ctx, srv, l); err != nil {
		return res, err
	}
	for t := time.Duration(0); t < o.settle; t += 10 * time.Second {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(10 * time.Second):
		}
		m, err := sample(ctx, srv, nil)
		if err != nil {
			return res, err
		}
		res.curve = append(res.curve, fmt.Sprintf("%.0f", mib(m.rss)))
	}
	res.settled, err = sample(ctx, srv, l)
	return res, err
}
