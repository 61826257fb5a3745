package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"safecampus/internal/model"
)

type rulesJSON struct {
	DivisionCode       string         `json:"division_code"`
	SourceDivisionCode *string        `json:"source_division_code"`
	ID                 int64          `json:"id"`
	Version            int            `json:"version"`
	EffectiveFrom      string         `json:"effective_from"`
	Params             map[string]any `json:"params"`
}

type schoolRulesJSON struct {
	Measures map[string]measureJSON `json:"measures"`
	RuleSet  struct {
		ID           int64   `json:"id"`
		Version      int     `json:"version"`
		DivisionCode *string `json:"division_code"`
	} `json:"rule_set"`
}

func getRules(t *testing.T, c *apiClient, path string) rulesJSON {
	t.Helper()
	r := c.get(path)
	wantStatus(t, "GET "+path, r, http.StatusOK)
	var out rulesJSON
	decode(t, r, &out)
	return out
}

// boardingSchool makes schoolE the worked example: 1,200 students of whom
// 400 board, with a verified check counting 3 licensed guards.
func boardingSchool(t *testing.T, app *testApp) {
	t.Helper()
	ctx := context.Background()
	sc := app.school(t, schoolE)
	sc.Students, sc.Boarders = 1200, 400
	if _, err := app.store.SaveSchool(ctx, app.users[userAdmin], sc); err != nil {
		t.Fatal(err)
	}
	f := goodFacts(day0)
	f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: ptr(3), LicensedGuards: ptr(3)}
	cl := app.checklist(t, schoolE, day0, f, true)
	if _, err := app.store.VerifyChecklist(ctx, app.users[userAdmin], cl.ID); err != nil {
		t.Fatal(err)
	}
}

