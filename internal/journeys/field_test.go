package journeys

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"safecampus/internal/model"
)

// unreachable drops connections while the app is down: no answer at all,
// as a phone out of range sees it, for the page and its service worker.
func (a *app) unreachable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.down.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		next.ServeHTTP(w, r)
	})
}

// offline cuts the tab off the network, as DevTools' "Offline" does, for
// the page and its service worker, and makes the server unreachable; online
// undoes both.
func (tb *tab) offline(a *app) {
	tb.t.Helper()
	a.down.Store(true)
	tb.network(true)
}

func (tb *tab) online(a *app) {
	tb.t.Helper()
	a.down.Store(false)
	tb.network(false)
}

func (tb *tab) network(offline bool) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	var conds []*network.Conditions
	if offline {
		conds = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	sw := offline
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &sw, MatchedNetworkConditions: conds}); err != nil {
		tb.fatalf("emulate network conditions: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		tb.fatalf("override the network state: %v", err)
	}
}

// await evaluates an expression whose value is a promise, and waits for it.
func (tb *tab) await(expr string) any {
	tb.t.Helper()
	var v any
	raw := run(tb, "evaluate", chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			tb.fatalf("evaluate %s: %v", expr, err)
		}
	}
	return v
}

// fillChecklist answers every fact so that all five measures are met.
func (tb *tab) fillChecklist(notes string) {
	tb.t.Helper()
	values := map[string]string{
		"nursing_post.set_up": "yes", "nursing_post.am_staff": "2", "nursing_post.pm_staff": "2",
		"nursing_post.police_present": "yes", "nursing_post.roster_on_file": "yes",
		"closed_management.perimeter_enclosed": "yes", "closed_management.gate_room_24h": "yes",
		"closed_management.visitor_registration": "yes", "closed_management.anti_ramming": "bollards",
		"security_guards.full_time_guards": "2", "security_guards.licensed_guards": "2",
		"one_button_alarm.installed": "yes", "one_button_alarm.linked_to_police": "yes",
		"one_button_alarm.last_test_on": today.AddDays(-10).String(), "one_button_alarm.last_test_ok": "yes",
		"video_networking.cameras": "12", "video_networking.gate_covered": "yes",
		"video_networking.networked_to_police": "yes", "video_networking.retention_days": "30",
		"notes": notes,
	}
	var b strings.Builder
	for k, v := range values {
		fmt.Fprintf(&b, "[%s,%s],", js(k), js(v))
	}
	ok := tb.eval(`(() => {
		const form = document.querySelector("form[data-offline]");
		if (!form) return "no offline form";
		for (const [k, v] of [` + b.String() + `]) {
			const el = form.elements[k];
			if (!el) return "no field " + k;
			el.value = v;
			if (el.value !== v) return "cannot set " + k;
		}
		return true;
	})()`)
	if ok != true {
		tb.fatalf("fill in the checklist: %v", ok)
	}
}

