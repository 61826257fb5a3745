package journeys

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

// The synthetic roster: three schools under 呼和浩特市 (the inspector's and
// the leader's scope) in two counties, and one under 包头市, outside it.
const (
	prefHohhot = "150100" // 呼和浩特市
	countyXC   = "150102" // 新城区
	countyHM   = "150103" // 回民区

	schoolXC1 = "1501020001" // 新城区, primary, 500 students: needs 2 guards
	schoolXC2 = "1501020002" // 新城区, primary, 300 students: needs 2 guards
	schoolHM1 = "1501030001" // 回民区, kindergarten, 120 students: needs 2 guards
	schoolDH1 = "1502020001" // 东河区 (包头市), junior, 1240 students: outside the scope

	password = "Journey-Pass-9"

	userSchool    = "school-xc1" // school administrator of schoolXC1
	userInspector = "inspector"  // inspector of 呼和浩特市
	userLeader    = "leader"     // leader of 呼和浩特市
	userAdmin     = "admin"      // system administrator
)

// today is the day the store's clock is pinned to; 10:00 in Beijing.
var today = model.NewDate(2026, 3, 2)

// beijing is the deployment's zone (UTC+8, no DST), without tzdata.
var beijing = time.FixedZone("CST", 8*3600)

// app is the real server on a real, migrated SQLite file, seeded with the
// synthetic roster and one user per role.
type app struct {
	url     string
	store   *store.Store
	users   map[string]model.User
	schools map[string]model.School
	log     *requestLog
	// down makes the server unreachable: connections are dropped unanswered,
	// as when a phone loses its signal (see field_test.go).
	down atomic.Bool
}

var seeder = model.User{Username: "journey-seed", Role: model.Admin}

// newApp starts the app with the given users (of userSchool, userInspector,
// userLeader): bcrypt is slow under -race, so each test makes only its own.
func newApp(t *testing.T, usernames ...string) *app {
	t.Helper()
	ctx := context.Background()
	now := today.Time(beijing).Add(10 * time.Hour)
	st, err := store.Open(store.Options{
		DSN:      filepath.Join(t.TempDir(), "journeys.db"),
		Now:      func() time.Time { return now },
		Location: beijing,
	})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := st.ImportDivisions(ctx, roster.InnerMongolia()); err != nil {
		t.Fatalf("import divisions: %v", err)
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		t.Fatalf("i18n bundle: %v", err)
	}
	srv := server.New(server.Config{EvidenceDir: t.TempDir()}, st, bundle, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	a := &app{store: st, users: map[string]model.User{}, schools: map[string]model.School{}, log: &requestLog{}}
	hs := httptest.NewServer(a.unreachable(a.log.wrap(srv.Handler())))
	t.Cleanup(hs.Close)
	a.url = hs.URL
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("requests the server saw:\n%s", a.log)
		}
	})
	a.seed(t, usernames)
	return a
}

// roles are the users a test can ask for.
var roles = map[string]model.User{
	userSchool:    {Username: userSchool, Role: model.SchoolRep, ScopeCode: schoolXC1},
	userInspector: {Username: userInspector, Role: model.Inspector, ScopeCode: prefHohhot},
	userLeader:    {Username: userLeader, Role: model.Leader, ScopeCode: prefHohhot},
	userAdmin:     {Username: userAdmin, Role: model.Admin},
}

func (a *app) seed(t *testing.T, usernames []string) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []model.School{
		{Code: schoolXC1, Name: "新城区实验小学", Type: model.Primary, DivisionCode: countyXC, Students: 500, PoliceStation: "新华派出所"},
		{Code: schoolXC2, Name: "新城区第二小学", Type: model.Primary, DivisionCode: countyXC, Students: 300},
		{Code: schoolHM1, Name: "回民区阳光幼儿园", Type: model.Kindergarten, DivisionCode: countyHM, Students: 120},
		{Code: schoolDH1, Name: "东河区第一中学", Type: model.Junior, DivisionCode: "150202", Students: 1240},
	} {
		s.Active, s.Ownership = true, model.Public
		saved, err := a.store.SaveSchool(ctx, seeder, s)
		if err != nil {
			t.Fatalf("seed school %s: %v", s.Code, err)
		}
		a.schools[s.Code] = saved
	}
	var users []model.User
	for _, name := range usernames {
		u, ok := roles[name]
		if !ok {
			t.Fatalf("no user %q to seed", name)
		}
		users = append(users, u)
	}
	// bcrypt is slow under -race: hash in parallel.
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() {
			created, err := a.store.CreateUser(ctx, seeder, u, password)
			mu.Lock()
			defer mu.Unlock()
			errs[i], a.users[u.Username] = err, created
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("seed user %s: %v", users[i].Username, err)
		}
	}
}

// checklist records a checklist straight in the store, as an administrator.
func (a *app) checklist(t *testing.T, code string, f model.Facts, submit bool) model.Checklist {
	t.Helper()
	cl, err := a.store.CreateChecklist(context.Background(), seeder, a.schools[code].ID,
		store.ChecklistInput{CheckedOn: today.AddDays(-1), Facts: f, Submit: submit})
	if err != nil {
		t.Fatalf("checklist for %s: %v", code, err)
	}
	return cl
}

// state reads a checklist's state from the store.
func (a *app) state(t *testing.T, id int64) model.ChecklistState {
	t.Helper()
	cl, err := a.store.Checklist(context.Background(), id)
	if err != nil {
		t.Fatalf("checklist %d: %v", id, err)
	}
	return cl.State
}

func ptr[T any](v T) *T { return &v }

// goodFacts satisfy every default rule for a school of 100–999 students
// (two licensed guards), checked yesterday with an alarm test ten days ago.
func goodFacts() model.Facts { return model.SampleFacts(today) }

// requestLog records every request the server answers, to show on failure
// and to check what the browser did (or did not) send.
type requestLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.entries = append(l.entries, fmt.Sprintf("%s %s %d", r.Method, r.URL.RequestURI(), rec.status))
	})
}

// count is how many requests were "METHOD path" (any status).
func (l *requestLog) count(method, path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		if strings.HasPrefix(e, method+" "+path+" ") {
			n++
		}
	}
	return n
}

func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.entries, "\n")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
