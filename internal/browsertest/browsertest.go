// Package browsertest starts the headless Chromium that the browser tests
// (journeys, accessibility) drive through chromedp.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium is the path of Debian's Chromium. Without one the test is
// skipped, or fails when SAFECAMPUS_REQUIRE_BROWSER=1 (as in CI).
func Chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("SAFECAMPUS_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not found at /usr/bin/chromium or on PATH, and SAFECAMPUS_REQUIRE_BROWSER=1: install it (apt-get install chromium)")
	}
	t.Skip("chromium not found at /usr/bin/chromium or on PATH; set SAFECAMPUS_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// Start starts a headless Chromium with a fresh profile and the extra
// options, closed when the test ends, and returns its root context: tabs
// are chromedp.NewContext of it.
func Start(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc()
	})
	// The first run starts the browser; it must have no timeout of its own.
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return root
}