func (a *app) checklistCount(t *testing.T) int {
	t.Helper()
	cs, err := a.store.SchoolChecklists(context.Background(), a.schools[schoolXC1].ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

const unsentBadge = `[data-testid="unsent-badge"]`

// badge is the "N not sent" text, or "" when the badge is hidden.
func (tb *tab) badge() string {
	tb.t.Helper()
	v, _ := tb.eval(`(b => b && !b.hidden ? b.textContent : "")(document.querySelector(` + js(unsentBadge) + `))`).(string)
	return v
}

// waitKept waits until n checklists are kept on the device.
func (tb *tab) waitKept(n int) {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		got, _ := tb.await(`SafeCampusOffline.items().then(items => items.length)`).(float64)
		if int(got) == n {
			return
		}
		if time.Now().After(deadline) {
			tb.fatalf("%v checklists kept on the device, want %d", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A school administrator opens the checklist form at the gate, loses the
// signal, submits, reloads the page (still no signal), and once back in
// range finds the checklist on the server, once. Then the same with a
// retry storm, and signing out with a checklist not yet sent.
func TestChecklistFilledOfflineIsSentOnceWhenBackOnline(t *testing.T) {
	a := newApp(t, userSchool)
	b := newBrowser(t, a.url)
	tb := b.newTab("field", phone)
	tb.login(userSchool)

	// The first visit installs the service worker; once it controls the
	// page, the school page and the form are kept for offline use.
	school := "/schools/" + schoolXC1
	form := school + "/checklists/new"
	tb.open(school)
	// Installing fetches the shell; on a busy machine that takes a while.
	// A page loaded once the worker is active is controlled by it.
	tb.await(`navigator.serviceWorker.ready.then(() => true)`)
	tb.open(school)
	tb.waitFor("the service worker to take control", `navigator.serviceWorker.controller !== null`)
	tb.open(school)
	tb.open(form)
	if got := tb.await(`(async () => { const c = await caches.open("sc-pages"); return !!(await c.match(` + js(form) + `)); })()`); got != true {
		tb.fatalf("the checklist form is not kept for offline use")
	}

	// No signal: fill in and submit.
	tb.offline(a)
	if tb.eval(`navigator.onLine`) != false {
		tb.fatalf("navigator.onLine is still true offline")
	}
	tb.fillChecklist("填写于校门口，无信号")
	tb.tap(tid("submit-checklist"))
	tb.waitFor("the checklist to be kept on the device", `(b => b && !b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	if got := tb.badge(); got != "1 份未发送" {
		tb.fatalf("badge %q, want 1 份未发送", got)
	}
	if !strings.Contains(tb.text(tid("offline-notice")), "保存在本设备上") {
		tb.fatalf("no notice that the checklist is kept on the device: %q", tb.text(tid("offline-notice")))
	}

	// A reload without a network: the page comes from the device, and
	// the checklist is still kept, with its badge.
	tb.reload()
	tb.waitFor("the badge after the reload", `(b => b && !b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	if got := tb.badge(); got != "1 份未发送" {
		tb.fatalf("after a reload offline: badge %q", got)
	}
	if tb.count(`[data-testid="unsent-item"]`) != 1 {
		tb.fatalf("the list of unsent checklists does not show it")
	}
	// Another page kept on the device shows the badge too.
	tb.open(school)
	tb.waitFor("the badge on the school page", `(b => b && !b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	if n := a.checklistCount(t); n != 0 {
		tb.fatalf("%d checklists on the server while offline", n)
	}
	// It carries the time it was made on the device. (The server keeps it
	// when plausible against its own clock, pinned in this test to another
	// day: see TestChecklistFormIsIdempotent.)
	made := tb.await(`SafeCampusOffline.items().then(([it]) => it.madeAt === new URLSearchParams(it.body).get("made_at") && !isNaN(Date.parse(it.madeAt)))`)
	if made != true {
		tb.fatalf("the kept checklist does not carry the time it was made")
	}
	tb.shoot("field-offline-queued")

	// Back in range: it is sent by itself, once.
	tb.online(a)
	tb.waitFor("the kept checklist to be sent", `(b => b && b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	if n := a.checklistCount(t); n != 1 {
		tb.fatalf("%d checklists on the server, want exactly 1", n)
	}
	cs, _ := a.store.SchoolChecklists(context.Background(), a.schools[schoolXC1].ID, 1)
	if cs[0].State != model.Submitted || cs[0].Notes != "填写于校门口，无信号" {
		tb.fatalf("the checklist sent: state %s, notes %q", cs[0].State, cs[0].Notes)
	}

	// A weak network: the phone thinks it is online, but the server
	// cannot be reached. The form is kept all the same.
	tb.open(form)
	a.down.Store(true)
	tb.fillChecklist("第二份，弱网")
	tb.tap(tid("submit-checklist"))
	tb.waitFor("the second checklist to be kept", `(b => b && !b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	a.down.Store(false)
	// A retry storm: the kept request sent three times at once, beside
	// the script's own sending.
	storm := tb.await(`(async () => {
		const [item] = await SafeCampusOffline.items();
		const page = await (await fetch(item.tokenURL)).text();
		const token = new DOMParser().parseFromString(page, "text/html").querySelector("input[name=_csrf]").value;
		const send = () => { const body = new URLSearchParams(item.body); body.set("_csrf", token);
			return fetch(item.action, {method: "POST", body}).then(r => new URL(r.url).pathname); };
		const got = await Promise.all([send(), send(), send(), SafeCampusOffline.send()]);
		return got.slice(0, 3).join(" ");
	})()`)
	paths, _ := storm.(string)
	if f := strings.Fields(paths); len(f) != 3 || f[0] != f[1] || f[1] != f[2] || !strings.HasPrefix(f[0], "/checklists/") {
		tb.fatalf("the storm's answers: %q, want the same checklist three times", paths)
	}
	tb.waitFor("the storm's checklist to leave the device", `(b => b && b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	if n := a.checklistCount(t); n != 2 {
		tb.fatalf("after a retry storm: %d checklists, want 2", n)
	}

	// Signing out with a checklist not sent: the question, then keep it.
	tb.open(form)
	a.down.Store(true)
	tb.fillChecklist("第三份，退出前")
	tb.tap(tid("submit-checklist"))
	tb.waitFor("the third checklist to be kept", `(b => b && !b.hidden)(document.querySelector(`+js(unsentBadge)+`))`)
	a.down.Store(false)
	tb.tap(tid("logout"))
	tb.waitFor("the sign-out question", `document.querySelector(`+js(tid("logout-dialog"))+`).open`)
	if got := tb.text(`[data-logout-count]`); got != "1 份尚未发送" {
		tb.fatalf("the sign-out question says %q", got)
	}
	tb.shoot("field-signout-question")
	tb.tap(tid("logout-cancel"))
	if tb.path() != form || tb.eval(`document.querySelector(`+js(tid("logout-dialog"))+`).open`) != false {
		tb.fatalf("cancel did not keep the user signed in on the page")
	}
	tb.tap(tid("logout"))
	tb.waitFor("the sign-out question again", `document.querySelector(`+js(tid("logout-dialog"))+`).open`)
	tb.tap(tid("logout-keep"))
	tb.waitFor("the sign-in page", `location.pathname === "/login"`)
	if got := tb.await(`(async () => (await caches.keys()).includes("sc-pages"))()`); got != false {
		tb.fatalf("the kept pages outlived the sign-out")
	}
	if n := a.checklistCount(t); n != 2 {
		tb.fatalf("%d checklists after signing out, want 2 (the third is kept)", n)
	}
	// Signing in again on this device sends it.
	tb.login(userSchool)
	tb.waitKept(0)
	if n := a.checklistCount(t); n != 3 {
		tb.fatalf("%d checklists, want 3", n)
	}
	if got := tb.badge(); got != "" {
		tb.fatalf("badge %q after everything was sent", got)
	}
}

// The school page's measures are cards at phone width, and no page of a
// school user scrolls sideways at 390 px.
func TestSchoolPagesAtPhoneWidth(t *testing.T) {
	a := newApp(t, userSchool)
	cl := a.checklist(t, schoolXC1, goodFacts(), true)
	b := newBrowser(t, a.url)
	tb := b.newTab("phone", phone)
	tb.login(userSchool)
	for _, p := range []string{"/schools/" + schoolXC1, "/schools/" + schoolXC1 + "/checklists/new",
		fmt.Sprintf("/checklists/%d", cl.ID), "/hazards", "/account/password"} {
		if status := tb.open(p); status != 200 {
			tb.fatalf("%s: status %d", p, status)
		}
		if w, _ := tb.eval(`document.documentElement.scrollWidth`).(float64); w > 390 {
			t.Errorf("%s is %v px wide at 390 px: it scrolls sideways", p, w)
		}
	}
	tb.open("/schools/" + schoolXC1)
	got := tb.eval(`(() => {
		const row = document.querySelector('[data-testid="status-security_guards"]');
		const box = row.closest(".table-scroll");
		const td = row.querySelector("td");
		const label = JSON.stringify(document.querySelector(".status-table thead th:nth-child(2)").textContent.trim());
		return getComputedStyle(row).display + " " + (box.scrollWidth <= box.clientWidth) + " " +
			(getComputedStyle(td, "::before").content === label);
	})()`)
	if got != `block true true` {
		t.Errorf("a measure at 390 px: %v, want a card (display block, no sideways scroll, labelled)", got)
	}
	tb.shoot("school-phone-cards")
}

// bigPhoto writes a 4000×3000 JPEG, as a phone camera takes.
func bigPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for y := range 3000 {
		for x := range 4000 {
			img.Set(x, y, color.RGBA{uint8(x / 16), uint8(y / 12), 120, 255})
		}
	}
	path := filepath.Join(t.TempDir(), "IMG_0001.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return path
}

// A photo taken by a phone is shrunk in the browser before it is sent, and
// the page shows the server's thumbnail.
func TestPhotoIsShrunkBeforeUpload(t *testing.T) {
	a := newApp(t, userSchool)
	draft := a.checklist(t, schoolXC1, goodFacts(), false)
	photo := bigPhoto(t)
	b := newBrowser(t, a.url)
	tb := b.newTab("photo", phone)
	tb.login(userSchool)
	page := fmt.Sprintf("/checklists/%d", draft.ID)
	tb.open(page)
	tb.do("choose the photo", chromedp.SetUploadFiles(`input[name=files]`, []string{photo}))
	tb.waitFor("the photo to be shrunk", `document.querySelector("input[name=files]").getAttribute("data-shrink-done") === "1"`)
	if status := tb.press(tid("evidence-submit")); status != 200 {
		tb.fatalf("upload: status %d", status)
	}
	files, err := a.store.ChecklistEvidence(context.Background(), draft.ID)
	if err != nil || len(files) != 1 {
		tb.fatalf("%d files stored (%v), want 1", len(files), err)
	}
	f := files[0]
	if f.Width != 1600 || f.Height != 1200 || f.ContentType != "image/jpeg" {
		tb.fatalf("stored %s %dx%d, want image/jpeg 1600x1200", f.ContentType, f.Width, f.Height)
	}
	if f.Size > 1<<20 {
		t.Errorf("the shrunk photo is %d bytes", f.Size)
	}
	tb.waitFor("the thumbnail to load", `(img => img && img.complete && img.naturalWidth > 0)(document.querySelector(".evidence-thumb img"))`)
	got := tb.eval(`(img => img.getAttribute("src") + " " + img.naturalWidth + "x" + img.naturalHeight)(document.querySelector(".evidence-thumb img"))`)
	if want := fmt.Sprintf("/evidence/%d/thumb 320x240", f.ID); got != want {
		t.Errorf("the page shows %v, want %s", got, want)
	}
	thumb := tb.await(fmt.Sprintf(`fetch("/evidence/%d/thumb").then(r => r.status + " " + r.headers.get("Content-Type"))`, f.ID))
	if thumb != "200 image/jpeg" {
		t.Errorf("thumbnail route: %v", thumb)
	}
}
