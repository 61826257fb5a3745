// Package faults holds the fault tests: the real binary, killed, stopped
// and backed up while it takes writes.
package faults

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"safecampus/internal/harness"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

// bin is the safecampus binary built once for all tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "safecampus-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	bin, err = harness.Build(ctx, dir, raceEnabled)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func prepare(t *testing.T, schools int) *harness.Instance {
	t.Helper()
	in, err := harness.Prepare(t.Context(), bin, t.TempDir(), schools)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func serve(t *testing.T, in *harness.Instance, db string) *harness.Server {
	t.Helper()
	s, err := in.ServeDB(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !s.Exited() {
			s.Kill()
		}
	})
	return s
}

func client(in *harness.Instance, s *harness.Server) *harness.Client {
	return &harness.Client{Base: s.URL, Token: in.Token, HTTP: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

// writers streams checklist submissions from n goroutines until stop is
// closed or the server stops answering, and collects the acknowledged ones.
type writers struct {
	mu    sync.Mutex
	acked []harness.Submitted
	other map[int]int // statuses other than 201
	wg    sync.WaitGroup
	stop  chan struct{}
	down  atomic.Int32 // goroutines that saw the server go away
}

func startWriters(t *testing.T, c *harness.Client, schools []string, n int) *writers {
	t.Helper()
	w := &writers{other: map[int]int{}, stop: make(chan struct{})}
	day := harness.CheckDay()
	for g := range n {
		w.wg.Go(func() {
			for i := g; ; i += n {
				select {
				case <-w.stop:
					return
				default:
				}
				sub, status, err := c.SubmitChecklist(context.Background(), schools[i%len(schools)], day)
				if err != nil {
					w.down.Add(1)
					return // the server is gone: a submission without an answer was never acknowledged
				}
				w.mu.Lock()
				if status == http.StatusCreated {
					w.acked = append(w.acked, sub)
				} else {
					w.other[status]++
				}
				w.mu.Unlock()
			}
		})
	}
	return w
}

func (w *writers) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

func (w *writers) snapshot() []harness.Submitted {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]harness.Submitted(nil), w.acked...)
}

func (w *writers) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for w.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d acknowledged submissions after 30s (other statuses %v)", w.count(), w.other)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openStore opens a database file in this process, as the next start of
// the server would, and checks SQLite's own consistency checks.
func openStore(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate %s: %v", db, err)
	}
	sdb, err := st.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var res string
	if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("PRAGMA integrity_check on %s: %q, %v", filepath.Base(db), res, err)
	}
	rows, err := sdb.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Errorf("PRAGMA foreign_key_check on %s reports violations", filepath.Base(db))
	}
	return st
}

// wantAcknowledged checks every acknowledged submission is in the store.
func wantAcknowledged(t *testing.T, st *store.Store, acked []harness.Submitted) {
	t.Helper()
	missing := 0
	for _, a := range acked {
		cl, err := st.Checklist(t.Context(), a.ID)
		if err != nil {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged checklist %d of %s: %v", a.ID, a.School, err)
			}
			continue
		}
		school, err := st.SchoolByID(t.Context(), cl.SchoolID)
		if err != nil || school.Code != a.School || cl.State != model.Submitted {
			t.Errorf("checklist %d: school %q state %s, want %s submitted", a.ID, school.Code, cl.State, a.School)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged submissions lost", missing, len(acked))
	}
}

func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	in := prepare(t, 40)
	s := serve(t, in, in.DB)
	w := startWriters(t, client(in, s), in.Schools, 8)
	w.waitFor(t, 150)
	s.Kill() // mid-stream: requests are in flight
	w.wg.Wait()
	acked := w.snapshot()
	if w.down.Load() == 0 {
		t.Errorf("no writer saw the server die; was it killed mid-stream?")
	}
	t.Logf("%d submissions acknowledged before SIGKILL; other statuses %v", len(acked), w.other)
	for status := range w.other {
		if status >= 500 {
			t.Errorf("status %d during the stream", status)
		}
	}

	// The server starts again on the same file and serves it.
	s2 := serve(t, in, in.DB)
	c := client(in, s2)
	if _, status, err := c.SubmitChecklist(t.Context(), in.Schools[0], harness.CheckDay()); err != nil || status != http.StatusCreated {
		t.Fatalf("after the restart: status %d, %v", status, err)
	}
	if err := s2.Terminate(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Wait(30 * time.Second); err != nil {
		t.Fatalf("SIGTERM after restart: %v\n%s", err, s2.Logs())
	}
	st := openStore(t, in.DB)
	wantAcknowledged(t, st, acked)
}

