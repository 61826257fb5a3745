package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// Tests of the 100% dashboard (issue 4): history as of any day, the
// 12-month trend, the sortable grid and the gap list, through the real
// router on a real SQLite file.

// element returns the element carrying data-testid=id, from its start tag
// to its matching end tag, or "" when the page has none.
func element(body, id string) string {
	i := strings.Index(body, `data-testid="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<")
	m := regexp.MustCompile(`^<([a-zA-Z0-9]+)`).FindStringSubmatch(body[start:])
	if m == nil {
		return ""
	}
	tag := m[1]
	open, closing := regexp.MustCompile(`<`+tag+`[\s>]`), "</"+tag+">"
	depth, pos := 0, start
	for {
		o := open.FindStringIndex(body[pos:])
		c := strings.Index(body[pos:], closing)
		if c < 0 {
			return body[start:]
		}
		if o != nil && o[0] < c {
			depth++
			pos += o[1]
			continue
		}
		depth--
		pos += c + len(closing)
		if depth == 0 {
			return body[start:pos]
		}
	}
}

// asOfCoverage is the part of GET /api/v1/coverage these tests read.
type asOfCoverage struct {
	AsOf     string `json:"as_of"`
	Schools  int    `json:"schools"`
	Measures map[string]struct {
		Covered int          `json:"covered"`
		Percent *json.Number `json:"percent"`
	} `json:"measures"`
}

// A checklist verified on day D counts in the figures as of D and after,
// not before; its expiry on day E (the last covered day) drops it from E+1.
// The API, the page's tiles and the trend all say the same.
func TestHistoryAsOfFollowsVerificationAndExpiry(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true) // reported from day0
	verifiedOn := day0.AddDays(3)
	app.clock.SetDay(verifiedOn)
	wantStatus(t, "verify", app.api(t, userInspector).post("/api/v1/checklists/"+strconv.FormatInt(cl.ID, 10)+"/verify", nil), http.StatusOK)
	lastDay := day0.AddDays(180) // checked on day0, valid 180 days
	today := lastDay.AddDays(5)
	app.clock.SetDay(today)

	api := app.api(t, userLeader)
	page := app.signedIn(t, userLeader)
	tests := []struct {
		name               string
		day                model.Date
		schools            int
		verified, reported int
		tile               string // the nursing_post tile's verified figure
	}{
		{"before the schools existed", day0.AddDays(-1), 0, 0, 0, "—"},
		{"submitted, not yet verified", day0, 2, 0, 1, "0.0%"},
		{"the day before verification", verifiedOn.AddDays(-1), 2, 0, 1, "0.0%"},
		{"the day of verification", verifiedOn, 2, 1, 1, "50.0%"},
		{"the last valid day", lastDay, 2, 1, 1, "50.0%"},
		{"the day after expiry", lastDay.AddDays(1), 2, 0, 0, "0.0%"},
		{"today", today, 2, 0, 0, "0.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for basis, want := range map[string]int{"verified": tt.verified, "reported": tt.reported} {
				var got asOfCoverage
				r := api.get("/api/v1/coverage/" + countyXC + "?basis=" + basis + "&as_of=" + tt.day.String())
				wantStatus(t, "API coverage", r, http.StatusOK)
				decode(t, r, &got)
				if got.AsOf != tt.day.String() || got.Schools != tt.schools || got.Measures["nursing_post"].Covered != want {
					t.Errorf("API %s as of %s: as_of %s, %d schools, %d covered; want %d schools, %d covered",
						basis, tt.day, got.AsOf, got.Schools, got.Measures["nursing_post"].Covered, tt.schools, want)
				}
			}
			r := page.get("/divisions/" + countyXC + "?as_of=" + tt.day.String())
			wantStatus(t, "page", r, http.StatusOK)
			tile := element(r.body, "tile-nursing_post")
			value := regexp.MustCompile(`<span class="value"[^>]*>(?:<span[^>]*>✓</span>)?\s*([^<]*)</span>`).FindStringSubmatch(tile)
			if value == nil || strings.TrimSpace(value[1]) != tt.tile {
				t.Errorf("page as of %s: nursing_post tile %q, want %q", tt.day, value, tt.tile)
			}
			if !strings.Contains(element(r.body, "as-of"), "截至 "+tt.day.String()) {
				t.Errorf("page as of %s does not say which day it shows: %s", tt.day, element(r.body, "as-of"))
			}
			if notice := element(r.body, "history-notice"); (tt.day != today) != (notice != "") {
				t.Errorf("page as of %s: history notice %q", tt.day, notice)
			}
		})
	}

	// The trend: month ends, then today; the same figures as the API.
	r := page.get("/divisions/" + countyXC)
	wantStatus(t, "page", r, http.StatusOK)
	rows := regexp.MustCompile(`data-testid="trend-(\d{4}-\d{2}-\d{2})"`).FindAllStringSubmatch(r.body, -1)
	var days []string
	for _, m := range rows {
		days = append(days, m[1])
	}
	wantDays := []string{"2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31",
		"2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", today.String()}
	if strings.Join(days, " ") != strings.Join(wantDays, " ") {
		t.Fatalf("trend days %v, want %v", days, wantDays)
	}
	for day, want := range map[string]string{
		"2026-02-28": "—",     // no schools yet
		"2026-03-31": "50.0%", // verified on 03-05
		"2026-07-31": "50.0%",
		"2026-08-31": "0.0%", // expired after 08-29
	} {
		row := element(r.body, "trend-"+day)
		cells := regexp.MustCompile(`<span class="value"[^>]*>(?:<span[^>]*>✓</span>)?\s*([^<]*)</span>`).FindAllStringSubmatch(row, -1)
		if len(cells) != 6 || strings.TrimSpace(cells[0][1]) != want {
			t.Errorf("trend row %s: cells %q, want nursing_post %s", day, cells, want)
		}
	}
	for _, m := range append(model.Measures[:], "all_five") {
		chart := element(r.body, "chart-"+string(m))
		if !strings.Contains(chart, `role="img"`) || !strings.Contains(chart, "<desc") || !strings.Contains(chart, "<polyline") {
			t.Errorf("chart %s is not an SVG image with a text alternative: %.300s", m, chart)
		}
	}

	for _, q := range []string{"as_of=" + today.AddDays(1).String(), "as_of=2026-13-01", "as_of=yesterday"} {
		if r := page.get("/divisions/" + countyXC + "?" + q); r.status != http.StatusBadRequest {
			t.Errorf("page with %s: status %d, want 400", q, r.status)
		}
	}
}

// The grid sorts by any column on the server; headers are plain links.
func TestDivisionGridSortsByAnyColumn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// 新城区: A covered, B short of guards: guards 50%, the rest 100%.
	// 回民区: E covered, C nothing: 50% everywhere.
	app.verified(t, day0, schoolA, schoolB, schoolE)
	c := app.signedIn(t, userLeader)
	order := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`data-testid="child-(\d+)"`).FindAllStringSubmatch(element(body, "division-grid"), -1) {
			out = append(out, m[1])
		}
		return out
	}
	empty := []string{"150104", "150105", "150121", "150122", "150123", "150124", "150125"}
	tests := []struct {
		query string
		first []string // then the divisions without schools, in code order
	}{
		{"", []string{countyXC, countyHM}},
		{"sort=nursing_post", []string{countyHM, countyXC}},
		{"sort=nursing_post&dir=desc", []string{countyXC, countyHM}},
		{"sort=security_guards", []string{countyXC, countyHM}},   // 50.0 = 50.0: code order
		{"sort=all_five&dir=desc", []string{countyXC, countyHM}}, // 50.0 = 50.0
		{"sort=closed_management", []string{countyHM, countyXC}},
		{"sort=schools&dir=desc", []string{countyXC, countyHM}},
	}
	for _, tt := range tests {
		r := c.get("/divisions/" + prefHohhot + "?" + tt.query)
		wantStatus(t, tt.query, r, http.StatusOK)
		want := append(append([]string{}, tt.first...), empty...)
		if got := order(r.body); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q: rows %v, want %v", tt.query, got, want)
		}
	}
	// By name (Chinese, code point order): 和林格尔县 first, 赛罕区 last.
	r := c.get("/divisions/" + prefHohhot + "?sort=name")
	if got := order(r.body); got[0] != "150123" || got[len(got)-1] != "150105" {
		t.Errorf("by name: %v", got)
	}

	// The sorted header says so and links to the other direction; the
	// others link to an ascending sort; other parameters stay.
	r = c.get("/divisions/" + prefHohhot + "?sort=nursing_post&basis=reported")
	h := element(r.body, "sort-nursing_post")
	if !strings.Contains(h, `aria-sort="ascending"`) || !strings.Contains(h, `dir=desc`) || !strings.Contains(h, "basis=reported") {
		t.Errorf("sorted header: %s", h)
	}
	if h := element(r.body, "sort-all_five"); strings.Contains(h, "aria-sort") || !strings.Contains(h, "sort=all_five") || strings.Contains(h, "dir=") {
		t.Errorf("unsorted header: %s", h)
	}
	for _, q := range []string{"sort=bogus", "sort=name&dir=up"} {
		if r := c.get("/divisions/" + prefHohhot + "?" + q); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, r.status)
		}
	}
}

// The gap list puts every uncovered school of the scope in one group per
// measure, by why, and each row links to the school.
func TestGapListGroupsSchoolsByWhy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := t.Context()
	inspector := app.users[userInspector]
	verify := func(code string, on model.Date) {
		t.Helper()
		cl := app.checklist(t, code, on, goodFacts(on), true)
		if _, err := app.store.VerifyChecklist(ctx, inspector, cl.ID); err != nil {
			t.Fatal(err)
		}
	}
	verify(schoolA, day0)                              // covered
	verify(schoolB, day0)                              // 2 guards for 1240 students: the guards rule fails
	verify(schoolE, day0)                              // covered, until a hazard on video opens
	verify(schoolD, day0.AddDays(-200))                // 东河区 (包头市): expired
	h := app.hazard(t, schoolE, model.VideoNetworking) // C has no checklist at all

	admin := app.signedIn(t, userAdmin)
	leader := app.signedIn(t, userLeader)
	r := leader.get("/divisions/" + prefHohhot + "/gaps")
	wantStatus(t, "gap list", r, http.StatusOK)
	count := func(id string) string {
		el := element(r.body, id)
		if el == "" {
			t.Errorf("no %s", id)
			return ""
		}
		m := regexp.MustCompile(`>(\d+)<`).FindAllStringSubmatch(el, -1)
		if len(m) == 0 {
			return ""
		}
		return m[len(m)-1][1]
	}
	for id, want := range map[string]string{
		"gap-count-no_check":                      "1",
		"gap-count-check_expired":                 "0",
		"gap-count-security_guards-rule_failed":   "1",
		"gap-count-security_guards-hazard_open":   "0",
		"gap-count-video_networking-hazard_open":  "1",
		"gap-count-video_networking-rule_failed":  "0",
		"gap-count-nursing_post-total":            "1",
		"gap-count-security_guards-total":         "2",
		"gap-count-video_networking-total":        "2",
		"gap-count-one_button_alarm-rule_failed":  "0",
		"gap-count-closed_management-hazard_open": "0",
	} {
		if got := count(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	// The totals are what the coverage figures leave out.
	var cov asOfCoverage
	decode(t, app.api(t, userLeader).get("/api/v1/coverage/"+prefHohhot), &cov)
	for _, m := range model.Measures {
		if got, want := count("gap-count-"+string(m)+"-total"), strconv.Itoa(cov.Schools-cov.Measures[string(m)].Covered); got != want {
			t.Errorf("%s: gap list total %s, coverage leaves out %s", m, got, want)
		}
	}

	groups := []struct {
		id          string
		schools     []string
		mustSay     []string
		mustNotList []string
	}{
		{"gap-no_check", []string{schoolC}, []string{"无有效检查记录"}, []string{schoolA, schoolB, schoolE}},
		{"gap-security_guards-rule_failed", []string{schoolB}, []string{"2 名保安，1240 名学生需 3 名", "2026-03-02"}, []string{schoolA, schoolE}},
		{"gap-video_networking-hazard_open", []string{schoolE}, []string{"存在未整改隐患 #" + strconv.FormatInt(h.ID, 10)}, []string{schoolA, schoolB}},
	}
	for _, g := range groups {
		el := element(r.body, g.id)
		if el == "" {
			t.Errorf("no group %s", g.id)
			continue
		}
		for _, code := range g.schools {
			if !strings.Contains(el, `href="/schools/`+code+`"`) {
				t.Errorf("%s does not link to school %s", g.id, code)
			}
		}
		for _, code := range g.mustNotList {
			if strings.Contains(el, `/schools/`+code+`"`) {
				t.Errorf("%s lists school %s", g.id, code)
			}
		}
		for _, s := range g.mustSay {
			if !strings.Contains(el, s) {
				t.Errorf("%s does not say %q", g.id, s)
			}
		}
	}
	if strings.Contains(r.body, schoolD) || element(r.body, "gap-check_expired") != "" {
		t.Error("the leader of 呼和浩特市 sees 包头市's expired school")
	}
	// The province: D's checklist expired.
	r = admin.get("/divisions/150000/gaps")
	if el := element(r.body, "gap-check_expired"); !strings.Contains(el, `href="/schools/`+schoolD+`"`) || !strings.Contains(el, "2025-08-14") {
		t.Errorf("expired group: %s", el)
	}

	// One group, on its own page; its export lists the same schools.
	r = leader.get("/divisions/" + prefHohhot + "/gaps?kind=rule_failed&measure=security_guards")
	wantStatus(t, "one group", r, http.StatusOK)
	if got := schoolsListed(element(r.body, "gap-security_guards-rule_failed")); !equalStrings(got, []string{schoolB}) {
		t.Errorf("one group lists %v", got)
	}
	csv := leader.get("/divisions/" + prefHohhot + "/schools.csv?uncovered=security_guards&gap=rule_failed")
	wantStatus(t, "group export", csv, http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(csv.body), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], schoolB+",") {
		t.Errorf("group export:\n%s", csv.body)
	}
	// The reported basis: the same here, as every checklist was verified.
	r = leader.get("/divisions/" + prefHohhot + "/gaps?basis=reported")
	if got := count("gap-count-security_guards-total"); got != "2" {
		t.Errorf("reported basis: guards total %s, want 2", got)
	}

	for _, q := range []string{"kind=rule_failed", "kind=hazard_open&measure=all_five", "kind=no_check&measure=nursing_post", "kind=bogus", "basis=both", "page=0"} {
		if r := leader.get("/divisions/" + prefHohhot + "/gaps?" + q); r.status != http.StatusBadRequest {
			t.Errorf("gaps?%s: status %d, want 400", q, r.status)
		}
	}
	if r := leader.get("/divisions/" + prefHohhot + "/schools.csv?gap=rule_failed"); r.status != http.StatusBadRequest {
		t.Errorf("export with gap but no measure: status %d, want 400", r.status)
	}
	// Scope: another prefecture's inspector and a school user may not look.
	if r := app.signedIn(t, userInspector2).get("/divisions/" + prefHohhot + "/gaps"); r.status != http.StatusForbidden {
		t.Errorf("inspector of 包头市: status %d, want 403", r.status)
	}
	if r := app.signedIn(t, userSchool).get("/divisions/" + countyXC + "/gaps"); r.status != http.StatusForbidden {
		t.Errorf("school user: status %d, want 403", r.status)
	}

	// The dashboard's tiles point at the gap list.
	r = leader.get("/divisions/" + prefHohhot)
	if tile := element(r.body, "tile-gaps-security_guards"); !strings.Contains(tile, `href="/divisions/150100/gaps#gaps-security_guards"`) || !strings.Contains(tile, "2 所未达标") {
		t.Errorf("guards tile gap link: %s", tile)
	}
	// Closing the hazard takes E out of the list.
	if _, err := app.store.CloseHazard(ctx, inspector, h.ID); err != nil {
		t.Fatal(err)
	}
	r = leader.get("/divisions/" + prefHohhot + "/gaps")
	if element(r.body, "gap-video_networking-hazard_open") != "" || count("gap-count-video_networking-total") != "1" {
		t.Error("a closed hazard still shows in the gap list")
	}
}
