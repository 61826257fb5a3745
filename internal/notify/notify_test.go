package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var admin = model.User{Username: "test-admin", Role: model.Admin}

// fixture is a store with one school "S1" in county 150102, its user
// "school" and an inspector.
type fixture struct {
	dsn     string
	st      *store.Store
	clock   *testClock
	school  model.School
	user    model.User
	inspect model.User
	bundle  *i18n.Bundle
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := &testClock{t: time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)} // 12:00 in Shanghai
	loc, _ := time.LoadLocation("Asia/Shanghai")
	dsn := filepath.Join(t.TempDir(), "n.db")
	st, err := store.Open(store.Options{DSN: dsn, Now: c.now, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportDivisions(ctx, []model.Division{
		{Code: "150000", Name: "内蒙古自治区", Level: model.LevelProvince},
		{Code: "150100", Name: "呼和浩特市", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150102", Name: "新城区", ParentCode: "150100", Level: model.LevelCounty},
		{Code: "150200", Name: "包头市", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150202", Name: "东河区", ParentCode: "150200", Level: model.LevelCounty},
	}); err != nil {
		t.Fatal(err)
	}
	sc, err := st.SaveSchool(ctx, admin, model.School{Code: "S1", Name: "第一小学", Type: model.Primary, DivisionCode: "150102", Students: 300, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, admin, model.User{Username: "school", Role: model.SchoolRep, ScopeCode: "S1", Language: "en", Email: "head@school.example.cn"}, "Passw0rd-long")
	if err != nil {
		t.Fatal(err)
	}
	insp, err := st.CreateUser(ctx, admin, model.User{Username: "insp", Role: model.Inspector, ScopeCode: "150102"}, "Passw0rd-long")
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dsn: dsn, st: st, clock: c, school: sc, user: u, inspect: insp, bundle: b}
}

func (f *fixture) raise(t *testing.T, desc string) model.Hazard {
	t.Helper()
	h, err := f.st.CreateHazard(context.Background(), f.inspect, f.school.ID, store.HazardInput{
		Measure: model.NursingPost, Description: desc, Severity: model.High, Deadline: f.st.Today().AddDays(10)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// receiver is a real HTTP server on loopback that answers with the
// statuses given, in turn (then 200), and keeps what it received.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	headers  []http.Header
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
	status := 200
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.mu.Unlock()
	w.WriteHeader(status)
}

func (r *receiver) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.bodies) }

func TestWebhookDeliveredSignedRetriedAndNeverResent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := &receiver{statuses: []int{500, 503}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	robot := &receiver{}
	robotSrv := httptest.NewServer(robot)
	defer robotSrv.Close()
	if _, err := f.st.CreateWebhook(ctx, admin, model.Webhook{DivisionCode: "150100", URL: srv.URL + "/hook", Format: model.WebhookJSON, Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CreateWebhook(ctx, admin, model.Webhook{DivisionCode: "150000", URL: robotSrv.URL, Format: model.WebhookDingTalk}); err != nil {
		t.Fatal(err)
	}
	// Outside the school's subtree: never called.
	outside := &receiver{}
	outsideSrv := httptest.NewServer(outside)
	defer outsideSrv.Close()
	if _, err := f.st.CreateWebhook(ctx, admin, model.Webhook{DivisionCode: "150200", URL: outsideSrv.URL, Format: model.WebhookJSON}); err != nil {
		t.Fatal(err)
	}
	h := f.raise(t, "护学岗无人值守")
	n := New(Config{PublicURL: "https://safe.example.cn/"}, f.st, f.bundle, nil)

	got, err := n.Deliver(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sent != 1 || got.Failed != 1 || rcv.count() != 1 || robot.count() != 1 {
		t.Fatalf("first pass %+v, receiver %d, robot %d: want the JSON hook failed once and the robot sent", got, rcv.count(), robot.count())
	}
	// Not due again before its backoff; due after it.
	if got, _ := n.Deliver(ctx); got.Sent+got.Failed != 0 {
		t.Errorf("delivered %+v before the backoff ran out", got)
	}
	f.clock.add(store.Backoff(1))
	if got, _ := n.Deliver(ctx); got.Failed != 1 {
		t.Errorf("second attempt %+v, want a second failure (503)", got)
	}
	fails, err := f.st.FailedDeliveries(ctx, 10)
	if err != nil || len(fails) != 1 || fails[0].LastStatus != 503 || fails[0].Attempts != 2 {
		t.Errorf("failed deliveries %+v %v: want the JSON hook with status 503 after 2 attempts", fails, err)
	}
	f.clock.add(store.Backoff(2))
	if got, _ := n.Deliver(ctx); got.Sent != 1 {
		t.Errorf("third attempt %+v, want sent", got)
	}
	// Never sent again after its 2xx, however often the outbox runs.
	for range 3 {
		f.clock.add(2 * time.Hour)
		if got, _ := n.Deliver(ctx); got.Sent+got.Failed != 0 {
			t.Errorf("delivered again after a 2xx: %+v", got)
		}
	}
	if rcv.count() != 3 || robot.count() != 1 || outside.count() != 0 {
		t.Errorf("receiver %d robot %d outside %d: want 3, 1, 0", rcv.count(), robot.count(), outside.count())
	}
	// Every attempt carried the same notification id and a valid signature.
	var first map[string]any
	for i, body := range rcv.bodies {
		if sig := rcv.headers[i].Get("X-SafeCampus-Signature"); sig != Sign("s3cret", body) {
			t.Errorf("attempt %d: signature %q does not match the body", i, sig)
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		} else if p["id"] != first["id"] {
			t.Errorf("attempt %d id %v, first %v", i, p["id"], first["id"])
		}
	}
	for _, k := range []string{"id", "kind", "school_code", "division_code", "subject_id", "text", "link", "created_at"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON body lacks %q: %v", k, first)
		}
	}
	if first["kind"] != "hazard_raised" || first["school_code"] != "S1" || first["division_code"] != "150102" ||
		first["subject_id"] != float64(h.ID) || first["link"] != "https://safe.example.cn/hazards/"+itoa(h.ID) ||
		!strings.Contains(first["text"].(string), "第一小学") {
		t.Errorf("JSON body %v", first)
	}
	var ding struct {
		MsgType string                   `json:"msgtype"`
		Text    struct{ Content string } `json:"text"`
	}
	if err := json.Unmarshal(robot.bodies[0], &ding); err != nil || ding.MsgType != "text" || !strings.Contains(ding.Text.Content, "护学岗无人值守") {
		t.Errorf("DingTalk body %s (%v)", robot.bodies[0], err)
	}
	if robot.headers[0].Get("X-SafeCampus-Signature") != "" {
		t.Error("a webhook without a secret got a signature")
	}
}

func TestWebhookGivesUpAfterADay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A port nothing listens on: connection refused, never blocks.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	if _, err := f.st.CreateWebhook(ctx, admin, model.Webhook{DivisionCode: "150102", URL: dead, Format: model.WebhookWeCom}); err != nil {
		t.Fatal(err)
	}
	f.raise(t, "围墙破损")
	n := New(Config{}, f.st, f.bundle, nil)
	attempts := 0
	for range 60 {
		got, err := n.Deliver(ctx)
		if err != nil {
			t.Fatal(err)
		}
		attempts += got.Failed
		f.clock.add(time.Hour)
	}
	stats, _ := f.st.OutboxStats(ctx)
	if stats["webhook"].Failed != 1 || attempts < 20 || attempts > 30 {
		t.Errorf("stats %+v after %d attempts: want given up after about 24 hourly retries", stats["webhook"], attempts)
	}
}

func TestBadWebhooksAreRefused(t *testing.T) {
	f := newFixture(t)
	for _, w := range []model.Webhook{
		{DivisionCode: "150102", URL: "ftp://example.cn/x"},
		{DivisionCode: "150102", URL: "not a url"},
		{DivisionCode: "150102", URL: "https://example.cn", Format: "slack"},
		{DivisionCode: "999999", URL: "https://example.cn"},
	} {
		var fe model.FieldErrors
		if _, err := f.st.CreateWebhook(context.Background(), admin, w); !errors.As(err, &fe) {
			t.Errorf("%+v: %v, want field errors", w, err)
		}
	}
}

// smtpBackend is a real SMTP server (go-smtp) kept in memory.
type smtpBackend struct {
	mu    sync.Mutex
	mails []sentMail
	fail  bool
}

type sentMail struct {
	from, to string
	data     string
	tls      bool
	user     string
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b, c: c}, nil
}

type smtpSession struct {
	b    *smtpBackend
	c    *smtp.Conn
	m    sentMail
	user string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "p@ss" {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.fail {
		return &smtp.SMTPError{Code: 451, Message: "try later"}
	}
	s.m.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.m.to = to; return nil }
func (s *smtpSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	s.m.data = subject + "\n" + string(b)
	_, s.m.tls = s.c.TLSConnectionState()
	s.m.user = s.user
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, s.m)
	s.b.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// startSMTP runs an SMTP server on loopback offering STARTTLS with a
// certificate made for the test; it returns its address and a TLS config
// that trusts that certificate.
func startSMTP(t *testing.T, be *smtpBackend) (string, *tls.Config) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func TestMailImmediateAndDigestThroughARealSMTPServer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	be := &smtpBackend{}
	addr, tlsCfg := startSMTP(t, be)
	m, err := ParseSMTP("smtp://mailer:p%40ss@"+addr, "safecampus@example.cn")
	if err != nil {
		t.Fatal(err)
	}
	m.TLSConfig = tlsCfg
	n := New(Config{Mailer: m}, f.st, f.bundle, nil)

	// The SMTP server is down for a while: nothing is lost, it is retried.
	be.fail = true
	f.raise(t, "大门无人值守")
	if got, err := n.Deliver(ctx); err != nil || got.Failed != 1 {
		t.Fatalf("with the server refusing: %+v %v", got, err)
	}
	be.fail = false
	f.clock.add(store.Backoff(1))
	if got, err := n.Deliver(ctx); err != nil || got.Sent != 1 {
		t.Fatalf("after recovery: %+v %v", got, err)
	}
	if len(be.mails) != 1 {
		t.Fatalf("%d mails, want 1", len(be.mails))
	}
	got := be.mails[0]
	if got.to != "head@school.example.cn" || got.from != "safecampus@example.cn" || !got.tls || got.user != "mailer" {
		t.Errorf("mail from %s to %s, TLS %v, user %q: want STARTTLS and authenticated", got.from, got.to, got.tls, got.user)
	}
	if !strings.Contains(got.data, "SafeCampus: Hazard raised") || !strings.Contains(got.data, "A hazard was raised at 第一小学") || !strings.Contains(got.data, "/hazards/") {
		t.Errorf("mail in the reader's language (en) with a link, got:\n%s", got.data)
	}

	// Digest: three notifications, one mail at 07:00 the next morning.
	if _, err := f.st.SetEmail(ctx, admin, f.user.ID, "head@school.example.cn", true); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"一", "二", "三"} {
		f.raise(t, "隐患"+d)
	}
	if got, _ := n.Deliver(ctx); got.Sent != 0 {
		t.Errorf("digest sent before 07:00: %+v", got)
	}
	f.clock.add(20 * time.Hour) // 12:00 + 20 h = 08:00 next day in Shanghai
	if got, err := n.Deliver(ctx); err != nil || got.Sent != 1 {
		t.Fatalf("digest: %+v %v", got, err)
	}
	if len(be.mails) != 2 || strings.Count(be.mails[1].data, "/hazards/") != 3 {
		t.Errorf("digest mail:\n%s", be.mails[len(be.mails)-1].data)
	}
}

func TestBadSMTPSettingsAreRefused(t *testing.T) {
	for _, tc := range []struct{ url, from string }{
		{"http://host:25", "a@b.cn"}, {"smtp://:25", "a@b.cn"}, {"smtp://host:99999", "a@b.cn"}, {"smtp://host:25", "not-an-address"},
	} {
		if _, err := ParseSMTP(tc.url, tc.from); err == nil {
			t.Errorf("ParseSMTP(%q, %q) accepted", tc.url, tc.from)
		}
	}
}

func TestCatchUpRunsMissedDaysOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := New(Config{}, f.st, f.bundle, nil)
	runs, err := n.CatchUp(ctx)
	if err != nil || len(runs) != 1 || runs[0].Day != f.st.Today() {
		t.Fatalf("first catch-up %+v %v: want today only (12:00 is after 07:00)", runs, err)
	}
	f.clock.add(3 * 24 * time.Hour)
	runs, err = n.CatchUp(ctx)
	if err != nil || len(runs) != 3 {
		t.Fatalf("after three days: %+v %v", runs, err)
	}
	if runs, _ := n.CatchUp(ctx); len(runs) != 0 {
		t.Errorf("a second catch-up ran %d days", len(runs))
	}
	// 06:00 the next day: not due yet.
	f.clock.add(18 * time.Hour)
	if runs, _ := n.CatchUp(ctx); len(runs) != 0 {
		t.Errorf("ran before 07:00: %+v", runs)
	}
	f.clock.add(time.Hour)
	if runs, _ := n.CatchUp(ctx); len(runs) != 1 {
		t.Errorf("at 07:00: %d runs, want 1", len(runs))
	}
}

func itoa(n int64) string { return big.NewInt(n).String() }

// A delivery taken by a server that then dies (its lease runs out) is sent
// by the next one; after its 2xx is recorded, a restarted server never sends
// it again.
func TestOutboxSurvivesACrashAndARestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if _, err := f.st.CreateWebhook(ctx, admin, model.Webhook{DivisionCode: "150102", URL: srv.URL, Format: model.WebhookJSON}); err != nil {
		t.Fatal(err)
	}
	f.raise(t, "消防通道堵塞")
	// The first server claims the delivery and dies before sending it.
	if got, err := f.st.ClaimDeliveries(ctx, 10, 5*time.Minute, false); err != nil || len(got) != 1 {
		t.Fatalf("claim: %v %v", got, err)
	}
	f.st.Close()
	st, err := store.Open(store.Options{DSN: f.dsn, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := New(Config{}, st, f.bundle, nil)
	if got, _ := n.Deliver(ctx); got.Sent != 0 {
		t.Errorf("sent %+v while the dead server's lease holds", got)
	}
	f.clock.add(5 * time.Minute)
	if got, _ := n.Deliver(ctx); got.Sent != 1 {
		t.Errorf("after the lease: %+v, want sent", got)
	}
	st.Close()
	again, err := store.Open(store.Options{DSN: f.dsn, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	f.clock.add(48 * time.Hour)
	if got, _ := New(Config{}, again, f.bundle, nil).Deliver(ctx); got.Sent+got.Failed != 0 || rcv.count() != 1 {
		t.Errorf("restarted server delivered %+v; receiver got %d, want 1", got, rcv.count())
	}
}
