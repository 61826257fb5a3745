package journeys

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"safecampus/internal/browsertest"
)

// stepTimeout bounds every browser step, so a stuck page fails the test
// instead of hanging CI.
const stepTimeout = 20 * time.Second

// viewport is a window size; mobile turns on mobile and touch emulation.
type viewport struct {
	width, height int64
	mobile        bool
}

var (
	desktop = viewport{1280, 900, false}
	phone   = viewport{390, 844, true} // iPhone 12–15 in CSS pixels
)

// browser is one headless Chromium with a fresh profile, closed when the
// test ends.
type browser struct {
	t    *testing.T
	root context.Context
	base string
	dir  string // where screenshots go
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	root := browsertest.Start(t,
		chromedp.Flag("disable-sync", true),
		// Ask for the product's first language: the pages choose it from
		// Accept-Language for users without a setting. (The browser's own
		// UI locale, e.g. of date inputs, stays en-US without chromium-l10n.)
		chromedp.Flag("accept-lang", "zh-CN,zh"))
	return &browser{t: t, root: root, base: base, dir: screenshotDir(t)}
}

// screenshotDir is $SAFECAMPUS_SCREENSHOTS, or a temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SAFECAMPUS_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	return dir
}

// tab is a browser tab in its own browser context (own cookies), so two
// tabs can be two different users at once.
type tab struct {
	t    *testing.T
	b    *browser
	name string
	ctx  context.Context
	vp   viewport

	mu      sync.Mutex
	dialogs []string                  // messages of the confirm dialogs accepted
	console []chromedp.ConsoleMessage // everything the pages logged
}

func (b *browser) newTab(name string, vp viewport) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	tb := &tab{t: b.t, b: b, name: name, ctx: ctx, vp: vp}
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		b.t.Fatalf("open tab %s: %v", name, err)
	}
	tb.watch()
	b.t.Cleanup(tb.checkConsole)
	tb.do("emulate viewport", emulate(vp))
	return tb
}

// watch accepts every confirm dialog (data-confirm) and records it, and
// collects the console.
func (tb *tab) watch() {
	dialogs := chromedp.Events(tb.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, ev.Message)
			tb.mu.Unlock()
			_, _ = chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	console := chromedp.Console(tb.ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.console = append(tb.console, m)
			tb.mu.Unlock()
		}
	}()
}

// checkConsole fails the test on a script error, a CSP violation, a
// console.error or a static file that did not load. Documents answered
// with 4xx are expected on error paths and logged by Chromium as errors
// too, so those are let through.
func (tb *tab) checkConsole() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	seen := map[string]bool{}
	for _, m := range tb.console {
		bad := m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") ||
			(m.Source == "network" && m.Type == chromedp.ConsoleError && strings.Contains(m.URL, "/static/"))
		if !bad || seen[m.String()] {
			continue
		}
		seen[m.String()] = true
		tb.t.Errorf("%s: the page logged %s (%s:%d)", tb.name, m, m.URL, m.Line+1)
	}
}

// dialogCount is how many confirm dialogs were accepted so far.
func (tb *tab) dialogCount() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return len(tb.dialogs)
}

// lastDialog is the message of the last dialog accepted.
func (tb *tab) lastDialog() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.dialogs) == 0 {
		return ""
	}
	return tb.dialogs[len(tb.dialogs)-1]
}

func emulate(vp viewport) chromedp.Action[chromedp.Void] {
	if vp.mobile {
		return chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(vp.width, vp.height)
}

// run runs one action with the step timeout, failing the test on error.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	return v
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	run(tb, what, chromedp.Steps(steps...))
}

// fatalf stops the test, saving a screenshot of the page as it was.
func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		name := filepath.Join(tb.b.dir, "failed-"+tb.t.Name()+"-"+tb.name+".png")
		name = strings.ReplaceAll(name, " ", "_")
		if err := os.WriteFile(filepath.Clean(name), png, 0o644); err == nil {
			msg += "\n(screenshot of the page: " + name + ")"
		}
	}
	tb.t.Fatalf("%s at %s: %s", tb.name, loc, msg)
}

// css selects by CSS; tid by data-testid.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func tid(id string) string { return fmt.Sprintf("[data-testid=%q]", id) }

// open loads a page and returns its HTTP status.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	resp := run(tb, "open "+path, chromedp.NavigateResponse(tb.b.base+path))
	if resp == nil {
		tb.fatalf("open %s: no response", path)
	}
	return resp.Status
}

// reload reloads the page, as pulling down on a phone does.
func (tb *tab) reload() {
	tb.t.Helper()
	tb.do("reload", chromedp.Reload())
}

// press clicks (on a phone: taps) what sel selects and waits for the page
// it leads to; it returns that page's HTTP status.
func (tb *tab) press(sel string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, tb.touch(sel))
	if err != nil {
		tb.fatalf("press %s: %v", sel, err)
	}
	if resp == nil {
		tb.fatalf("press %s: no response", sel)
	}
	return resp.Status
}

// tap clicks (on a phone: taps) without waiting for a page.
func (tb *tab) tap(sel string) {
	tb.t.Helper()
	tb.do("tap "+sel, tb.touch(sel))
}

