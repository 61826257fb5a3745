package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// The reminder list through the page and its exports, at the edges: a
// check valid 31 more days is not listed, 30 is; one valid through today
// is "soon", one that ended yesterday is expired; never checked first.
func TestDueListBoundariesAndExport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	validity := model.DefaultRuleSet().ValidityDays
	today := day0.AddDays(200)
	offsets := map[string]int{schoolA: 31, schoolB: 30, schoolC: 0, schoolE: -1} // last valid day = today + offset
	for code, off := range offsets {
		on := today.AddDays(off - validity)
		app.clock.SetDay(on)
		app.checklist(t, code, on, goodFacts(on), true)
	}
	app.clock.SetDay(today)
	// Every school drilled today: this list is of checks (drill rows: registers_test.go).
	app.drilled(t, today, schoolA, schoolB, schoolC, schoolE)
	insp := app.signedIn(t, userInspector)
	insp.header.Set("Accept-Language", "en")

	r := insp.get("/divisions/" + prefHohhot + "/due")
	wantStatus(t, "due page", r, http.StatusOK)
	order := []string{}
	for _, code := range []string{schoolE, schoolC, schoolB, schoolA} {
		if i := strings.Index(r.body, `data-testid="due-row-`+code+`"`); i >= 0 {
			order = append(order, code)
		}
	}
	if strings.Join(order, ",") != strings.Join([]string{schoolE, schoolC, schoolB}, ",") {
		t.Errorf("listed %v, want the check expired yesterday, the one valid through today, the one valid 30 more days (not 31)", order)
	}
	if e, c := strings.Index(r.body, "due-row-"+schoolE), strings.Index(r.body, "due-row-"+schoolC); e > c {
		t.Error("the expired check is not listed before the soon-due ones")
	}
	wantText(t, "due page", r, "Expired 1 day ago", "Last valid day today", "Expires in 30 days")

	// Everyone's reminder list: the leader too, and the export has it all.
	rows := readCSV(t, app.signedIn(t, userLeader).get("/divisions/"+prefHohhot+"/due.csv"))
	if got := strings.Join(rows[0], ","); got != "code,name,type,division_code,division,students,police_station,due,checked_on,expires_on,days_late,last_drill_on" {
		t.Errorf("CSV header %s", got)
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[0]+":"+row[7]+":"+row[10])
	}
	want := []string{schoolE + ":expired:1", schoolC + ":soon:0", schoolB + ":soon:-30"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("CSV rows %v, want %v", got, want)
	}
	xl := readXLSX(t, insp.get("/divisions/"+prefHohhot+"/due.xlsx?kind=expired"), "due")
	if len(xl) != 2 || xl[1][0].Value != schoolE || !xl[1][10].Number {
		t.Errorf("XLSX of the expired ones: %v", xl)
	}
	// A new school never checked comes first.
	if _, err := app.store.SaveSchool(t.Context(), app.users[userAdmin], model.School{Code: "1501020009", Name: "新城区新建小学",
		Type: model.Primary, DivisionCode: countyXC, Students: 100, Active: true}); err != nil {
		t.Fatal(err)
	}
	r = insp.get("/divisions/" + prefHohhot + "/due")
	if strings.Index(r.body, "due-row-1501020009") > strings.Index(r.body, "due-row-"+schoolE) {
		t.Error("the never-checked school is not first")
	}
	if r := insp.get("/due"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/divisions/"+prefHohhot+"/due" {
		t.Errorf("/due: %d %q", r.status, r.header.Get("Location"))
	}
}