// TestRulesAPI: the worked example under the national v2 default, then a
// prefecture profile effective today, through the API as SPEC §7 has it.
func TestRulesAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	boardingSchool(t, app)
	admin := app.api(t, userAdmin)

	// National default, rule set v2: n = 1200 − 400 = 800 → 2, plus
	// ⌊400/200⌋ = 2 → 4 guards; the school has 3.
	national := getRules(t, admin, "/api/v1/rules/"+countyHM)
	if national.SourceDivisionCode != nil || national.Version != 2 || national.DivisionCode != countyHM ||
		national.Params["guard_basis"] != "non_boarders" || national.Params["boarders_per_guard"] != float64(200) ||
		national.Params["anti_ramming_required"] != true || len(national.Params) != len(model.RuleParamNames) {
		t.Errorf("national default: %+v", national)
	}
	var st schoolRulesJSON
	r := admin.get("/api/v1/schools/" + schoolE)
	wantStatus(t, "school E", r, http.StatusOK)
	decode(t, r, &st)
	g := st.Measures["security_guards"]
	if g.Covered || g.Reason == nil || *g.Reason != "3 guards, 4 required for 800 day students and 400 boarders" {
		t.Errorf("worked example: covered %v, reason %v", g.Covered, g.Reason)
	}
	if st.RuleSet.ID != national.ID || st.RuleSet.Version != 2 || st.RuleSet.DivisionCode != nil {
		t.Errorf("school names rule set %+v, want the national default %d", st.RuleSet, national.ID)
	}

	// Only admins set rules.
	body := map[string]any{"division_code": prefHohhot, "effective_from": day0.String(), "params": map[string]any{"guards_middle": 1}}
	for _, u := range []string{userLeader, userInspector, userSchool} {
		wantJSONError(t, "POST rules as "+u, app.api(t, u).post("/api/v1/rules", body), http.StatusForbidden)
	}

	// Bad parameters: 422 naming each one.
	bad := map[string]any{"division_code": province, "effective_from": day0.String(),
		"params": map[string]any{"guards_small": -1, "small_school_below": 2000, "guards_tiny": 1, "guard_basis": "everyone"}}
	msg := wantJSONError(t, "bad parameters", admin.post("/api/v1/rules", bad), http.StatusUnprocessableEntity)
	for _, p := range []string{"guards_small", "large_school_from", "guards_tiny", "guard_basis"} {
		if !strings.Contains(msg, p) {
			t.Errorf("422 %q does not name %s", msg, p)
		}
	}
	msg = wantJSONError(t, "no date", admin.post("/api/v1/rules", map[string]any{"params": map[string]any{"guards_small": -2}}), http.StatusUnprocessableEntity)
	if !strings.Contains(msg, "effective_from") || !strings.Contains(msg, "guards_small") {
		t.Errorf("422 without a date: %q", msg)
	}
	msg = wantJSONError(t, "past date", admin.post("/api/v1/rules", map[string]any{"effective_from": day0.AddDays(-1).String(), "params": map[string]any{}}), http.StatusUnprocessableEntity)
	if !strings.Contains(msg, "effective_from") {
		t.Errorf("422 for a past date: %q", msg)
	}
	wantJSONError(t, "unknown division", admin.post("/api/v1/rules", map[string]any{"division_code": unknownDivision, "effective_from": day0.String()}), http.StatusUnprocessableEntity)

	// 呼和浩特市 relaxes the middle band from today: 1 + 2 = 3 guards.
	r = admin.post("/api/v1/rules", body)
	wantStatus(t, "POST rules", r, http.StatusCreated)
	var created struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	decode(t, r, &created)
	if created.ID == 0 || created.Version != 3 {
		t.Errorf("created %+v, want version 3", created)
	}
	here := getRules(t, admin, "/api/v1/rules/"+countyHM)
	if here.SourceDivisionCode == nil || *here.SourceDivisionCode != prefHohhot || here.ID != created.ID ||
		here.Params["guards_middle"] != float64(1) || here.Params["validity_days"] != float64(180) || here.EffectiveFrom != day0.String() {
		t.Errorf("rules of 回民区 after the profile: %+v", here)
	}
	if before := getRules(t, admin, "/api/v1/rules/"+countyHM+"?as_of="+day0.AddDays(-1).String()); before.SourceDivisionCode != nil {
		t.Errorf("rules of 回民区 the day before: %+v, want the national default", before)
	}
	if other := getRules(t, admin, "/api/v1/rules/"+countyDH); other.SourceDivisionCode != nil {
		t.Errorf("包头市 took 呼和浩特市's profile: %+v", other)
	}
	r = admin.get("/api/v1/schools/" + schoolE)
	decode(t, r, &st)
	if g := st.Measures["security_guards"]; !g.Covered || st.RuleSet.ID != created.ID || st.RuleSet.DivisionCode == nil || *st.RuleSet.DivisionCode != prefHohhot {
		t.Errorf("after the profile: guards %+v, rule set %+v", g, st.RuleSet)
	}
	// Reads follow scope: the school user its county, leaders their subtree.
	getRules(t, app.api(t, userSchool), "/api/v1/rules/"+countyXC)
	wantJSONError(t, "school user, other county", app.api(t, userSchool).get("/api/v1/rules/"+countyHM), http.StatusForbidden)
	wantJSONError(t, "inspector2 in 呼和浩特市", app.api(t, userInspector2).get("/api/v1/rules/"+countyHM), http.StatusForbidden)
	wantJSONError(t, "bad as_of", admin.get("/api/v1/rules/"+countyHM+"?as_of=yesterday"), http.StatusBadRequest)
}