func (tb *tab) touch(sel string) chromedp.Action[chromedp.Void] {
	if tb.vp.mobile {
		return chromedp.Tap(css(sel))
	}
	return chromedp.Click(css(sel))
}

// typeIn replaces a text field's value by typing text, then leaves the
// field with Tab, which fires its change event as a person's typing does.
func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	// Empty it first without events, as selecting all and typing over does.
	if tb.eval(fmt.Sprintf(`(el => !!el && (el.value = "", true))(document.querySelector(%s))`, js(sel))) != true {
		tb.fatalf("type in %s: no such field", sel)
	}
	tb.do("type in "+sel, chromedp.SendKeys(css(sel), text+"\t"))
}

// pick sets a select or date input as the browser's own picker does: the
// value changes, then input and change fire. The option must exist.
func (tb *tab) pick(sel, value string) {
	tb.t.Helper()
	ok := tb.eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) return false;
		if (el.tagName === "SELECT" && ![...el.options].some(o => o.value === %s)) return false;
		el.focus();
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.value === %s;
	})()`, js(sel), js(value), js(value), js(value)))
	if ok != true {
		tb.fatalf("pick %q in %s: no such field or option", value, sel)
	}
}

// text is the text of what sel selects, spaces collapsed.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.Join(strings.Fields(run(tb, "text of "+sel, chromedp.TextContent(css(sel)))), " ")
}

// value is a form field's current value.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return run(tb, "value of "+sel, chromedp.Value(css(sel)))
}

// has reports whether sel selects anything now, without waiting.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return tb.eval(fmt.Sprintf(`document.querySelector(%s) !== null`, js(sel))) == true
}

// count is how many elements sel selects now.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	n, _ := tb.eval(fmt.Sprintf(`document.querySelectorAll(%s).length`, js(sel))).(float64)
	return int(n)
}

// hasClass reports whether the first element sel selects has the class.
func (tb *tab) hasClass(sel, class string) bool {
	tb.t.Helper()
	v := tb.eval(fmt.Sprintf(`(el => el && el.classList.contains(%s))(document.querySelector(%s))`, js(class), js(sel)))
	if v == nil {
		tb.fatalf("no element %s", sel)
	}
	return v == true
}

// eval evaluates a JavaScript expression in the page. DevTools evaluation
// is not bound by the page's Content-Security-Policy.
func (tb *tab) eval(expr string) any {
	tb.t.Helper()
	var v any
	raw := run(tb, "evaluate", chromedp.Evaluate[[]byte](expr))
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			tb.fatalf("evaluate %s: %v", expr, err)
		}
	}
	return v
}

// waitFor waits until the expression is true, e.g. for htmx to swap.
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		if tb.eval(expr) == true {
			return
		}
		if time.Now().After(deadline) {
			tb.fatalf("waited %s for %s", stepTimeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// path is the current URL's path.
func (tb *tab) path() string {
	tb.t.Helper()
	loc := run(tb, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		tb.fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// mark tags the current document, to tell later whether the page was
// reloaded (the mark is gone) or only changed in place (htmx).
func (tb *tab) mark() {
	tb.t.Helper()
	tb.eval(`window.__journeyMark = true`)
}

func (tb *tab) marked() bool {
	tb.t.Helper()
	return tb.eval(`window.__journeyMark === true`) == true
}

// login signs in through the login form.
func (tb *tab) login(username string) {
	tb.t.Helper()
	if status := tb.open("/login"); status != 200 {
		tb.fatalf("GET /login: status %d", status)
	}
	// The browser asks for Chinese, the product's first language; the
	// journeys read a few Chinese texts.
	if lang := tb.eval(`document.documentElement.lang`); lang != "zh-CN" {
		tb.fatalf("the login page is in %v, want zh-CN from Accept-Language", lang)
	}
	tb.do("fill in the login form",
		chromedp.SendKeys(css("#f-username"), username),
		chromedp.SendKeys(css("#f-password"), password),
	)
	if status := tb.press(tid("login-submit")); status != 200 {
		tb.fatalf("sign in as %s: status %d", username, status)
	}
	if got := tb.text(tid("current-user")); !strings.HasPrefix(got, username) {
		tb.fatalf("signed in as %s, the header shows %q", username, got)
	}
}

// shoot saves full-page PNG screenshots of the current page at 1280 and
// 390 pixels wide as <dir>/<name>-<width>.png, then restores the tab's
// own viewport.
func (tb *tab) shoot(name string) {
	tb.t.Helper()
	for _, vp := range []viewport{desktop, phone} {
		tb.do("resize for screenshot", emulate(vp))
		// Wide tables scroll inside their box; the page itself never
		// scrolls sideways (on a phone it would zoom out to fit).
		if w, _ := tb.eval(`document.documentElement.scrollWidth`).(float64); int64(w) > vp.width {
			tb.t.Errorf("%s at %d px wide: the page is %d px wide, it scrolls sideways", name, vp.width, int64(w))
		}
		png := run(tb, "screenshot "+name, chromedp.FullScreenshot(100))
		file := filepath.Join(tb.b.dir, fmt.Sprintf("%s-%d.png", name, vp.width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			tb.t.Fatalf("save screenshot: %v", err)
		}
	}
	tb.do("restore viewport", emulate(tb.vp))
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