// An on-site inspection raises hazards from its problems in one step:
// the measures go uncovered at once; bad input comes back as typed.
func TestInspectionRaisesHazards(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	if _, err := app.store.VerifyChecklist(t.Context(), app.users[userAdmin], cl.ID); err != nil {
		t.Fatal(err)
	}
	insp := app.signedIn(t, userInspector)
	form := url.Values{"inspected_on": {day0.String()}, "participants": {"王校长"}}
	for _, m := range model.InspectionTargets {
		form.Set(string(m)+".result", "ok")
	}
	form.Set("closed_management.result", "problem")
	form.Set("closed_management.note", "")
	form.Set("closed_management.raise", "1")
	form.Set("closed_management.severity", "high")
	form.Set("closed_management.deadline", day0.AddDays(7).String())
	form.Set("video_networking.result", "problem")
	form.Set("video_networking.note", "录像只保存 7 天")
	form.Set("video_networking.raise", "1")
	form.Set("video_networking.severity", "medium")
	form.Set("video_networking.deadline", "2026-02-31")
	page := "/schools/" + schoolA + "/inspections/new"
	r := insp.submit(page, "/schools/"+schoolA+"/inspections", form)
	wantStatus(t, "inspection with bad values", r, http.StatusUnprocessableEntity)
	for _, f := range []string{"closed_management.note", "video_networking.deadline"} {
		if !strings.Contains(r.body, `data-testid="field-error-`+f+`"`) {
			t.Errorf("no error beside %s", f)
		}
	}
	if !strings.Contains(r.body, "录像只保存 7 天") || !strings.Contains(r.body, `value="2026-02-31"`) {
		t.Error("the values typed are not kept")
	}

	form.Set("closed_management.note", "东侧围墙有缺口")
	form.Set("video_networking.deadline", day0.AddDays(14).String())
	form.Set("security_guards.result", "problem")
	form.Set("security_guards.note", "一名保安无证") // noted, no hazard
	form.Del("security_guards.raise")
	r = insp.submit(page, "/schools/"+schoolA+"/inspections", form)
	wantStatus(t, "inspection", r, http.StatusSeeOther)
	id := idFromLocation(t, r)
	st := schoolStatus(t, app.api(t, userLeader), schoolA, "")
	for m, want := range map[string]bool{"nursing_post": true, "closed_management": false, "security_guards": true, "video_networking": false} {
		if st.Measures[m].Covered != want {
			t.Errorf("%s covered = %v, want %v", m, st.Measures[m].Covered, want)
		}
	}
	if len(st.Hazards) != 2 {
		t.Errorf("%d open hazards, want 2", len(st.Hazards))
	}
	v := insp.get(fmt.Sprintf("/inspections/%d", id))
	wantText(t, "inspection page", v, "东侧围墙有缺口", "一名保安无证", "王校长")
	if strings.Count(v.body, `href="/hazards/`) != 2 {
		t.Error("the inspection page does not link the two hazards raised")
	}
	if !strings.Contains(insp.get("/schools/"+schoolA).body, fmt.Sprintf(`data-testid="inspection-%d"`, id)) {
		t.Error("the school page does not list the inspection")
	}
	if r := app.signedIn(t, userSchool).get(fmt.Sprintf("/inspections/%d", id)); r.status != http.StatusOK {
		t.Errorf("the school reads its inspection: status %d", r.status)
	}
}

