package accessibility

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/browsertest"
	"safecampus/internal/demo"
	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

//go:embed testdata/axe.min.js
var axeSource string

// stepTimeout bounds every browser step so a stuck page fails, not hangs.
const stepTimeout = 30 * time.Second

// today is the demo's "today"; the store's clock stays there.
var today = model.NewDate(2026, 3, 16)

// beijing is the deployment's zone (UTC+8, no DST).
var beijing = time.FixedZone("CST", 8*3600)

// site is the real server on a real SQLite file with the demo data of
// 呼和浩特市 (nine counties, some hundred schools, five months of history).
type site struct {
	url    string
	store  *store.Store
	logins map[model.Role]model.User
	school string // the school user's school
}

var (
	siteOnce sync.Once
	theSite  *site
	siteErr  error
	siteDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// newSite seeds once per test process; the tests only read.
func newSite(t *testing.T) *site {
	t.Helper()
	siteOnce.Do(func() { theSite, siteErr = buildSite() })
	if siteErr != nil {
		t.Fatalf("demo site: %v", siteErr)
	}
	return theSite
}

func buildSite() (*site, error) {
	ctx := context.Background()
	var err error
	if siteDir, err = os.MkdirTemp("", "safecampus-a11y-"); err != nil {
		return nil, err
	}
	now := today.Time(beijing).Add(10 * time.Hour)
	st, err := store.Open(store.Options{DSN: filepath.Join(siteDir, "a11y.db"), Now: func() time.Time { return now }, Location: beijing, NoSync: true, ExemptPassword: demo.Password})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	divisions := roster.InnerMongolia()
	if err := st.ImportDivisions(ctx, divisions); err != nil {
		return nil, err
	}
	counties, err := st.Counties(ctx, "150100")
	if err != nil {
		return nil, err
	}
	logins, err := demo.Seed(ctx, st, counties, 7)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	s := &site{store: st, logins: map[model.Role]model.User{}}
	for _, l := range logins {
		u, err := st.UserByName(ctx, l.Username)
		if err != nil {
			return nil, err
		}
		s.logins[l.Role] = u
		if l.Role == model.SchoolRep {
			s.school = l.Scope
		}
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(server.Config{}, st, bundle, log, prometheus.NewRegistry()).Handler())
	s.url = srv.URL
	return s, nil
}

// session signs the role's user in, as a login would.
func (s *site) session(t *testing.T, role model.Role) string {
	t.Helper()
	u, ok := s.logins[role]
	if !ok {
		t.Fatalf("no demo user with role %s", role)
	}
	tok, err := s.store.CreateSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// checkedPage is a page to check and who looks at it.
type checkedPage struct {
	name string
	role model.Role // "" = signed out
	path string
}

// pages are the product's pages by role: the dashboard, a division, the gap
// list, history, a school, the checklist form, the review queue and a
// checklist under review, and the administration pages.
func (s *site) pages(t *testing.T) []checkedPage {
	t.Helper()
	return []checkedPage{
		{"login", "", "/login"},
		{"dashboard", model.Leader, "/?sort=security_guards&dir=asc"},
		{"division", model.Leader, "/divisions/150102"},
		{"division-past", model.Leader, "/divisions/150100?as_of=" + today.AddDays(-45).String()},
		{"gaps", model.Leader, "/divisions/150100/gaps"},
		{"gaps-group", model.Leader, "/divisions/150100/gaps?kind=rule_failed&measure=security_guards"},
		{"school", model.SchoolRep, "/schools/" + s.school},
		{"checklist-form", model.SchoolRep, "/schools/" + s.school + "/checklists/new"},
		{"review", model.Inspector, "/review"},
		{"checklist-review", model.Inspector, s.reviewable(t)},
		{"hazards", model.Inspector, "/hazards"},
		{"hazard", model.Admin, s.firstLink(t, model.Admin, "/hazards?state=all", `/hazards/\d+`)},
		{"hazard-form", model.Admin, "/schools/" + s.school + "/hazards/new"},
		{"inspection-form", model.Admin, "/schools/" + s.school + "/inspections/new"},
		{"due", model.Admin, "/divisions/150100/due"},
		{"audit", model.Admin, "/audit"},
		{"admin-rules", model.Admin, "/admin/rules"},
		{"admin-schools", model.Admin, "/admin/schools"},
		{"admin-users", model.Admin, "/admin/users"},
		{"admin-user-form", model.Admin, "/admin/users/new"},
		{"admin-import", model.Admin, "/admin/import"},
		{"notifications", model.Inspector, "/notifications"},
		{"account-email", model.SchoolRep, "/account/email"},
		{"admin-webhooks", model.Admin, "/admin/webhooks"},
		{"campaigns", model.Leader, "/campaigns"},
		{"campaign", model.Leader, s.firstLink(t, model.Leader, "/campaigns", `/campaigns/\d+`)},
		{"period-report", model.Leader, "/divisions/150100/report?from=" + today.AddDays(-60).String() + "&to=" + today.AddDays(-1).String()},
		{"registers", model.SchoolRep, "/schools/" + s.school + "/registers"},
		{"guard-leave", model.SchoolRep, s.firstLink(t, model.SchoolRep, "/schools/"+s.school+"/registers", `/guards/\d+/leave`)},
		{"guard-conflicts", model.Leader, "/divisions/150100/guard-conflicts"},
		{"escort-posts", model.Inspector, "/divisions/150100/escort-posts"},
		{"escort-presence", model.Leader, "/divisions/150100/escort-presence"},
		{"check-in", model.SchoolRep, s.firstLink(t, model.SchoolRep, "/schools/"+s.school+"/registers", `/escort-posts/\d+/check-in`)},
		{"admin-calendar", model.Admin, "/admin/calendar"},
	}
}

// firstLink is the first link on page whose path matches pattern.
func (s *site) firstLink(t *testing.T, role model.Role, page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(` + pattern + `)"`).FindStringSubmatch(s.fetch(t, role, page))
	if m == nil {
		t.Fatalf("no link matching %s on %s", pattern, page)
	}
	return m[1]
}

// reviewable is the page of a checklist waiting for review.
func (s *site) reviewable(t *testing.T) string {
	t.Helper()
	body := s.fetch(t, model.Inspector, "/review")
	m := regexp.MustCompile(`href="(/checklists/\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the review queue of the demo data is empty")
	}
	return m[1]
}

// fetch reads a page without a browser; anything but 200 fails the test.
func (s *site) fetch(t *testing.T, role model.Role, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	if role != "" {
		req.AddCookie(&http.Cookie{Name: "sc_session", Value: s.session(t, role)})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s as %s: status %d", path, role, res.StatusCode)
	}
	return string(b)
}

// newBrowser starts a headless Chromium, closed when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, chromedp.Flag("lang", "zh-CN"))
}

// violation is one axe result, as the script below returns it.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
		HTML   string   `json:"html"`
		Why    string   `json:"failureSummary"`
	} `json:"nodes"`
}

// runAxe runs every axe rule on the page and returns the violations.
const runAxe = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact, help: v.help,
	nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.map(String), html: n.html, failureSummary: n.failureSummary}))
})))`

// overflowing lists the elements that stick out to the right of the
// window, unless a scrolling container (a wide table's) holds them.
const overflowing = `(() => {
	const w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w + 1) return [];
	const out = [];
	for (const el of document.body.querySelectorAll("*")) {
		const r = el.getBoundingClientRect();
		if (r.right <= w + 1 || r.width === 0) continue;
		let p = el.parentElement, clipped = false;
		while (p && p !== document.body) {
			const o = getComputedStyle(p).overflowX;
			if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; }
			p = p.parentElement;
		}
		if (!clipped) out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
		if (out.length >= 8) break;
	}
	return out;
})()`

// TestPagesHaveNoSeriousAccessibilityViolations runs axe-core on every
// main page at 1280 and 390 px in Chinese, and at 390 px in English. It
// fails on serious and critical violations, and on a page that scrolls
// sideways on a phone.
func TestPagesHaveNoSeriousAccessibilityViolations(t *testing.T) {
	root := newBrowser(t)
	s := newSite(t)
	runs := []struct {
		lang  string
		width int64
	}{{"zh-CN", 1280}, {"zh-CN", 390}, {"en", 390}} // English is longer: the phone is where it breaks
	for _, p := range s.pages(t) {
		s.fetch(t, p.role, p.path) // every page must be there (200) before the browser looks at it
		for _, run := range runs {
			t.Run(fmt.Sprintf("%s/%s/%d", p.name, run.lang, run.width), func(t *testing.T) {
				t.Parallel() // one tab each, in its own browser context (cookies)
				ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
				defer cancel()
				ctx, cancelStep := context.WithTimeout(ctx, stepTimeout)
				defer cancelStep()
				err := chromedp.Do(ctx,
					chromedp.EmulateViewport(run.width, 900),
					chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
						// axe is injected through DevTools; the page's CSP
						// rightly forbids it otherwise.
						if _, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
							return err
						}
						if _, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "sc_lang", Value: run.lang, URL: s.url}); err != nil {
							return err
						}
						if p.role == "" {
							return nil
						}
						_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "sc_session", Value: s.session(t, p.role), URL: s.url, HTTPOnly: new(true)})
						return err
					}),
					chromedp.Navigate(s.url+p.path),
					chromedp.WaitReady(chromedp.CSS("footer")),
				)
				if err != nil {
					t.Fatalf("open %s: %v", p.path, err)
				}
				lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
				if err != nil || lang != run.lang {
					t.Fatalf("page language %q (%v), want %s", lang, err, run.lang)
				}
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
					t.Fatalf("inject axe: %v", err)
				}
				found, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](runAxe, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("run axe: %v", err)
				}
				for _, v := range found {
					if v.Impact != "serious" && v.Impact != "critical" {
						t.Logf("%s (%s): %s", v.ID, v.Impact, v.Help)
						continue
					}
					var where []string
					for _, n := range v.Nodes {
						where = append(where, fmt.Sprintf("  %s: %.160s\n    %s", strings.Join(n.Target, " "), n.HTML, strings.ReplaceAll(n.Why, "\n", "\n    ")))
					}
					t.Errorf("%s %s: %s (%s)\n%s", p.path, v.ID, v.Help, v.Impact, strings.Join(where, "\n"))
				}
				if run.width < 640 {
					wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowing))
					if err != nil {
						t.Fatal(err)
					}
					if len(wide) > 0 {
						t.Errorf("%s scrolls sideways at %d px; wider than the window: %s", p.path, run.width, strings.Join(wide, ", "))
					}
				}
			})
		}
	}
}
