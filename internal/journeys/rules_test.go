package journeys

import (
	"context"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// An administrator gives 呼和浩特市 its own guard rules in the browser:
// 新城区实验小学, now a boarding school of 1,200 students (400 boarders)
// with 3 guards, fails under the national v2 default ("3 guards, 4 required
// for 800 day students and 400 boarders") and passes under the profile
// (1 guard in the middle band + 2 for the boarders = 3), whose page then
// names the rules that judged it. 包头市 keeps the national default.
func TestAdminSetsPrefectureRules(t *testing.T) {
	a := newApp(t, userAdmin)
	ctx := context.Background()
	xc1 := a.schools[schoolXC1]
	xc1.Students, xc1.Boarders = 1200, 400
	if _, err := a.store.SaveSchool(ctx, seeder, xc1); err != nil {
		t.Fatal(err)
	}
	f := goodFacts()
	f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: ptr(3), LicensedGuards: ptr(3)}
	cl := a.checklist(t, schoolXC1, f, true)
	if _, err := a.store.VerifyChecklist(ctx, seeder, cl.ID); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, a.url)
	admin := b.newTab("admin", desktop)
	admin.login(userAdmin)
	if status := admin.open("/schools/" + schoolXC1); status != 200 {
		admin.fatalf("school page: status %d", status)
	}
	if got := admin.text(tid("status-security_guards")); !strings.Contains(got, "3 名保安，800 名走读生和 400 名寄宿生需 4 名") {
		admin.fatalf("guards under the national default: %q", got)
	}
	if got := admin.text(tid("school-rules")); !strings.Contains(got, "全国默认规则") {
		admin.fatalf("the school page names %q, want the national default", got)
	}

	// Choose 呼和浩特市: its rules come from the national default.
	if status := admin.open("/admin/rules"); status != 200 {
		admin.fatalf("rules page: status %d", status)
	}
	admin.pick("#f-division", prefHohhot)
	if status := admin.press(tid("rules-show")); status != 200 {
		admin.fatalf("show 呼和浩特市: status %d", status)
	}
	if got := admin.text(tid("rules-source")); !strings.Contains(got, "来自全国默认规则") {
		admin.fatalf("呼和浩特市's rules say %q", got)
	}

	// Preview one guard in the middle band, then save it from today.
	admin.typeIn("#f-guards_middle", "1")
	if status := admin.press(tid("preview-rules")); status != 200 {
		admin.fatalf("preview: status %d", status)
	}
	row := `[...document.querySelectorAll('[data-testid="guard-examples"] tbody tr')].map(r => r.innerText.split("\t").join(" ")).find(t => t.startsWith("1200"))`
	if got, _ := admin.eval(row).(string); strings.Join(strings.Fields(got), " ") != "1200 400 3" {
		admin.fatalf("the previewed guard table is %q, want 3 guards for 1200 students with 400 boarders", got)
	}
	if status := admin.press(tid("save-rules")); status != 200 {
		admin.fatalf("save: status %d", status)
	}
	if admin.dialogCount() == 0 {
		admin.fatalf("saving rules asked for no confirmation")
	}
	if got := admin.text(tid("rules-source")); !strings.Contains(got, "来自呼和浩特市的规则") {
		admin.fatalf("after saving, 呼和浩特市's rules say %q", got)
	}
	if !admin.has(tid("rule-profile-" + prefHohhot)) {
		admin.fatalf("the profile is not listed")
	}
	admin.shoot("rules-profile")

	// A county of 包头市 still runs on the national default.
	admin.pick("#f-division", "150202")
	admin.press(tid("rules-show"))
	if got := admin.text(tid("rules-source")); !strings.Contains(got, "来自全国默认规则") {
		admin.fatalf("东河区's rules say %q", got)
	}

	if status := admin.open("/schools/" + schoolXC1); status != 200 {
		admin.fatalf("school page: status %d", status)
	}
	if got := admin.text(tid("status-security_guards")); strings.Contains(got, "需") {
		admin.fatalf("guards still short under the profile: %q", got)
	}
	if got := admin.text(tid("school-rules")); !strings.Contains(got, "呼和浩特市") {
		admin.fatalf("the school page names %q, want 呼和浩特市's profile", got)
	}
	admin.checkConsole()
}
