package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/model"
	"safecampus/internal/pgtest"
	"safecampus/internal/roster"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

// TestTwoServersOnOnePostgres runs two application servers on one
// PostgreSQL database, as behind a load balancer, and alternates one
// user's requests between them: sign-in, pages, a form posted to the other
// server, the API, login throttling and sign-out all hold across both.
func TestTwoServersOnOnePostgres(t *testing.T) {
	dsn := pgtest.Database(t)
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 4, 1, 4, 0, 0, 0, time.UTC) }
	start := func() (*store.Store, *httptest.Server) {
		st, err := store.Open(store.Options{DSN: dsn, Now: now, PasswordCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newHandler(t, server.Config{}, st, slog.New(slog.DiscardHandler)))
		t.Cleanup(srv.Close)
		return st, srv
	}
	stA, a := start()
	_, b := start()
	if err := stA.ImportDivisions(ctx, roster.InnerMongolia()); err != nil {
		t.Fatal(err)
	}
	admin := model.User{Username: "setup"}
	if _, err := stA.SaveSchool(ctx, admin, model.School{Code: "1501020001", Name: "新城区第一小学", Type: model.Primary,
		DivisionCode: "150102", Students: 400, Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := stA.CreateUser(ctx, admin, model.User{Username: "school", Role: model.SchoolRep, ScopeCode: "1501020001"}, "Correct-Horse-9"); err != nil {
		t.Fatal(err)
	}

	// Cookies are not scoped by port, so one jar serves both servers, as a
	// browser behind one load-balanced host name would.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	user := c
	get := func(base, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	post := func(base, path string, form url.Values) int {
		t.Helper()
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	token := func(page string) string {
		t.Helper()
		m := csrf.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no _csrf field on the page")
		}
		return m[1]
	}

	_, login := get(a.URL, "/login")
	if got := post(a.URL, "/login", url.Values{"username": {"school"}, "password": {"Correct-Horse-9"}, "_csrf": {token(login)}}); got != http.StatusSeeOther {
		t.Fatalf("sign in on A: status %d, want 303", got)
	}
	if got, _ := get(b.URL, "/schools/1501020001"); got != http.StatusOK {
		t.Fatalf("school page on B with A's session: status %d, want 200", got)
	}
	_, form := get(b.URL, "/schools/1501020001/checklists/new")
	on := "2026-04-01"
	values := url.Values{"_csrf": {token(form)}, "checked_on": {on}, "action": {"submit"},
		"nursing_post.set_up": {"yes"}, "nursing_post.am_staff": {"2"}, "nursing_post.pm_staff": {"2"},
		"nursing_post.police_present": {"yes"}, "nursing_post.roster_on_file": {"yes"},
		"closed_management.perimeter_enclosed": {"yes"}, "closed_management.gate_room_24h": {"yes"},
		"closed_management.visitor_registration": {"yes"}, "closed_management.anti_ramming": {"bollards"},
		"security_guards.full_time_guards": {"2"}, "security_guards.licensed_guards": {"2"},
		"one_button_alarm.installed": {"yes"}, "one_button_alarm.linked_to_police": {"yes"},
		"one_button_alarm.last_test_on": {"2026-03-20"}, "one_button_alarm.last_test_ok": {"yes"},
		"video_networking.cameras": {"8"}, "video_networking.gate_covered": {"yes"},
		"video_networking.networked_to_police": {"yes"}, "video_networking.retention_days": {"30"}}
	// Pages and API answers are cached on PostgreSQL too, under the data
	// generation every server reads from the database: B caches the county
	// dashboard and coverage before the checklist is posted to A, and must
	// show the new figures right after it.
	leader := warmReads(t, stA, b.URL)
	if got := post(a.URL, "/schools/1501020001/checklists", values); got != http.StatusSeeOther {
		t.Fatalf("checklist posted to A with B's form: status %d, want 303", got)
	}
	if _, page := get(b.URL, "/schools/1501020001"); !strings.Contains(page, on) {
		t.Errorf("B's school page does not show the checklist of %s submitted through A", on)
	}
	leader.followsWrite(t, b.URL)
	// Disabling the leader on A ends their cached token on B at once.
	if _, err := stA.SetUserDisabled(ctx, admin, leader.user.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := leader.read(t, b.URL, reportedCoverage); got != http.StatusUnauthorized {
		t.Errorf("B with a disabled user's cached token: status %d, want 401", got)
	}

	// Ten failures split over both servers throttle the username on both
	// (tried from another browser, since this one is signed in).
	anonJar, _ := cookiejar.New(nil)
	c = &http.Client{Jar: anonJar, CheckRedirect: user.CheckRedirect}
	for i := range 10 {
		base := a.URL
		if i%2 == 1 {
			base = b.URL
		}
		_, page := get(base, "/login")
		if got := post(base, "/login", url.Values{"username": {"school"}, "password": {"wrong"}, "_csrf": {token(page)}}); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	_, page := get(b.URL, "/login")
	if got := post(b.URL, "/login", url.Values{"username": {"school"}, "password": {"Correct-Horse-9"}, "_csrf": {token(page)}}); got != http.StatusTooManyRequests {
		t.Errorf("after 10 failures on two servers: status %d, want 429", got)
	}

	// Signing out on B ends the session on A.
	c = user
	kept := jar.Cookies(mustURL(t, a.URL))
	_, page = get(b.URL, "/schools/1501020001")
	if got := post(b.URL, "/logout", url.Values{"_csrf": {token(page)}}); got != http.StatusSeeOther {
		t.Fatalf("sign out on B: status %d", got)
	}
	// Replay the old session cookie against A: the session is gone from
	// the shared database, not only from this browser.
	oldJar, _ := cookiejar.New(nil)
	oldJar.SetCookies(mustURL(t, a.URL), kept)
	c = &http.Client{Jar: oldJar, CheckRedirect: user.CheckRedirect}
	if got, _ := get(a.URL, "/schools/1501020001"); got != http.StatusSeeOther {
		t.Errorf("A with the signed-out session cookie: status %d, want 303 to the login page", got)
	}
}

const reportedCoverage = "/api/v1/coverage/150102?basis=reported"

// cachedReader is a county leader reading through the API with a token.
type cachedReader struct {
	user         model.User
	token        string
	page, answer string // B's cached dashboard and coverage, before the write
}

// warmReads makes a county leader and has server base cache their
// dashboard and coverage (read twice, identical), checking through
// /metrics that the page cache holds them.
func warmReads(t *testing.T, st *store.Store, base string) *cachedReader {
	t.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, model.User{Username: "setup"}, model.User{Username: "leader", Role: model.Leader, ScopeCode: "150102"}, "Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	r := &cachedReader{user: u}
	if r.token, err = st.CreateToken(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, page := r.read(t, base, "/divisions/150102")
		_, answer := r.read(t, base, reportedCoverage)
		if r.page != "" && (page != r.page || answer != r.answer) {
			t.Fatal("two reads without a write differ")
		}
		r.page, r.answer = page, answer
	}
	if !strings.Contains(r.answer, `"all_five":{"covered":0`) {
		t.Fatalf("coverage before the checklist: %s", r.answer)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^safecampus_page_cache_entries (\d+)`).FindSubmatch(metrics)
	if m == nil {
		t.Fatal("no safecampus_page_cache_entries in /metrics")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 2 {
		t.Fatalf("page cache entries on PostgreSQL: %q, want the dashboard and the coverage answer at least", m)
	}
	return r
}

// followsWrite checks that base no longer serves the cached reads.
func (r *cachedReader) followsWrite(t *testing.T, base string) {
	t.Helper()
	if _, answer := r.read(t, base, reportedCoverage); !strings.Contains(answer, `"all_five":{"covered":1`) {
		t.Errorf("B's coverage after a checklist posted to A: %s, want all five covered by 1 school", answer)
	}
	if _, page := r.read(t, base, "/divisions/150102"); page == r.page {
		t.Error("B served its cached dashboard after a checklist posted to A")
	}
}

func (r *cachedReader) read(t *testing.T, base, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, string(body)
	}
	if r.page == "" {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return resp.StatusCode, string(body)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
