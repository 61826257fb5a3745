// Package accessibility holds the product's accessibility and small-screen
// checks: axe-core (vendored in testdata, for the tests only) run in a real
// headless Chromium over the main pages of every role, at desktop (1280 px)
// and phone (390 px) width, in both languages, against the real server on a
// real SQLite file seeded with the demo data. A page fails on any serious or
// critical axe violation, and on a phone when it scrolls sideways.
//
// The package has no code of its own. Chromium is looked up at
// /usr/bin/chromium, then on PATH; without it the tests skip, unless
// SAFECAMPUS_REQUIRE_BROWSER=1 (set by CI), which makes that a failure.
// SAFECAMPUS_REPORT_DIR names a directory for the printed A4 report
// (dashboard-report.pdf) that TestDashboardPrintsAsA4Report makes.
package accessibility