// TestRulesPageProfiles: an admin creates a prefecture profile in the
// browser form (partial: blank fields inherit), previews a guard table,
// sees where each division's rules come from, and adopts the v2 defaults
// where v1 still holds.
func TestRulesPageProfiles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	boardingSchool(t, app)
	admin := app.signedIn(t, userAdmin)

	page := admin.get("/admin/rules?division=" + countyHM)
	wantStatus(t, "rules page", page, http.StatusOK)
	if !strings.Contains(page.body, `data-testid="rule-profile-national"`) || strings.Contains(page.body, `data-testid="adopt-v2"`) {
		t.Error("a new database: the national default listed, no v2 offer expected")
	}

	// Preview: nothing stored, the table follows the form.
	preview := url.Values{"division_code": {prefHohhot}, "guards_middle": {"5"}, "effective_from": {day0.String()}}
	r := admin.submit("/admin/rules?division="+prefHohhot, "/admin/rules/preview", preview)
	wantStatus(t, "preview", r, http.StatusOK)
	if !strings.Contains(r.body, `<td class="num">999</td><td class="num">0</td><td class="num">5</td>`) {
		t.Errorf("the preview does not show 5 guards for 999 students:\n%s", truncate(r.body[strings.Index(r.body, "guard-examples"):], 1500))
	}

	// A partial version: only the middle band is filled in.
	form := url.Values{"division_code": {prefHohhot}, "guards_middle": {"1"}, "effective_from": {day0.String()}}
	for _, name := range model.RuleParamNames {
		if form.Get(name) == "" {
			form.Set(name, "")
		}
	}
	r = admin.submit("/admin/rules?division="+prefHohhot, "/admin/rules", form)
	wantStatus(t, "create profile", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/admin/rules?division="+prefHohhot {
		t.Errorf("redirect to %q", loc)
	}
	page = admin.get("/admin/rules?division=" + countyHM)
	src := page.text()[strings.Index(page.text(), `data-testid="rules-source"`):]
	if !strings.Contains(src[:400], "呼和浩特市") {
		t.Errorf("回民区's rules do not say they come from 呼和浩特市: %s", src[:400])
	}
	if !strings.Contains(page.body, `data-testid="rule-profile-`+prefHohhot+`"`) || !strings.Contains(page.body, `data-testid="current-guards_middle">1<`) ||
		!strings.Contains(page.body, `data-testid="current-validity_days">180<`) {
		t.Error("the profile is not listed, or its inherited parameters are not shown")
	}
	school := admin.get("/schools/" + schoolE)
	if i := strings.Index(school.body, `data-testid="school-rules"`); i < 0 || !strings.Contains(school.body[i:i+200], "呼和浩特市") {
		t.Error("the school page does not name the rules that judged it")
	}

	// Bad input: re-rendered with the values and the error beside each field.
	bad := url.Values{"division_code": {prefHohhot}, "guards_small": {"-1"}, "small_school_below": {"5000"}, "effective_from": {day0.String()}}
	r = admin.submit("/admin/rules?division="+prefHohhot, "/admin/rules", bad)
	wantStatus(t, "bad profile", r, http.StatusUnprocessableEntity)
	for _, f := range []string{"guards_small", "large_school_from"} {
		if !strings.Contains(r.body, `data-testid="field-error-`+f+`"`) {
			t.Errorf("no error beside %s", f)
		}
	}
	if !strings.Contains(r.body, `name="small_school_below" value="5000"`) {
		t.Error("the typed value is lost")
	}

	// A national version back on v1 brings the offer to adopt the v2
	// defaults, which schedules a version from the chosen day.
	v1 := map[string]any{"effective_from": day0.String(), "params": map[string]any{"guard_basis": "all_students"}}
	wantStatus(t, "back to v1", app.api(t, userAdmin).post("/api/v1/rules", v1), http.StatusCreated)
	page = admin.get("/admin/rules")
	if !strings.Contains(page.body, `data-testid="adopt-v2"`) {
		t.Fatal("no offer to adopt the v2 defaults under v1")
	}
	adopt := url.Values{"division_code": {""}, "preset": {"v2"}, "effective_from": {day0.AddDays(5).String()}}
	r = admin.submit("/admin/rules", "/admin/rules", adopt)
	wantStatus(t, "adopt v2", r, http.StatusSeeOther)
	later := getRules(t, app.api(t, userAdmin), "/api/v1/rules/"+countyDH+"?as_of="+day0.AddDays(5).String())
	now := getRules(t, app.api(t, userAdmin), "/api/v1/rules/"+countyDH)
	if later.Params["guard_basis"] != "non_boarders" || now.Params["guard_basis"] != "all_students" {
		t.Errorf("adopting v2 from day 5: today %v, day 5 %v", now.Params["guard_basis"], later.Params["guard_basis"])
	}
}
