package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/evidence"
	"safecampus/internal/i18n"
	"safecampus/internal/imagetest"
	"safecampus/internal/model"
	"safecampus/internal/pgtest"
	"safecampus/internal/roster"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

// The seeded tree: two prefectures of the built-in Inner Mongolia list, with
// schools in three counties.
const (
	province   = "150000" // 内蒙古自治区
	prefHohhot = "150100" // 呼和浩特市
	prefBaotou = "150200" // 包头市
	countyXC   = "150102" // 新城区, under 150100
	countyHM   = "150103" // 回民区, under 150100
	countyYQ   = "150104" // 玉泉区, under 150100, no schools
	countyDH   = "150202" // 东河区, under 150200

	schoolA = "1501020001" // 新城区, primary, 500 students: needs 2 guards
	schoolB = "1501020002" // 新城区, kindergarten, 1240 students: needs 3 guards
	schoolC = "1501030001" // 回民区, junior, 50 students: needs 1 guard
	schoolD = "1502020001" // 东河区, primary, 300 students: needs 2 guards
	schoolE = "1501030002" // 回民区, senior, 800 students: spare, for activation

	unknownSchool   = "9999999999"
	unknownDivision = "159999"

	password = "Correct-Horse-9"
)

// Usernames of the seeded users, one per role, plus an inspector of the
// other prefecture.
const (
	userAdmin      = "admin"
	userLeader     = "leader"     // leader of 150100
	userInspector  = "inspector"  // inspector of 150100
	userSchool     = "school-a"   // school user of schoolA
	userInspector2 = "inspector2" // inspector of 150200
	userSpare      = "spare"      // leader of 150100 that tests may disable
)

// day0 is the day every test starts on.
var day0 = model.NewDate(2026, 3, 2)

// testClock is a settable clock, safe to read from the server's goroutines.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// SetDay moves the clock to noon (UTC, the store's zone in tests) on d.
func (c *testClock) SetDay(d model.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(time.UTC).Add(12 * time.Hour)
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Today is the clock's calendar day.
func (c *testClock) Today() model.Date { return model.DateOf(c.Now().UTC()) }

// testApp is the real server on a real, migrated SQLite file.
type testApp struct {
	handler http.Handler
	store   *store.Store
	clock   *testClock
	srv     *httptest.Server
	// closeStore closes the store once; the cleanup calls it too.
	closeStore func() error
	users      map[string]model.User
	schools    map[string]model.School
	// evidenceDir holds the uploaded evidence files (a temp dir unless
	// appOptions.cfg names one).
	evidenceDir string
	dsn         string
}

// appOptions change how newTestAppWith builds the app.
type appOptions struct {
	cfg server.Config
	tls bool // serve over TLS (httptest.NewTLSServer)
	// logTo, when set, receives every log line from Debug up instead of
	// the test's output.
	logTo io.Writer
}

// newTestApp builds the seeded app served over plain HTTP on day0.
func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, appOptions{})
}

