// Package journeys holds the browser journey tests: a real Chromium, driven
// through chromedp, against the real server on a real SQLite file. The
// package has no code of its own; its tests are the product's users going
// through their daily work — a school administrator filling in the checklist
// on a phone, an inspector reviewing, a leader watching the dashboard.
//
// Chromium is looked up at /usr/bin/chromium (then "chromium" on PATH).
// Without it the tests skip, unless SAFECAMPUS_REQUIRE_BROWSER=1 (set by
// CI), which makes them fail. SAFECAMPUS_SCREENSHOTS names a directory for
// the PNG screenshots of the main pages at 1280 and 390 pixels wide.
package journeys