// The rule settings: an administrator changes a parameter from today and
// coverage everywhere moves at once; one from a later day waits for it.
func TestRuleSettingsMoveCoverage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, code := range []string{schoolA, schoolC} {
		cl := app.checklist(t, code, day0, goodFacts(day0), true) // video kept 30 days
		if _, err := app.store.VerifyChecklist(t.Context(), app.users[userAdmin], cl.ID); err != nil {
			t.Fatal(err)
		}
	}
	leader := app.api(t, userLeader)
	video := func() int {
		t.Helper()
		return coverage(t, leader, prefHohhot, "", "verified", app.clock.Today().String()).Measures["video_networking"].Covered
	}
	if got := video(); got != 2 {
		t.Fatalf("before: video covered at %d schools, want 2", got)
	}
	admin := app.signedIn(t, userAdmin)
	page := admin.get("/admin/rules")
	wantStatus(t, "rules page", page, http.StatusOK)
	if !strings.Contains(page.body, `name="min_retention_days" value="30"`) {
		t.Error("the form does not start from the parameters in force")
	}
	form := url.Values{}
	for k, v := range map[string]string{"validity_days": "180", "alarm_test_days": "90", "min_retention_days": "60",
		"small_school_below": "100", "guards_small": "1", "guards_middle": "2", "large_school_from": "1000",
		"guards_large": "3", "students_per_extra_guard": "500", "boarders_per_guard": "200"} {
		form.Set(k, v)
	}
	bad := cloneValues(form)
	bad.Set("validity_days", "0")
	bad.Set("students_per_extra_guard", "x")
	bad.Set("effective_from", day0.AddDays(-1).String())
	r := admin.submit("/admin/rules", "/admin/rules", bad)
	wantStatus(t, "bad parameters", r, http.StatusUnprocessableEntity)
	for _, f := range []string{"validity_days", "students_per_extra_guard", "effective_from"} {
		if !strings.Contains(r.body, `data-testid="field-error-`+f+`"`) {
			t.Errorf("no error beside %s", f)
		}
	}

	form.Set("effective_from", day0.String())
	r = admin.submit("/admin/rules", "/admin/rules", form)
	wantStatus(t, "rules effective today", r, http.StatusSeeOther)
	if got := video(); got != 0 {
		t.Errorf("after retention 60 from today: video covered at %d schools, want 0", got)
	}
	if st := schoolStatus(t, leader, schoolA, ""); st.Measures["video_networking"].Reason == nil ||
		*st.Measures["video_networking"].Reason != "video kept 30 days, at least 60 required" {
		t.Errorf("reason %v", st.Measures["video_networking"].Reason)
	}

	// Back to 30 from next week: nothing moves until the day and the
	// server's maintenance.
	form.Set("min_retention_days", "30")
	form.Set("effective_from", day0.AddDays(7).String())
	r = admin.submit("/admin/rules", "/admin/rules", form)
	wantStatus(t, "rules from next week", r, http.StatusSeeOther)
	if got := video(); got != 0 {
		t.Errorf("a future rule set moved today's coverage: %d", got)
	}
	page = admin.get("/admin/rules")
	if !strings.Contains(page.body, `data-testid="rule-version-4"`) || !strings.Contains(page.body, `data-testid="cancel-rules"`) {
		t.Error("the scheduled version is not listed with a cancel button")
	}
	app.clock.SetDay(day0.AddDays(7))
	if _, err := app.store.ApplyDueRuleSets(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := video(); got != 2 {
		t.Errorf("on the day, after maintenance: video covered at %d schools, want 2", got)
	}

	// The change is in the audit trail with old → new; an inspector does
	// not see rule changes (they belong to no division).
	trail := app.signedIn(t, userAdmin).get("/audit?entity=rule_set")
	wantText(t, "audit of rule changes", trail, "min_retention_days", "30", "60")
	if n := strings.Count(trail.body, `class="audit-entry"`); n != 2 {
		t.Errorf("%d rule set entries, want 2", n)
	}
	if strings.Contains(app.signedIn(t, userInspector).get("/audit?entity=rule_set").body, `class="audit-entry"`) {
		t.Error("an inspector sees rule set changes")
	}
}

// The audit trail page: an inspector sees the changes in their subtree,
// filtered by record, user and day; an administrator sees everything.
func TestAuditTrailPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	hA := app.hazard(t, schoolA, model.VideoNetworking) // 150102
	hD := app.hazard(t, schoolD, model.VideoNetworking) // 150202
	app.clock.SetDay(day0.AddDays(1))
	if _, err := app.store.CloseHazard(t.Context(), app.users[userInspector], hA.ID); err != nil {
		t.Fatal(err)
	}
	insp := app.signedIn(t, userInspector)
	r := insp.get("/audit")
	wantStatus(t, "audit as inspector", r, http.StatusOK)
	if !strings.Contains(r.body, fmt.Sprintf(`href="/hazards/%d"`, hA.ID)) || strings.Contains(r.body, fmt.Sprintf(`href="/hazards/%d"`, hD.ID)) {
		t.Error("the inspector's trail is not limited to their subtree")
	}
	if strings.Contains(r.body, ">user<") || strings.Contains(r.text(), "用户 inspector2") {
		t.Error("the inspector sees user changes")
	}
	only := insp.get("/audit?user=inspector&entity=hazard")
	if n := strings.Count(only.body, `class="audit-entry"`); n != 1 {
		t.Errorf("filtered by user and entity: %d entries, want the close", n)
	}
	day := insp.get("/audit?from=" + day0.String() + "&to=" + day0.String() + "&entity=hazard")
	if n := strings.Count(day.body, `class="audit-entry"`); n != 1 {
		t.Errorf("filtered to day0: %d hazard entries, want the raise of hA", n)
	}
	if r := insp.get("/audit?from=yesterday"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `data-testid="form-errors"`) {
		t.Errorf("a bad date: status %d, want 422 with the error shown", r.status)
	}
	admin := app.signedIn(t, userAdmin).get("/audit?entity=hazard")
	if !strings.Contains(admin.body, fmt.Sprintf(`href="/hazards/%d"`, hD.ID)) {
		t.Error("the administrator does not see every change")
	}
	if r := app.signedIn(t, userAdmin).get("/audit?entity=user"); strings.Count(r.body, `class="audit-entry"`) != len(seedUsers) {
		t.Errorf("user creations in the trail: %d, want %d", strings.Count(r.body, `class="audit-entry"`), len(seedUsers))
	}
}
