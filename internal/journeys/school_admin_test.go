package journeys

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"safecampus/internal/model"
)

// A school administrator, on a phone, signs in, opens the new-checklist
// form from the school page, answers all five measures while the verdicts
// follow live, trips over a bad number, corrects it and submits.
func TestSchoolAdminSubmitsChecklistOnPhone(t *testing.T) {
	a := newApp(t, userSchool)
	b := newBrowser(t, a.url)
	tb := b.newTab("school admin", phone)

	tb.open("/login")
	tb.shoot("login")
	tb.login(userSchool)

	// "/" of a school administrator is the school's own page.
	if status := tb.open("/"); status != 200 {
		tb.fatalf("GET /: status %d", status)
	}
	if got, want := tb.path(), "/schools/"+schoolXC1; got != want {
		tb.fatalf("the school administrator's home is %s, want %s", got, want)
	}
	if got := tb.text(tid("school-name")); got != "新城区实验小学" {
		tb.fatalf("school name %q", got)
	}
	if !tb.has(tid("checklists-empty")) {
		tb.fatalf("a school without checklists shows no empty history")
	}
	tb.shoot("school-new")

	if status := tb.press(tid("new-checklist")); status != 200 {
		tb.fatalf("new checklist page: status %d", status)
	}
	if got, want := tb.path(), "/schools/"+schoolXC1+"/checklists/new"; got != want {
		tb.fatalf("new checklist at %s, want %s", got, want)
	}
	if got := tb.value("#f-checked_on"); got != today.String() {
		tb.fatalf("the check date is prefilled with %q, want today %s", got, today)
	}
	if n := tb.count("#preview li.met"); n != 0 {
		tb.fatalf("an empty form shows %d measures met, want 0", n)
	}
	if !tb.hasClass(tid("preview-nursing_post"), "unmet") || !tb.has("#preview-m-nursing_post .badge-no") {
		tb.fatalf("an empty form does not show 护学岗 as not met")
	}

	// From here on every verdict must change in place (htmx), never by a
	// page load.
	tb.mark()

	// 1 护学岗: the verdict turns to met once the last fact is in.
	tb.tap(yes("nursing_post.set_up"))
	tb.typeIn("#f-nursing_post\\.am_staff", "2")
	tb.typeIn("#f-nursing_post\\.pm_staff", "2")
	tb.tap(yes("nursing_post.police_present"))
	tb.tap(yes("nursing_post.roster_on_file"))
	tb.waitFor("护学岗 to show met in the summary and under its fieldset",
		`document.querySelector('#preview [data-testid="preview-nursing_post"]').classList.contains("met") &&
		 document.querySelector('#preview-m-nursing_post [data-testid="result-nursing_post"]').classList.contains("badge-ok")`)
	if !tb.marked() {
		tb.fatalf("the live preview reloaded the page instead of updating it in place")
	}

	// 2 封闭化管理.
	tb.tap(yes("closed_management.perimeter_enclosed"))
	tb.tap(yes("closed_management.gate_room_24h"))
	tb.tap(yes("closed_management.visitor_registration"))
	tb.pick("#f-closed_management\\.anti_ramming", "bollards")

	// 3 专职保安员, with a number that is not one.
	tb.typeIn("#f-security_guards\\.full_time_guards", "abc")
	tb.typeIn("#f-security_guards\\.licensed_guards", "2")

	// 4 一键式紧急报警.
	tb.tap(yes("one_button_alarm.installed"))
	tb.tap(yes("one_button_alarm.linked_to_police"))
	tb.pick("#f-one_button_alarm\\.last_test_on", today.AddDays(-10).String())
	tb.tap(yes("one_button_alarm.last_test_ok"))

	// 5 视频监控系统联网.
	tb.typeIn("#f-video_networking\\.cameras", "12")
	tb.tap(yes("video_networking.gate_covered"))
	tb.tap(yes("video_networking.networked_to_police"))
	tb.typeIn("#f-video_networking\\.retention_days", "30")

	tb.waitFor("four measures met, guards not (\"abc\" is no number)",
		`document.querySelectorAll("#preview li.met").length === 4 &&
		 document.querySelector('#preview [data-testid="preview-security_guards"]').classList.contains("unmet")`)
	tb.shoot("checklist-form")

	// Submitting "abc": the form comes back with the error beside the
	// field, keeping what was typed, and nothing is saved.
	dialogs := tb.dialogCount()
	if status := tb.press(tid("submit-checklist")); status != 422 {
		tb.fatalf("submitting \"abc\" guards: status %d, want 422", status)
	}
	if tb.dialogCount() != dialogs+1 || tb.lastDialog() == "" {
		tb.fatalf("submitting did not ask for confirmation first")
	}
	const guards = "security_guards.full_time_guards"
	errSel := tid("field-error-" + guards)
	if !tb.has(errSel) || tb.text(errSel) == "" {
		tb.fatalf("no error shown for %s", guards)
	}
	beside := tb.eval(`(() => {
		const input = document.getElementById("f-security_guards.full_time_guards");
		const err = document.querySelector('[data-testid="field-error-security_guards.full_time_guards"]');
		return err.parentElement.contains(input) &&
			input.getAttribute("aria-invalid") === "true" &&
			input.getAttribute("aria-describedby") === err.id;
	})()`)
	if beside != true {
		tb.fatalf("the error of %s is not beside its field (same .field, aria-invalid, aria-describedby)", guards)
	}
	if got := tb.value("#f-security_guards\\.full_time_guards"); got != "abc" {
		tb.fatalf("after the error the guards field holds %q, want the typed \"abc\"", got)
	}
	if got := tb.value("#f-video_networking\\.cameras"); got != "12" {
		tb.fatalf("after the error the cameras field holds %q, want 12", got)
	}
	if tb.eval(`document.querySelector('input[name="nursing_post.set_up"][value="yes"]').checked`) != true {
		tb.fatalf("after the error the answer 护学岗 set up = yes is lost")
	}
	if got := tb.value("#f-closed_management\\.anti_ramming"); got != "bollards" {
		tb.fatalf("after the error the anti-ramming choice is %q, want bollards", got)
	}
	if list, err := a.store.SchoolChecklists(context.Background(), a.schools[schoolXC1].ID, 10); err != nil || len(list) != 0 {
		tb.fatalf("a refused form saved something: %d checklists, err %v", len(list), err)
	}
	tb.shoot("checklist-form-error")

	// Correct it: the guards verdict turns to met, and all five are met.
	tb.mark()
	tb.typeIn("#f-security_guards\\.full_time_guards", "2")
	tb.waitFor("all five measures met",
		`document.querySelectorAll("#preview li.met").length === 5 &&
		 document.querySelector('#preview-m-security_guards [data-testid="result-security_guards"]').classList.contains("badge-ok")`)
	if !tb.marked() {
		tb.fatalf("the live preview reloaded the page instead of updating it in place")
	}

	if status := tb.press(tid("submit-checklist")); status != 200 {
		tb.fatalf("submit: status %d, want 200 after the redirect", status)
	}
	m := regexp.MustCompile(`^/checklists/(\d+)$`).FindStringSubmatch(tb.path())
	if m == nil {
		tb.fatalf("after submitting, the page is %s, want /checklists/{id}", tb.path())
	}
	if !tb.hasClass(tid("checklist-state"), "state-submitted") {
		tb.fatalf("the checklist page shows state %q, want submitted", tb.text(tid("checklist-state")))
	}
	if !tb.has(tid("flash")) {
		tb.fatalf("no confirmation after submitting")
	}
	for _, ms := range model.Measures {
		if !tb.has(tid("measure-"+string(ms)) + " .badge-ok") {
			tb.fatalf("the submitted checklist shows %s not met", ms)
		}
	}
	tb.shoot("checklist-submitted")

	id, _ := strconv.ParseInt(m[1], 10, 64)
	cl, err := a.store.Checklist(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if cl.State != model.Submitted || cl.CheckedOn != today {
		t.Errorf("stored checklist: state %s on %s, want submitted on %s", cl.State, cl.CheckedOn, today)
	}
	f := cl.Facts
	if g := f.SecurityGuards.FullTimeGuards; g == nil || *g != 2 {
		t.Errorf("stored full_time_guards = %v, want 2", g)
	}
	if d := f.OneButtonAlarm.LastTestOn; d == nil || *d != today.AddDays(-10) {
		t.Errorf("stored last_test_on = %v, want %s", d, today.AddDays(-10))
	}
	if ar := f.ClosedManagement.AntiRamming; ar == nil || *ar != "bollards" {
		t.Errorf("stored anti_ramming = %v, want bollards", ar)
	}
	if r := f.VideoNetworking.RetentionDays; r == nil || *r != 30 {
		t.Errorf("stored retention_days = %v, want 30", r)
	}

	// Back on the school page the reported basis counts it; nobody has
	// verified it yet.
	if status := tb.press(".breadcrumb a"); status != 200 {
		tb.fatalf("back to the school page: status %d", status)
	}
	if !tb.has(tid("checklist-"+m[1]) + " .state-submitted") {
		tb.fatalf("the school's history does not list checklist %s as submitted", m[1])
	}
	if !tb.has(tid("status-all_five")+" td:nth-of-type(2) .badge-ok") || !tb.has(tid("status-all_five")+" td:nth-of-type(1) .badge-no") {
		tb.fatalf("all five should be covered on the reported basis only")
	}
	tb.shoot("school-submitted")
}

// yes selects the "yes" choice of a yes/no fact: the label, the big target
// a thumb hits.
func yes(key string) string {
	return `label.choice:has(input[name="` + key + `"][value="yes"])`
}