func newTestAppWith(t *testing.T, opts appOptions) *testApp {
	t.Helper()
	clk := &testClock{}
	clk.SetDay(day0)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	if opts.logTo != nil {
		log = slog.New(slog.NewTextHandler(opts.logTo, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var dsn string
	if testEngine() == "postgres" {
		dsn = pgtest.DatabaseFrom(t, pgtest.Name(pgTemplateDB(t)))
	} else {
		dsn = filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(templateDB(t), dsn); err != nil {
			t.Fatalf("copy the template database: %v", err)
		}
	}
	st, err := store.Open(store.Options{DSN: dsn, Now: clk.Now, Logger: log, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	var closeOnce sync.Once
	closeStore := func() error {
		var err error
		closeOnce.Do(func() { err = st.Close() })
		return err
	}
	t.Cleanup(func() { closeStore() })
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if opts.cfg.EvidenceDir == "" {
		opts.cfg.EvidenceDir = t.TempDir()
	}
	h := newHandler(t, opts.cfg, st, log)
	a := &testApp{handler: h, store: st, clock: clk, closeStore: closeStore, users: map[string]model.User{}, schools: map[string]model.School{},
		evidenceDir: opts.cfg.EvidenceDir, dsn: dsn}
	if opts.tls {
		a.srv = httptest.NewTLSServer(h)
	} else {
		a.srv = httptest.NewServer(h)
	}
	t.Cleanup(a.srv.Close)
	a.seed(t)
	return a
}

// newHandler is the application's handler over st, wired as main wires it.
func newHandler(t *testing.T, cfg server.Config, st *store.Store, log *slog.Logger) http.Handler {
	t.Helper()
	bundle, err := i18n.NewBundle()
	if err != nil {
		t.Fatalf("i18n bundle: %v", err)
	}
	return server.New(cfg, st, bundle, log, prometheus.NewRegistry()).Handler()
}

var seedAdmin = model.User{Username: "seed", Role: model.Admin}

// seedUsers are the users of every test app, one per role, plus an
// inspector of the other prefecture. All have the password password.
var seedUsers = []model.User{
	{Username: userAdmin, Role: model.Admin},
	{Username: userLeader, Role: model.Leader, ScopeCode: prefHohhot},
	{Username: userInspector, Role: model.Inspector, ScopeCode: prefHohhot},
	{Username: userSchool, Role: model.SchoolRep, ScopeCode: schoolA},
	{Username: userInspector2, Role: model.Inspector, ScopeCode: prefBaotou},
	{Username: userSpare, Role: model.Leader, ScopeCode: prefHohhot},
}

// seedSchools are the schools of every test app.
var seedSchools = []model.School{
	{Code: schoolA, Name: "新城区第一小学", Type: model.Primary, DivisionCode: countyXC, Students: 500},
	{Code: schoolB, Name: "新城区幼儿园", Type: model.Kindergarten, DivisionCode: countyXC, Students: 1240},
	{Code: schoolC, Name: "回民区初级中学", Type: model.Junior, DivisionCode: countyHM, Students: 50},
	{Code: schoolD, Name: "东河区第一小学", Type: model.Primary, DivisionCode: countyDH, Students: 300},
	{Code: schoolE, Name: "回民区高级中学", Type: model.Senior, DivisionCode: countyHM, Students: 800},
}

// The template database is migrated and holds the divisions, the schools
// and the users. bcrypt is slow under -race, so it is built once and each
// test works on its own copy.
var tmplDB struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tmplDB.dir != "" {
		os.RemoveAll(tmplDB.dir)
	}
	os.Exit(code)
}

func templateDB(t *testing.T) string {
	t.Helper()
	tmplDB.once.Do(func() {
		tmplDB.dir, tmplDB.err = os.MkdirTemp("", "safecampus-server-test-")
		if tmplDB.err != nil {
			return
		}
		tmplDB.path = filepath.Join(tmplDB.dir, "template.db")
		tmplDB.err = buildTemplate(tmplDB.path)
	})
	if tmplDB.err != nil {
		t.Fatalf("template database: %v", tmplDB.err)
	}
	return tmplDB.path
}

// testEngine is the database the app tests run on: SQLite, or PostgreSQL
// when SAFECAMPUS_TEST_ENGINE=postgres (CI runs the suite both ways).
func testEngine() string {
	if os.Getenv("SAFECAMPUS_TEST_ENGINE") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

var pgTmpl struct {
	once sync.Once
	dsn  string
	err  error
}

// pgTemplateDB is the PostgreSQL template database, built once.
func pgTemplateDB(t *testing.T) string {
	t.Helper()
	pgTmpl.once.Do(func() {
		var err error
		if pgTmpl.dsn, _, err = pgtest.NewDatabase(); err != nil {
			pgTmpl.err = err
			return
		}
		pgTmpl.err = buildTemplate(pgTmpl.dsn)
	})
	if pgTmpl.err != nil {
		t.Fatalf("PostgreSQL template database: %v", pgTmpl.err)
	}
	return pgTmpl.dsn
}

func buildTemplate(path string) error {
	clk := &testClock{}
	clk.SetDay(day0)
	st, err := store.Open(store.Options{DSN: path, Now: clk.Now, PasswordCost: bcrypt.MinCost})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	if err := st.ImportDivisions(ctx, roster.InnerMongolia()); err != nil {
		return err
	}
	for _, s := range seedSchools {
		s.Active, s.Ownership = true, model.Public
		if _, err := st.SaveSchool(ctx, seedAdmin, s); err != nil {
			return fmt.Errorf("school %s: %w", s.Code, err)
		}
	}
	errs := make([]error, len(seedUsers))
	var wg sync.WaitGroup
	for i, u := range seedUsers {
		wg.Go(func() { _, errs[i] = st.CreateUser(ctx, seedAdmin, u, password) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// copyFile copies the template; closing the store checkpointed its WAL
// into the main file.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

func (a *testApp) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, s := range seedSchools {
		a.schools[s.Code] = a.school(t, s.Code)
	}
	for _, u := range seedUsers {
		got, err := a.store.UserByName(ctx, u.Username)
		if err != nil {
			t.Fatalf("seeded user %s: %v", u.Username, err)
		}
		a.users[u.Username] = got
	}
}

// school returns a seeded school (with its id).
func (a *testApp) school(t *testing.T, code string) model.School {
	t.Helper()
	s, err := a.store.School(context.Background(), code)
	if err != nil {
		t.Fatalf("school %s: %v", code, err)
	}
	return s
}

// schoolCount is how many schools exist, closed ones included.
func (a *testApp) schoolCount(t *testing.T) int64 {
	t.Helper()
	n, err := a.store.SchoolCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checklist records a checklist for a school straight in the store, as the
// admin: submitted when submit, else a draft.
func (a *testApp) checklist(t *testing.T, code string, on model.Date, f model.Facts, submit bool) model.Checklist {
	t.Helper()
	cl, err := a.store.CreateChecklist(context.Background(), a.users[userAdmin], a.school(t, code).ID,
		store.ChecklistInput{CheckedOn: on, Facts: f, Submit: submit})
	if err != nil {
		t.Fatalf("checklist for %s: %v", code, err)
	}
	return cl
}

// hazard raises an open hazard straight in the store.
func (a *testApp) hazard(t *testing.T, code string, m model.Measure) model.Hazard {
	t.Helper()
	h, err := a.store.CreateHazard(context.Background(), a.users[userAdmin], a.school(t, code).ID, store.HazardInput{
		Measure: m, Description: "gate camera broken", Severity: model.High, Deadline: a.clock.Today().AddDays(10)})
	if err != nil {
		t.Fatalf("hazard for %s: %v", code, err)
	}
	return h
}

// verified submits a checklist of good facts checked on day for each
// school, and the inspector verifies it.
func (a *testApp) verified(t *testing.T, day model.Date, codes ...string) {
	t.Helper()
	for _, code := range codes {
		cl := a.checklist(t, code, day, goodFacts(day), true)
		if _, err := a.store.VerifyChecklist(t.Context(), a.users[userInspector], cl.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// goodFacts satisfies every default rule for a school of 100–999 students
// checked on day d: 2 licensed guards, a recent alarm test.
func goodFacts(d model.Date) model.Facts { return model.SampleFacts(d) }

// goodFactsJSON is goodFacts as the API's "facts" object.
func goodFactsJSON(d model.Date) map[string]map[string]any {
	return map[string]map[string]any{
		"nursing_post":      {"set_up": true, "am_staff": 2, "pm_staff": 2, "police_present": true, "roster_on_file": true},
		"closed_management": {"perimeter_enclosed": true, "gate_room_24h": true, "visitor_registration": true, "anti_ramming": "bollards"},
		"security_guards":   {"full_time_guards": 2, "licensed_guards": 2},
		"one_button_alarm":  {"installed": true, "linked_to_police": true, "last_test_on": d.AddDays(-10).String(), "last_test_ok": true},
		"video_networking":  {"cameras": 12, "gate_covered": true, "networked_to_police": true, "retention_days": 30},
	}
}

// goodForm is goodFacts as the checklist form posts it, submitting.
func goodForm(t *testing.T, d model.Date) url.Values {
	t.Helper()
	f := url.Values{"checked_on": {d.String()}, "action": {"submit"}}
	for m, facts := range goodFactsJSON(d) {
		for k, v := range facts {
			switch v := v.(type) {
			case bool:
				f.Set(m+"."+k, map[bool]string{true: "yes", false: "no"}[v])
			default:
				f.Set(m+"."+k, strings.TrimSpace(jsonString(v)))
			}
		}
	}
	// The form must name exactly the fields the form page renders.
	for _, field := range model.FactTable {
		if _, ok := f[field.Key]; !ok {
			t.Fatalf("goodForm lacks field %s of model.FactTable", field.Key)
		}
	}
	return f
}

func jsonString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// response is a finished HTTP exchange, its body read.
type response struct {
	status int
	header http.Header
	body   string
	resp   *http.Response
}

// text is the body with HTML entities decoded, to search for messages.
func (r response) text() string { return html.UnescapeString(r.body) }

// cookie returns the Set-Cookie of the given name, or nil.
func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (r response) isHTML() bool {
	return strings.HasPrefix(r.header.Get("Content-Type"), "text/html")
}

// client is a browser without JavaScript: a cookie jar, no automatic
// redirects, and the CSRF token of the last page it read.
type client struct {
	t    *testing.T
	app  *testApp
	base string
	hc   *http.Client
	csrf string
	// header is added to every request.
	header http.Header
}

func (a *testApp) newClient(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// srv.Client() is shared: copy it, so each client has its own jar.
	hc := *a.srv.Client()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{t: t, app: a, base: a.srv.URL, hc: &hc, header: http.Header{}}
}

// loggedIn returns a client signed in as username.
func (a *testApp) loggedIn(t *testing.T, username string) *client {
	t.Helper()
	c := a.newClient(t)
	if r := c.login(username, password); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: got status %d, want 303; body:\n%s", username, r.status, r.body)
	}
	return c
}

// signedIn returns a client with a session of username made in the store
// (what a login makes), and a CSRF token read from its first page. Tests
// of the login form itself use loggedIn.
func (a *testApp) signedIn(t *testing.T, username string) *client {
	t.Helper()
	u, ok := a.users[username]
	if !ok {
		t.Fatalf("no seeded user %s", username)
	}
	c := a.newClient(t)
	tok, err := a.store.CreateSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(c.base)
	// Under both names: Secure apps use the __Host- prefix.
	c.hc.Jar.SetCookies(base, []*http.Cookie{{Name: "sc_session", Value: tok, Path: "/"}, {Name: "__Host-sc_session", Value: tok, Path: "/"}})
	r := c.get("/")
	if r.status == http.StatusSeeOther {
		r = c.get(r.header.Get("Location"))
	}
	if r.status != http.StatusOK || c.csrf == "" {
		t.Fatalf("%s: first page: status %d, CSRF token %q", username, r.status, c.csrf)
	}
	return c
}

var (
	csrfInput = regexp.MustCompile(`<input[^>]*name="_csrf"[^>]*>`)
	valueAttr = regexp.MustCompile(`value="([^"]*)"`)
)

// csrfOf reads the hidden _csrf input of a page.
func csrfOf(body string) string {
	in := csrfInput.FindString(body)
	if m := valueAttr.FindStringSubmatch(in); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: string(b), resp: res}
	if tok := csrfOf(r.body); tok != "" {
		c.csrf = tok
	}
	return r
}

func (c *client) newRequest(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return req
}

// get fetches a page.
func (c *client) get(path string) response {
	c.t.Helper()
	return c.do(c.newRequest(http.MethodGet, path, nil))
}

// postRaw posts a form as is: no token is added.
func (c *client) postRaw(path string, form url.Values, hdr ...string) response {
	c.t.Helper()
	req := c.newRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// post posts a form with the CSRF token of the last page read.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if c.csrf == "" {
		c.t.Fatalf("POST %s: no CSRF token read yet", path)
	}
	f := cloneValues(form)
	f.Set("_csrf", c.csrf)
	return c.postRaw(path, f)
}

// submit reads the page a form is on, then posts the form to action with
// that page's CSRF token, as a browser does.
func (c *client) submit(page, action string, form url.Values) response {
	c.t.Helper()
	r := c.get(page)
	tok := csrfOf(r.body)
	if tok == "" {
		c.t.Fatalf("GET %s: status %d and no _csrf input on the page", page, r.status)
	}
	f := cloneValues(form)
	f.Set("_csrf", tok)
	return c.postRaw(action, f)
}

// upload posts a multipart form with one file, with the CSRF token of page.
func (c *client) upload(page, action, field, filename string, content []byte, form url.Values) response {
	c.t.Helper()
	return c.postMultipart(page, action, field, []upFile{{filename, content}}, form)
}

// upFile is one file of a multipart upload.
type upFile struct {
	name string
	data []byte
}

// uploadFiles posts a multipart form with any number of files in the field
// "files", with the CSRF token of page.
func (c *client) uploadFiles(page, action string, files []upFile, form url.Values) response {
	c.t.Helper()
	return c.postMultipart(page, action, "files", files, form)
}

// postMultipart posts a multipart form with files in field, with the CSRF
// token of page.
func (c *client) postMultipart(page, action, field string, files []upFile, form url.Values) response {
	c.t.Helper()
	r := c.get(page)
	tok := csrfOf(r.body)
	if tok == "" {
		c.t.Fatalf("GET %s: status %d and no _csrf input on the page", page, r.status)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	f := cloneValues(form)
	f.Set("_csrf", tok)
	for k, vs := range f {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for _, file := range files {
		fw, err := mw.CreateFormFile(field, file.name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(file.data)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req := c.newRequest(http.MethodPost, action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// login signs in through the real form: GET /login for the token, then
// POST the credentials.
func (c *client) login(username, pw string, hdr ...string) response {
	c.t.Helper()
	if c.csrf == "" {
		if r := c.get("/login"); r.status != http.StatusOK {
			c.t.Fatalf("GET /login: status %d", r.status)
		}
	}
	return c.postRaw("/login", url.Values{"_csrf": {c.csrf}, "username": {username}, "password": {pw}}, hdr...)
}

// sessionCookie is the client's current sc_session value, or "".
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sc_session" || ck.Name == "__Host-sc_session" {
			return ck.Value
		}
	}
	return ""
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// apiClient calls /api/v1 with an API token.
type apiClient struct {
	t     *testing.T
	base  string
	hc    *http.Client
	token string
}

// api returns a client with a fresh API token of username ("" for none).
func (a *testApp) api(t *testing.T, username string) *apiClient {
	t.Helper()
	hc := *a.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &apiClient{t: t, base: a.srv.URL, hc: &hc}
	if username != "" {
		u, ok := a.users[username]
		if !ok {
			t.Fatalf("no seeded user %s", username)
		}
		// The longest life a token may have: tests move the clock months on.
		tok, _, err := a.store.IssueToken(context.Background(), u, u.ID, "test", store.MaxTokenTTL)
		if err != nil {
			t.Fatal(err)
		}
		c.token = tok
	}
	return c
}

// call sends body as JSON: nil sends no body, a string or []byte is sent
// as is, anything else is marshalled.
func (c *apiClient) call(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return readResponse(c.t, res)
}

// readResponse reads and closes the body.
func readResponse(t *testing.T, res *http.Response) response {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b), resp: res}
}

func (c *apiClient) get(path string) response {
	c.t.Helper()
	return c.call(http.MethodGet, path, nil)
}

func (c *apiClient) post(path string, body any) response {
	c.t.Helper()
	return c.call(http.MethodPost, path, body)
}

// decode reads a JSON response into v, failing on anything else.
func decode(t *testing.T, r response, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json; body:\n%s", ct, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// wantStatus fails when the status is not want.
func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: got status %d, want %d; body:\n%s", what, r.status, want, truncate(r.body, 2000))
	}
}

// wantJSONError checks an API error: the status, JSON {"error": "..."} with
// a message and nothing else, never HTML. It returns the message.
func wantJSONError(t *testing.T, what string, r response, status int) string {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: got status %d, want %d; body: %s", what, r.status, status, truncate(r.body, 500))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	if strings.Contains(strings.ToLower(r.body), "<html") || strings.Contains(r.body, "goroutine ") {
		t.Errorf("%s: error body is HTML or a stack trace: %s", what, truncate(r.body, 500))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Errorf("%s: error body is not JSON: %v: %s", what, err, truncate(r.body, 500))
		return ""
	}
	msg, ok := body["error"].(string)
	if !ok || msg == "" || len(body) != 1 {
		t.Errorf(`%s: error body %s, want exactly {"error": "<message>"}`, what, r.body)
	}
	return msg
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// saveLegacySchool saves a school whose code predates the code rule
// (letters, digits, - and _): it is saved under a valid code, then renamed
// in the database, as rows written by an older version are.
func (a *testApp) saveLegacySchool(t *testing.T, s model.School) {
	t.Helper()
	code := s.Code
	s.Code = fmt.Sprintf("LEGACY-%d", time.Now().UnixNano())
	if _, err := a.store.SaveSchool(context.Background(), seedAdmin, s); err != nil {
		t.Fatalf("school %q: %v", code, err)
	}
	driver := "sqlite3"
	if testEngine() == "postgres" {
		driver = "pgx"
	}
	db, err := sql.Open(driver, a.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := "UPDATE schools SET code = ? WHERE code = ?"
	if driver == "pgx" {
		q = "UPDATE schools SET code = $1 WHERE code = $2"
	}
	if _, err := db.Exec(q, code, s.Code); err != nil {
		t.Fatalf("renaming school %s to %q: %v", s.Code, code, err)
	}
}

// pdfBytes is a small PDF.
func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// inspection records an inspection with no findings straight in the store.
func (a *testApp) inspection(t *testing.T, code string) model.Inspection {
	t.Helper()
	in, err := a.store.CreateInspection(context.Background(), a.users[userAdmin], a.school(t, code).ID,
		store.InspectionInput{InspectedOn: a.clock.Today(), Findings: []store.FindingInput{{Measure: model.NursingPost, Result: model.FindingOK}}})
	if err != nil {
		t.Fatalf("inspection of %s: %v", code, err)
	}
	return in
}

// evidence attaches a PNG to a new draft checklist of the school, the file
// saved in the app's evidence directory as an upload would be.
func (a *testApp) evidence(t *testing.T, code string) model.Evidence {
	t.Helper()
	f, err := evidence.Check("gate.png", imagetest.PNG(t, 40, 30))
	if err != nil {
		t.Fatal(err)
	}
	name, err := evidence.NewDir(a.evidenceDir).Save(f)
	if err != nil {
		t.Fatal(err)
	}
	cl := a.checklist(t, code, a.clock.Today(), goodFacts(a.clock.Today()), false)
	files, err := a.store.AddChecklistEvidence(context.Background(), a.users[userAdmin], cl.ID, []store.EvidenceInput{{
		StoredName: name, FileName: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data)), SHA256: f.SHA256, Width: f.Width, Height: f.Height}})
	if err != nil || len(files) != 1 {
		t.Fatalf("evidence for %s: %v", code, err)
	}
	return files[0]
}

// wantText fails unless the page's text holds every piece.
func wantText(t *testing.T, what string, r response, pieces ...string) {
	t.Helper()
	text := r.text()
	for _, p := range pieces {
		if !strings.Contains(text, p) {
			t.Errorf("%s: %q not on the page (status %d)", what, p, r.status)
		}
	}
}

// idFromLocation reads the number at the end of a redirect's Location.
func idFromLocation(t *testing.T, r response) int64 {
	t.Helper()
	loc := r.header.Get("Location")
	loc = strings.SplitN(loc, "#", 2)[0]
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("Location %q (status %d) does not end in an id", r.header.Get("Location"), r.status)
	}
	return id
}

// auditOf filters the audit trail to one record.
func auditOf(entity string, id int64) store.AuditQuery {
	return store.AuditQuery{Entity: entity, EntityID: strconv.FormatInt(id, 10)}
}
