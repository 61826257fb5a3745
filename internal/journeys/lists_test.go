package journeys

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// An inspector on a 390 px phone filters the hazards and the review queue
// by a division's NAME (新城区), with JavaScript (typing in the picker's
// search box) and without (choosing from the select grouped by level).
// Every destination of the navigation is on screen, the lists are cards,
// nothing scrolls sideways, and the filters come back for the session
// until cleared.
func TestInspectorFiltersByDivisionNameOnPhone(t *testing.T) {
	a := newApp(t, userInspector)
	ctx := context.Background()
	hazXC, err := a.store.CreateHazard(ctx, seeder, a.schools[schoolXC1].ID, store.HazardInput{
		Measure: model.VideoNetworking, Description: "校门摄像头损坏", Severity: model.High, Deadline: today.AddDays(5)})
	if err != nil {
		t.Fatal(err)
	}
	hazHM, err := a.store.CreateHazard(ctx, seeder, a.schools[schoolHM1].ID, store.HazardInput{
		Measure: model.SecurityGuards, Description: "保安员证书过期", Severity: model.Medium, Deadline: today.AddDays(2)})
	if err != nil {
		t.Fatal(err)
	}
	clXC := a.checklist(t, schoolXC2, goodFacts(), true)
	clHM := a.checklist(t, schoolHM1, goodFacts(), true)
	b := newBrowser(t, a.url)

	// With JavaScript.
	tb := b.newTab("inspector-phone", phone)
	tb.login(userInspector)
	tb.checkPhoneNav()
	if status := tb.press(tid("nav-hazards")); status != 200 {
		tb.fatalf("hazards: status %d", status)
	}
	tb.wantRows("all hazards", map[string]bool{fmt.Sprintf("hazard-%d", hazXC.ID): true, fmt.Sprintf("hazard-%d", hazHM.ID): true})
	search := tid("division-search-division")
	if !tb.has(search) {
		tb.fatalf("the division picker has no search box with JavaScript on")
	}
	tb.typeIn(search, "新城")
	if got := tb.value(tid("division-select-division")); got != countyXC {
		tb.fatalf("typing 新城 chose %q, want %s (新城区)", got, countyXC)
	}
	if status := tb.press(tid("hazard-filter") + " button[type=submit]"); status != 200 {
		tb.fatalf("filter by 新城区: status %d", status)
	}
	tb.wantQuery("division", countyXC)
	tb.wantRows("hazards of 新城区", map[string]bool{fmt.Sprintf("hazard-%d", hazXC.ID): true, fmt.Sprintf("hazard-%d", hazHM.ID): false})
	tb.wantCards(tid(fmt.Sprintf("hazard-%d", hazXC.ID)))
	if got := tb.text(tid("list-count")); got != "共 1 条" {
		tb.fatalf("the list says %q, want 共 1 条", got)
	}
	tb.noSidewaysScroll("hazards of 新城区")
	tb.phoneShot("hazards-phone")

	// The filter is remembered for the session, and clearing forgets it.
	if status := tb.open("/hazards"); status != 200 {
		tb.fatalf("hazards again: status %d", status)
	}
	if got := tb.value(tid("division-select-division")); got != countyXC || !tb.has(tid("list-remembered")) {
		tb.fatalf("back on /hazards the division is %q (remembered note: %v), want %s remembered", got, tb.has(tid("list-remembered")), countyXC)
	}
	tb.wantRows("remembered hazards", map[string]bool{fmt.Sprintf("hazard-%d", hazHM.ID): false})
	if status := tb.press(tid("list-forget")); status != 200 {
		tb.fatalf("clear filters: status %d", status)
	}
	tb.wantRows("after clear", map[string]bool{fmt.Sprintf("hazard-%d", hazXC.ID): true, fmt.Sprintf("hazard-%d", hazHM.ID): true})

	// Without JavaScript: the select alone, chosen by the name shown.
	nj := b.newTab("inspector-phone-nojs", phone)
	if _, err := chromedp.Call(nj.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	nj.login(userInspector)
	nj.checkPhoneNav()
	if status := nj.press(tid("nav-review")); status != 200 {
		nj.fatalf("review: status %d", status)
	}
	if nj.has(tid("division-search-division")) {
		nj.fatalf("a search box appeared with JavaScript off")
	}
	nj.pickByName(tid("division-select-division"), "新城区")
	if status := nj.press(tid("review-filter") + " button[type=submit]"); status != 200 {
		nj.fatalf("filter the review queue by 新城区: status %d", status)
	}
	nj.wantQuery("division", countyXC)
	nj.wantRows("review queue of 新城区", map[string]bool{fmt.Sprintf("review-row-%d", clXC.ID): true, fmt.Sprintf("review-row-%d", clHM.ID): false})
	nj.wantCards(tid(fmt.Sprintf("review-row-%d", clXC.ID)))
	nj.noSidewaysScroll("review queue of 新城区")

	// The due list moves to the division picked.
	if status := nj.press(tid("nav-due")); status != 200 {
		nj.fatalf("due list: status %d", status)
	}
	nj.pickByName(tid("division-select-division"), "新城区")
	if status := nj.press(tid("due-filter") + " button[type=submit]"); status != 200 {
		nj.fatalf("due list of 新城区: status %d", status)
	}
	if p := nj.path(); p != "/divisions/"+countyXC+"/due" {
		nj.fatalf("the due list picker went to %s", p)
	}
	nj.wantRows("due list of 新城区", map[string]bool{"due-row-" + schoolXC1: true, "due-row-" + schoolHM1: false})
	nj.wantCards(tid("due-row-" + schoolXC1))
	nj.noSidewaysScroll("due list of 新城区")
	nj.phoneShot("due-phone-nojs")
}

// checkPhoneNav checks that every link of the main navigation and the
// account links are inside the window, without scrolling sideways.
func (tb *tab) checkPhoneNav() {
	tb.t.Helper()
	out := tb.eval(`(() => {
		const w = window.innerWidth, bad = [];
		for (const el of document.querySelectorAll(".main-nav a, [data-testid=logout], [data-testid=change-password], [data-testid=lang-switch]")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.left < 0 || r.right > w) bad.push((el.dataset.testid || el.textContent.trim()) + " " + Math.round(r.left) + "–" + Math.round(r.right));
		}
		return bad.join(", ");
	})()`)
	if out != "" {
		tb.fatalf("at %d px these are cut off or hidden: %v", tb.vp.width, out)
	}
	if n := tb.count(".main-nav a"); n < 5 {
		tb.fatalf("the inspector's navigation shows %d links, want 5", n)
	}
	tb.noSidewaysScroll("navigation")
}

// noSidewaysScroll fails when the page is wider than the window.
func (tb *tab) noSidewaysScroll(what string) {
	tb.t.Helper()
	if w, _ := tb.eval(`document.documentElement.scrollWidth`).(float64); int64(w) > tb.vp.width {
		tb.fatalf("%s: the page is %d px wide at %d px, it scrolls sideways", what, int64(w), tb.vp.width)
	}
}

// wantCards checks that the row sel selects is shown as a card (a flex
// box, not a table row) on the phone.
func (tb *tab) wantCards(sel string) {
	tb.t.Helper()
	if d := tb.eval(fmt.Sprintf(`getComputedStyle(document.querySelector(%s)).display`, js(sel))); d != "flex" {
		tb.fatalf("%s is displayed as %v at %d px, want a card (flex)", sel, d, tb.vp.width)
	}
}

// wantRows checks which rows (by data-testid) are on the page.
func (tb *tab) wantRows(what string, want map[string]bool) {
	tb.t.Helper()
	for id, present := range want {
		if got := tb.has(tid(id)); got != present {
			tb.fatalf("%s: row %s present %v, want %v", what, id, got, present)
		}
	}
}

// wantQuery checks one parameter of the current URL.
func (tb *tab) wantQuery(key, want string) {
	tb.t.Helper()
	loc := run(tb, "location", chromedp.Location())
	if !strings.Contains(loc, key+"="+want) {
		tb.fatalf("the URL is %s, want %s=%s", loc, key, want)
	}
}

// pickByName chooses the option of a select whose label starts with
// name, as a person reading the list does.
func (tb *tab) pickByName(sel, name string) {
	tb.t.Helper()
	v, _ := tb.eval(fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		const o = s && [...s.options].find(o => o.text.trim().startsWith(%s));
		if (!o) return "";
		s.value = o.value;
		return o.value;
	})()`, js(sel), js(name))).(string)
	if v == "" {
		tb.fatalf("no option named %s in %s", name, sel)
	}
}

// phoneShot saves what the phone's window shows as <dir>/<name>.png.
func (tb *tab) phoneShot(name string) {
	tb.t.Helper()
	png := run(tb, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(tb.b.dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatalf("save screenshot: %v", err)
	}
}