// TestSIGTERMLetsRequestsInFlightFinish sends half a submission, stops the
// server with SIGTERM, checks it accepts no new connections, sends the
// rest: the submission is answered 201 and stored, and the server exits 0.
// The request asks for "100 Continue", which the server sends when the
// handler starts reading the body: from then on the request is in flight.
func TestSIGTERMLetsRequestsInFlightFinish(t *testing.T) {
	t.Parallel()
	in := prepare(t, 4)
	s := serve(t, in, in.DB)
	u, _ := url.Parse(s.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	body := harness.ChecklistBody(harness.CheckDay())
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /api/v1/schools/%s/checklists HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", in.Schools[1], u.Host, in.Token, len(body))
	answers := bufio.NewReader(conn)
	cont, err := http.ReadResponse(answers, nil) // within the connection's deadline
	if err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("waiting for 100 Continue: %v %v\n%s", cont, err, s.Logs())
	}
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	if err := s.Terminate(); err != nil {
		t.Fatal(err)
	}
	// Shutting down: no new connections, but the process waits.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.Exited() {
		t.Fatalf("the server exited with a request in flight\n%s", s.Logs())
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("the server closed the connection of a request in flight: %v\n%s", err, s.Logs())
	}
	res, err := http.ReadResponse(answers, nil)
	if err != nil {
		t.Fatalf("reading the answer to the request in flight (the server exited?): %v\n%s", err, s.Logs())
	}
	var sub struct{ ID int64 }
	if err := decodeJSON(res, &sub); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("request in flight during shutdown: status %d, %v", res.StatusCode, err)
	}
	if err := s.Wait(30 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.Logs())
	}
	wantAcknowledged(t, openStore(t, in.DB), []harness.Submitted{{ID: sub.ID, School: in.Schools[1]}})
}

// TestBackupUnderWriteLoadRestores runs `safecampus backup` while writers
// stream submissions, then drills a restore: the snapshot opens, migrates,
// passes SQLite's checks, holds everything acknowledged before the backup
// began, is transactionally consistent (each checklist with its audit
// entry, coverage derived from exactly the checklists it holds), and a
// server started on it serves that data.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	t.Parallel()
	in := prepare(t, 24)
	s := serve(t, in, in.DB)
	w := startWriters(t, client(in, s), in.Schools, 6)
	w.waitFor(t, 50)
	// The backup must overlap acknowledged writes, or it proves nothing:
	// a backup during which none was acknowledged is taken again.
	var before []harness.Submitted
	var snap, out string
	during := 0
	for try := 1; during == 0; try++ {
		if try > 5 {
			t.Fatalf("no write was acknowledged during any of %d backups", try-1)
		}
		before = w.snapshot()
		snap = filepath.Join(t.TempDir(), "snapshot.db")
		var err error
		if out, err = in.CLI(t.Context(), "", "backup", snap); err != nil {
			t.Fatal(err)
		}
		during = w.count() - len(before)
	}
	w.waitFor(t, w.count()+20) // writes go on after the backup
	close(w.stop)
	w.wg.Wait()
	t.Logf("%s: %d acknowledged before, %d during the backup; %d in all", strings.TrimSpace(out), len(before), during, w.count())
	if err := s.Terminate(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(30 * time.Second); err != nil {
		t.Fatal(err)
	}

	// The restore drill, on a copy as an operator would restore it.
	restored := filepath.Join(t.TempDir(), "restored.db")
	b, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, restored)
	wantAcknowledged(t, st, before)
	sdb, err := st.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var checklists, withoutAudit, coveredSchools int
	queryInt(t, sdb, "SELECT COUNT(*) FROM checklists", &checklists)
	queryInt(t, sdb, `SELECT COUNT(*) FROM checklists c WHERE NOT EXISTS
		(SELECT 1 FROM audit_log a WHERE a.entity = 'checklist' AND a.action = 'create' AND a.entity_id = CAST(c.id AS TEXT))`, &withoutAudit)
	queryInt(t, sdb, "SELECT COUNT(DISTINCT school_id) FROM checklists WHERE state = 'submitted'", &coveredSchools)
	if checklists < len(before) || checklists > w.count()+1 {
		t.Errorf("the snapshot holds %d checklists; %d were acknowledged before it began and %d in all", checklists, len(before), w.count())
	}
	if withoutAudit != 0 {
		t.Errorf("%d checklists in the snapshot without their audit entry: not one transaction's view", withoutAudit)
	}
	st.Close()

	// A server on the restored file serves the same figures.
	s2 := serve(t, in, restored)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s2.URL+"/api/v1/coverage/150000?basis=reported", nil)
	req.Header.Set("Authorization", "Bearer "+in.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var cov struct {
		Schools int
		AllFive struct{ Covered int } `json:"all_five"`
	}
	if err := decodeJSON(res, &cov); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("coverage on the restored server: %d, %v", res.StatusCode, err)
	}
	if cov.Schools != len(in.Schools) || cov.AllFive.Covered != coveredSchools {
		t.Errorf("restored coverage: %d schools, %d covered on all five; want %d and %d (the schools with a checklist in the snapshot)",
			cov.Schools, cov.AllFive.Covered, len(in.Schools), coveredSchools)
	}
}

func queryInt(t *testing.T, db *sql.DB, q string, v *int) {
	t.Helper()
	if err := db.QueryRow(q).Scan(v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
