package accessibility

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"safecampus/internal/model"
)

// The leader's dashboard printed from Chromium is an A4 report: the paper
// size comes from the print stylesheet (@page size: A4), the report head
// (scope, day, printer) shows only in print, and the controls do not.
func TestDashboardPrintsAsA4Report(t *testing.T) {
	root := newBrowser(t)
	s := newSite(t)
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelStep := context.WithTimeout(ctx, stepTimeout)
	defer cancelStep()
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "sc_lang", Value: "zh-CN", URL: s.url}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "sc_session", Value: s.session(t, model.Leader), URL: s.url})
			return err
		}),
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	// In print: the report head shows; the history form, filters and the
	// school list do not.
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]bool](`({
		head: getComputedStyle(document.querySelector('[data-testid="report-head"]')).display !== "none",
		tiles: getComputedStyle(document.querySelector('[data-testid="tiles"]')).display !== "none",
		trend: getComputedStyle(document.querySelector('[data-testid="trend"]')).display !== "none",
		form: getComputedStyle(document.querySelector('[data-testid="as-of-form"]')).display !== "none"
			&& getComputedStyle(document.querySelector('.head-tools')).display !== "none",
		schools: getComputedStyle(document.querySelector('#schools')).display !== "none",
		header: getComputedStyle(document.querySelector('.site-header')).display !== "none",
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"head": true, "tiles": true, "trend": true, "form": false, "schools": false, "header": false}
	for k, v := range want {
		if shown[k] != v {
			t.Errorf("printed, %s shown = %v, want %v", k, shown[k], v)
		}
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="report-head"]`)))
	if err != nil {
		t.Fatal(err)
	}
	scope, err := s.store.Division(context.Background(), s.logins[model.Leader].ScopeCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"平安校园 · 覆盖率报告", scope.Name, "截至 " + today.String(), "leader 打印于 " + today.String()} {
		if !regexp.MustCompile(regexp.QuoteMeta(w)).MatchString(text) {
			t.Errorf("report head %q lacks %q", text, w)
		}
	}

	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if dir := os.Getenv("SAFECAMPUS_REPORT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "dashboard-report.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Every page is A4 (595 × 842 points), and the report is short.
	boxes := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`).FindAllSubmatch(pdf, -1)
	if len(boxes) == 0 || len(boxes) > 4 {
		t.Fatalf("%d pages, want 1 to 4", len(boxes))
	}
	for i, b := range boxes {
		w, _ := strconv.ParseFloat(string(b[1]), 64)
		h, _ := strconv.ParseFloat(string(b[2]), 64)
		if w < 593 || w > 598 || h < 840 || h > 845 {
			t.Errorf("page %d is %.1f × %.1f points, want A4 (595 × 842)", i+1, w, h)
		}
	}
}
