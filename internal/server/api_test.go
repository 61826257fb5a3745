package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// coverageJSON is GET /api/v1/coverage as SPEC section 6 writes it.
type coverageJSON struct {
	Division struct {
		Code  string `json:"code"`
		Name  string `json:"name"`
		Level string `json:"level"`
	} `json:"division"`
	Basis    string               `json:"basis"`
	AsOf     string               `json:"as_of"`
	Schools  int                  `json:"schools"`
	Measures map[string]shareJSON `json:"measures"`
	AllFive  shareJSON            `json:"all_five"`
	Children []coverageJSON       `json:"children"`
}

type shareJSON struct {
	Covered int          `json:"covered"`
	Percent *json.Number `json:"percent"` // the literal, "66.6"; nil for null
}

// cov is a division's figures in a comparable form: per measure in
// model.Measures order, then all five.
type cov struct {
	Schools  int
	Measures [5]share
	AllFive  share
}

// share is covered and the percent as written, "—" for null.
type share struct {
	Covered int
	Percent string
}

func sh(covered int, percent string) share { return share{covered, percent} }

// noSchools is the figures of a division without schools.
var noSchools = cov{Measures: [5]share{sh(0, "—"), sh(0, "—"), sh(0, "—"), sh(0, "—"), sh(0, "—")}, AllFive: sh(0, "—")}

func covOf(t *testing.T, c coverageJSON) cov {
	t.Helper()
	conv := func(s shareJSON) share {
		if s.Percent == nil {
			return share{s.Covered, "—"}
		}
		return share{s.Covered, s.Percent.String()}
	}
	out := cov{Schools: c.Schools, AllFive: conv(c.AllFive)}
	if len(c.Measures) != len(model.Measures) {
		t.Errorf("%s: measures %v, want the five keys", c.Division.Code, c.Measures)
	}
	for i, m := range model.Measures {
		s, ok := c.Measures[string(m)]
		if !ok {
			t.Errorf("%s: no measure %s", c.Division.Code, m)
		}
		out.Measures[i] = conv(s)
	}
	return out
}

// coverage fetches a division's coverage and checks the envelope.
func coverage(t *testing.T, c *apiClient, code, query string, wantBasis, wantAsOf string) coverageJSON {
	t.Helper()
	path := "/api/v1/coverage/" + code
	if query != "" {
		path += "?" + query
	}
	r := c.get(path)
	wantStatus(t, "GET "+path, r, http.StatusOK)
	var out coverageJSON
	decode(t, r, &out)
	if out.Division.Code != code || out.Basis != wantBasis || out.AsOf != wantAsOf {
		t.Errorf("GET %s: division %q basis %q as_of %q, want %q %q %q", path, out.Division.Code, out.Basis, out.AsOf, code, wantBasis, wantAsOf)
	}
	for _, ch := range out.Children {
		if ch.Basis != wantBasis || ch.AsOf != wantAsOf {
			t.Errorf("GET %s: child %s basis %q as_of %q, want %q %q", path, ch.Division.Code, ch.Basis, ch.AsOf, wantBasis, wantAsOf)
		}
	}
	return out
}

// childCov returns the figures of child code.
func childCov(t *testing.T, c coverageJSON, code string) cov {
	t.Helper()
	for _, ch := range c.Children {
		if ch.Division.Code == code {
			return covOf(t, ch)
		}
	}
	t.Fatalf("%s has no child %s", c.Division.Code, code)
	return cov{}
}

func wantCov(t *testing.T, what string, got, want cov) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// apiState is the {"id","state"} answer of the API's writes.
type apiState struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
}

// wantState checks a write's answer: the status and exactly {"id","state"}.
func wantState(t *testing.T, what string, r response, status int, state string) apiState {
	t.Helper()
	wantStatus(t, what, r, status)
	var keys map[string]any
	decode(t, r, &keys)
	if got := sortedKeys(keys); !slices.Equal(got, []string{"id", "state"}) {
		t.Errorf("%s: keys %v, want [id state]", what, got)
	}
	var s apiState
	decode(t, r, &s)
	if s.ID <= 0 || s.State != state {
		t.Errorf("%s: got %+v, want a positive id and state %q", what, s, state)
	}
	return s
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checklistBody(on model.Date, submit bool, facts any) map[string]any {
	return map[string]any{"checked_on": on.String(), "submit": submit, "facts": facts}
}

// The worked example: checklists submitted and reviewed through the API,
// a hazard raised and closed, history and expiry, each figure computed by
// hand. Enrolments: A 500 (2 guards needed), B 1240 (3), C 50 (1), D 300
// (2), E 800 (2); the good facts have 2 licensed guards, so B fails
// security_guards only.
func TestAPICoverageFollowsChecklistsReviewsAndHazards(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, school, inspector, inspector2 := app.api(t, userAdmin), app.api(t, userSchool), app.api(t, userInspector), app.api(t, userInspector2)
	d0 := day0
	d1 := d0.AddDays(2)
	post := func(c *apiClient, code string, on model.Date) apiState {
		t.Helper()
		r := c.post("/api/v1/schools/"+code+"/checklists", checklistBody(on, true, goodFactsJSON(on)))
		return wantState(t, "submit "+code, r, http.StatusCreated, "submitted")
	}

	// Day 0: nothing yet. Five active schools, none covered.
	zero5 := cov{Schools: 5, Measures: [5]share{sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0")}, AllFive: sh(0, "0.0")}
	wantCov(t, "province before any check", covOf(t, coverage(t, admin, province, "", "verified", d0.String())), zero5)

	clA := post(school, schoolA, d0)
	clB := post(admin, schoolB, d0)
	clC := post(admin, schoolC, d0)
	clD := post(admin, schoolD, d0)

	// Reported: A, C, D meet all five; B all but guards.
	reported0 := cov{Schools: 5, Measures: [5]share{sh(4, "80.0"), sh(4, "80.0"), sh(3, "60.0"), sh(4, "80.0"), sh(4, "80.0")}, AllFive: sh(3, "60.0")}
	wantCov(t, "province reported on day 0", covOf(t, coverage(t, admin, province, "basis=reported", "reported", d0.String())), reported0)
	wantCov(t, "province verified on day 0 (nothing reviewed)", covOf(t, coverage(t, admin, province, "basis=verified", "verified", d0.String())), zero5)

	// Day 2: A and B verified, C returned, D verified by Baotou's
	// inspector; E submits and waits.
	app.clock.SetDay(d1)
	wantState(t, "verify A", inspector.post(fmt.Sprintf("/api/v1/checklists/%d/verify", clA.ID), nil), http.StatusOK, "verified")
	wantState(t, "verify B", inspector.post(fmt.Sprintf("/api/v1/checklists/%d/verify", clB.ID), ""), http.StatusOK, "verified")
	wantState(t, "return C", inspector.post(fmt.Sprintf("/api/v1/checklists/%d/return", clC.ID), map[string]string{"reason": "roster photo unreadable"}), http.StatusOK, "returned")
	wantState(t, "verify D", inspector2.post(fmt.Sprintf("/api/v1/checklists/%d/verify", clD.ID), map[string]any{}), http.StatusOK, "verified")
	post(admin, schoolE, d1)

	verified1 := cov{Schools: 5, Measures: [5]share{sh(3, "60.0"), sh(3, "60.0"), sh(2, "40.0"), sh(3, "60.0"), sh(3, "60.0")}, AllFive: sh(2, "40.0")}
	prov := coverage(t, admin, province, "", "verified", d1.String())
	wantCov(t, "province verified on day 2", covOf(t, prov), verified1)
	if len(prov.Children) != 12 {
		t.Errorf("province children: got %d, want the 12 prefectures", len(prov.Children))
	}
	wantCov(t, "Hohhot verified on day 2", childCov(t, prov, prefHohhot),
		cov{Schools: 4, Measures: [5]share{sh(2, "50.0"), sh(2, "50.0"), sh(1, "25.0"), sh(2, "50.0"), sh(2, "50.0")}, AllFive: sh(1, "25.0")})
	wantCov(t, "Baotou verified on day 2", childCov(t, prov, prefBaotou),
		cov{Schools: 1, Measures: [5]share{sh(1, "100.0"), sh(1, "100.0"), sh(1, "100.0"), sh(1, "100.0"), sh(1, "100.0")}, AllFive: sh(1, "100.0")})
	wantCov(t, "Wuhai (no schools)", childCov(t, prov, "150300"), noSchools)

	hohhot := coverage(t, inspector, prefHohhot, "", "verified", d1.String())
	if len(hohhot.Children) != 9 {
		t.Errorf("Hohhot children: got %d, want its 9 counties", len(hohhot.Children))
	}
	wantCov(t, "新城区 verified on day 2", childCov(t, hohhot, countyXC),
		cov{Schools: 2, Measures: [5]share{sh(2, "100.0"), sh(2, "100.0"), sh(1, "50.0"), sh(2, "100.0"), sh(2, "100.0")}, AllFive: sh(1, "50.0")})
	wantCov(t, "回民区 verified on day 2 (C returned, E waiting)", childCov(t, hohhot, countyHM),
		cov{Schools: 2, Measures: [5]share{sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0")}, AllFive: sh(0, "0.0")})
	wantCov(t, "玉泉区 (no schools)", childCov(t, hohhot, countyYQ), noSchools)

	// Reported counts E's submission and no longer C's returned one.
	wantCov(t, "province reported on day 2", covOf(t, coverage(t, admin, province, "basis=reported", "reported", d1.String())),
		cov{Schools: 5, Measures: [5]share{sh(4, "80.0"), sh(4, "80.0"), sh(3, "60.0"), sh(4, "80.0"), sh(4, "80.0")}, AllFive: sh(3, "60.0")})

	// History: as of day 0 the dashboard showed what it showed then.
	wantCov(t, "province verified as of day 0", covOf(t, coverage(t, admin, province, "as_of="+d0.String(), "verified", d0.String())), zero5)
	wantCov(t, "province reported as of day 0", covOf(t, coverage(t, admin, province, "basis=reported&as_of="+d0.String(), "reported", d0.String())), reported0)
	wantCov(t, "province before the schools existed", covOf(t, coverage(t, admin, province, "as_of="+d0.AddDays(-30).String(), "verified", d0.AddDays(-30).String())),
		cov{Schools: 0, Measures: noSchools.Measures, AllFive: noSchools.AllFive})

	// A hazard on A's video uncovers that measure from today.
	hz := wantState(t, "raise hazard", inspector.post("/api/v1/schools/"+schoolA+"/hazards", map[string]any{
		"measure": "video_networking", "description": "gate camera offline", "severity": "high", "deadline": d1.AddDays(5).String()}),
		http.StatusCreated, "open")
	wantCov(t, "新城区 with the hazard open", covOf(t, coverage(t, inspector, countyXC, "", "verified", d1.String())),
		cov{Schools: 2, Measures: [5]share{sh(2, "100.0"), sh(2, "100.0"), sh(1, "50.0"), sh(2, "100.0"), sh(1, "50.0")}, AllFive: sh(0, "0.0")})
	st := schoolStatus(t, school, schoolA, "")
	if v := st.Measures["video_networking"]; v.Covered || v.Reason == nil || !strings.Contains(*v.Reason, fmt.Sprintf("open hazard #%d", hz.ID)) {
		t.Errorf("A's video with the hazard open: %+v, want uncovered naming hazard #%d", v, hz.ID)
	}
	if st.AllFive {
		t.Errorf("A's all_five with a hazard open: true, want false")
	}
	want := []hazardJSON{{ID: hz.ID, Measure: "video_networking", Severity: "high", Deadline: d1.AddDays(5).String(), State: "open", Overdue: false}}
	if diff := cmp.Diff(want, st.Hazards); diff != "" {
		t.Errorf("A's hazards (-want +got):\n%s", diff)
	}

	// Past its deadline the hazard is overdue.
	app.clock.SetDay(d1.AddDays(6))
	st = schoolStatus(t, school, schoolA, "")
	want[0].Overdue = true
	if diff := cmp.Diff(want, st.Hazards); diff != "" {
		t.Errorf("A's hazards past the deadline (-want +got):\n%s", diff)
	}

	// Closing it covers the measure again; closing twice is a conflict.
	wantState(t, "close hazard", inspector.post(fmt.Sprintf("/api/v1/hazards/%d/close", hz.ID), nil), http.StatusOK, "closed")
	wantJSONError(t, "close the hazard twice", inspector.post(fmt.Sprintf("/api/v1/hazards/%d/close", hz.ID), nil), http.StatusConflict)
	st = schoolStatus(t, school, schoolA, "")
	if !st.Measures["video_networking"].Covered || !st.AllFive || len(st.Hazards) != 0 {
		t.Errorf("A after the hazard closed: %+v, want covered on all five and no open hazards", st)
	}

	// A closed school leaves the denominator: 回民区's C goes, Hohhot keeps
	// A, B, E. 2 of 3 is 66.6%, rounded down.
	if err := app.store.SetSchoolActive(t.Context(), app.users[userAdmin], schoolC, false); err != nil {
		t.Fatal(err)
	}
	wantCov(t, "Hohhot verified without C", covOf(t, coverage(t, leaderAPI(t, app), prefHohhot, "", "verified", d1.AddDays(6).String())),
		cov{Schools: 3, Measures: [5]share{sh(2, "66.6"), sh(2, "66.6"), sh(1, "33.3"), sh(2, "66.6"), sh(2, "66.6")}, AllFive: sh(1, "33.3")})

	// Validity: a check of day 0 counts through day 0 + 180.
	app.clock.SetDay(d0.AddDays(181))
	wantCov(t, "Hohhot verified on the last valid day", covOf(t, coverage(t, admin, prefHohhot, "as_of="+d0.AddDays(180).String(), "verified", d0.AddDays(180).String())),
		cov{Schools: 3, Measures: [5]share{sh(2, "66.6"), sh(2, "66.6"), sh(1, "33.3"), sh(2, "66.6"), sh(2, "66.6")}, AllFive: sh(1, "33.3")})
	wantCov(t, "Hohhot verified the day after", covOf(t, coverage(t, admin, prefHohhot, "", "verified", d0.AddDays(181).String())),
		cov{Schools: 3, Measures: [5]share{sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0"), sh(0, "0.0")}, AllFive: sh(0, "0.0")})
	// E's submission of day 2 still counts as reported.
	wantCov(t, "Hohhot reported the day after", covOf(t, coverage(t, admin, prefHohhot, "basis=reported", "reported", d0.AddDays(181).String())),
		cov{Schools: 3, Measures: [5]share{sh(1, "33.3"), sh(1, "33.3"), sh(1, "33.3"), sh(1, "33.3"), sh(1, "33.3")}, AllFive: sh(1, "33.3")})
}

func leaderAPI(t *testing.T, app *testApp) *apiClient { return app.api(t, userLeader) }

func TestAPICoverageShape(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userAdmin)
	for _, tc := range []struct {
		code, level string
		children    int
	}{
		{province, "province", 12},
		{prefHohhot, "prefecture", 9},
		{countyXC, "county", 0},
		{countyYQ, "county", 0},
	} {
		t.Run(tc.code, func(t *testing.T) {
			r := c.get("/api/v1/coverage/" + tc.code)
			wantStatus(t, "GET coverage", r, http.StatusOK)
			var raw map[string]any
			decode(t, r, &raw)
			if got, want := sortedKeys(raw), []string{"all_five", "as_of", "basis", "children", "division", "measures", "schools"}; !slices.Equal(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			div, _ := raw["division"].(map[string]any)
			if got, want := sortedKeys(div), []string{"code", "level", "name"}; !slices.Equal(got, want) {
				t.Errorf("division keys %v, want %v", got, want)
			}
			if div["code"] != tc.code || div["level"] != tc.level || div["name"] == "" {
				t.Errorf("division %v, want code %s level %s and a name", div, tc.code, tc.level)
			}
			if raw["basis"] != "verified" || raw["as_of"] != day0.String() {
				t.Errorf("defaults: basis %v as_of %v, want verified %s", raw["basis"], raw["as_of"], day0)
			}
			checkShares(t, tc.code, raw)
			children, ok := raw["children"].([]any)
			if !ok || len(children) != tc.children {
				t.Fatalf("children %v, want an array of %d", raw["children"], tc.children)
			}
			for _, ch := range children {
				m, _ := ch.(map[string]any)
				if got, want := sortedKeys(m), []string{"all_five", "as_of", "basis", "division", "measures", "schools"}; !slices.Equal(got, want) {
					t.Errorf("child keys %v, want %v", got, want)
				}
				checkShares(t, tc.code+" child", m)
			}
		})
	}
	// A division with no schools: percent null, not 0 or 100.
	r := c.get("/api/v1/coverage/" + countyYQ)
	for _, needle := range []string{`"schools":0`, `"percent":null`} {
		if !strings.Contains(r.body, needle) {
			t.Errorf("coverage of a division without schools lacks %s: %s", needle, r.body)
		}
	}
	if strings.Contains(r.body, `"percent":0`) || strings.Contains(r.body, `"percent":100`) {
		t.Errorf("coverage of a division without schools shows a number: %s", r.body)
	}
	// Percent is a JSON number with one decimal.
	r = c.get("/api/v1/coverage/" + countyXC)
	if !strings.Contains(r.body, `"percent":0.0`) {
		t.Errorf(`coverage of a county with uncovered schools lacks "percent":0.0: %s`, r.body)
	}
}

// checkShares checks the measures and all_five objects of a coverage.
func checkShares(t *testing.T, what string, m map[string]any) {
	t.Helper()
	measures, _ := m["measures"].(map[string]any)
	var keys []string
	for _, mk := range model.Measures {
		keys = append(keys, string(mk))
	}
	slices.Sort(keys)
	if got := sortedKeys(measures); !slices.Equal(got, keys) {
		t.Errorf("%s: measure keys %v, want %v", what, got, keys)
	}
	shares := []any{m["all_five"]}
	for _, v := range measures {
		shares = append(shares, v)
	}
	for _, s := range shares {
		sm, _ := s.(map[string]any)
		if got := sortedKeys(sm); !slices.Equal(got, []string{"covered", "percent"}) {
			t.Errorf("%s: share keys %v, want [covered percent]", what, got)
		}
	}
}

func TestAPICoverageBadParameters(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userAdmin)
	for _, q := range []string{
		"basis=everything",
		"basis=Verified",
		"as_of=2026-13-01",
		"as_of=yesterday",
		"as_of=2026-3-1",
		"as_of=" + day0.AddDays(1).String(), // the future
	} {
		r := c.get("/api/v1/coverage/" + prefHohhot + "?" + q)
		wantJSONError(t, "coverage?"+q, r, http.StatusBadRequest)
	}
	for _, q := range []string{"basis=everything", "basis=REPORTED"} {
		wantJSONError(t, "school?"+q, c.get("/api/v1/schools/"+schoolA+"?"+q), http.StatusBadRequest)
	}
}

// schoolJSON is GET /api/v1/schools/{code}.
type schoolJSON struct {
	Code         string                 `json:"code"`
	Name         string                 `json:"name"`
	Type         string                 `json:"type"`
	DivisionCode string                 `json:"division_code"`
	Students     int                    `json:"students"`
	Boarders     int                    `json:"boarders"`
	Active       bool                   `json:"active"`
	Basis        string                 `json:"basis"`
	Measures     map[string]measureJSON `json:"measures"`
	AllFive      bool                   `json:"all_five"`
	Hazards      []hazardJSON           `json:"hazards"`
}

type measureJSON struct {
	Covered   bool    `json:"covered"`
	Reason    *string `json:"reason"`
	CheckedOn *string `json:"checked_on"`
	ExpiresOn *string `json:"expires_on"`
}

type hazardJSON struct {
	ID       int64  `json:"id"`
	Measure  string `json:"measure"`
	Severity string `json:"severity"`
	Deadline string `json:"deadline"`
	State    string `json:"state"`
	Overdue  bool   `json:"overdue"`
}

func schoolStatus(t *testing.T, c *apiClient, code, query string) schoolJSON {
	t.Helper()
	path := "/api/v1/schools/" + code
	if query != "" {
		path += "?" + query
	}
	r := c.get(path)
	wantStatus(t, "GET "+path, r, http.StatusOK)
	var s schoolJSON
	decode(t, r, &s)
	return s
}

func TestAPISchoolShapeAndReasons(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userInspector)
	clB := app.checklist(t, schoolB, day0, goodFacts(day0), true)

	// The raw shape.
	r := c.get("/api/v1/schools/" + schoolB + "?basis=reported")
	wantStatus(t, "GET school", r, http.StatusOK)
	var raw map[string]any
	decode(t, r, &raw)
	if got, want := sortedKeys(raw), []string{"active", "all_five", "basis", "boarders", "code", "division_code", "hazards", "measures", "name", "rule_set", "students", "type"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	if rs, ok := raw["rule_set"].(map[string]any); !ok || !slices.Equal(sortedKeys(rs), []string{"division_code", "id", "version"}) || rs["division_code"] != nil {
		t.Errorf("rule_set %v, want id, version and division_code null (the national default)", raw["rule_set"])
	}
	for k, v := range raw["measures"].(map[string]any) {
		if got, want := sortedKeys(v.(map[string]any)), []string{"checked_on", "covered", "expires_on", "reason"}; !slices.Equal(got, want) {
			t.Errorf("measure %s keys %v, want %v", k, got, want)
		}
	}
	if h, ok := raw["hazards"].([]any); !ok || len(h) != 0 {
		t.Errorf("hazards %v, want an empty array", raw["hazards"])
	}

	// Reported: B's check counts; guards fall short with the reason.
	s := schoolStatus(t, c, schoolB, "basis=reported")
	str := func(s string) *string { return &s }
	checked, expires := str("2026-03-02"), str("2026-08-29") // day 0 + 180
	want := schoolJSON{Code: schoolB, Name: "新城区幼儿园", Type: "kindergarten", DivisionCode: countyXC, Students: 1240,
		Active: true, Basis: "reported", AllFive: false, Hazards: []hazardJSON{},
		Measures: map[string]measureJSON{
			"nursing_post":      {Covered: true, CheckedOn: checked, ExpiresOn: expires},
			"closed_management": {Covered: true, CheckedOn: checked, ExpiresOn: expires},
			"security_guards":   {Covered: false, Reason: str("2 guards, 3 required for 1240 students"), CheckedOn: checked, ExpiresOn: expires},
			"one_button_alarm":  {Covered: true, CheckedOn: checked, ExpiresOn: expires},
			"video_networking":  {Covered: true, CheckedOn: checked, ExpiresOn: expires},
		}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("B reported (-want +got):\n%s", diff)
	}

	// Verified (the default): nothing verified yet, every measure says so.
	s = schoolStatus(t, c, schoolB, "")
	if s.Basis != "verified" || s.AllFive {
		t.Errorf("B verified: basis %q all_five %v, want verified false", s.Basis, s.AllFive)
	}
	for k, m := range s.Measures {
		if m.Covered || m.Reason == nil || *m.Reason != "no checklist on record" || m.CheckedOn != nil || m.ExpiresOn != nil {
			t.Errorf("B verified %s = %+v, want uncovered, reason %q, no dates", k, m, "no checklist on record")
		}
	}

	// Once verified, the verified basis shows the same reasons.
	if _, err := app.store.VerifyChecklist(t.Context(), app.users[userInspector], clB.ID); err != nil {
		t.Fatal(err)
	}
	want.Basis = "verified"
	if diff := cmp.Diff(want, schoolStatus(t, c, schoolB, "")); diff != "" {
		t.Errorf("B verified (-want +got):\n%s", diff)
	}

	// Several reasons for one measure are all given.
	bad := goodFacts(day0)
	bad.VideoNetworking.GateCovered = ptr(false)
	bad.VideoNetworking.RetentionDays = ptr(7)
	app.checklist(t, schoolC, day0, bad, true)
	s = schoolStatus(t, c, schoolC, "basis=reported")
	v := s.Measures["video_networking"]
	if v.Covered || v.Reason == nil || !strings.Contains(*v.Reason, "gate not covered by a camera") || !strings.Contains(*v.Reason, "video kept 7 days, at least 30 required") {
		t.Errorf("C video = %+v, want both reasons", v)
	}
	if !s.Measures["security_guards"].Covered {
		t.Errorf("C (50 students) with 2 guards: security_guards not covered: %+v", s.Measures["security_guards"])
	}
}

func TestAPICreateChecklistValidation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userSchool)
	path := "/api/v1/schools/" + schoolA + "/checklists"
	missing := goodFactsJSON(day0)
	delete(missing["video_networking"], "retention_days")
	unknownFact := goodFactsJSON(day0)
	unknownFact["nursing_post"]["bogus_fact"] = true
	unknownMeasure := map[string]any{"fire_drill": map[string]any{"done": true}}
	wrongType := goodFactsJSON(day0)
	wrongType["nursing_post"]["am_staff"] = "two"
	negative := goodFactsJSON(day0)
	negative["security_guards"]["full_time_guards"] = -1
	unlicensed := goodFactsJSON(day0)
	unlicensed["security_guards"]["licensed_guards"] = 5
	badChoice := goodFactsJSON(day0)
	badChoice["closed_management"]["anti_ramming"] = "moat"

	for _, tc := range []struct {
		name   string
		body   any
		status int
		naming []string // words the error must contain
	}{
		{"malformed JSON", `{"checked_on": "2026-03-02", "facts": {`, 400, nil},
		{"not an object", `[1, 2]`, 400, nil},
		{"empty body", ``, 400, nil},
		{"checked_on missing", map[string]any{"submit": true, "facts": goodFactsJSON(day0)}, 422, []string{"checked_on"}},
		{"checked_on not a date", map[string]any{"checked_on": "2026-02-30", "facts": goodFactsJSON(day0)}, 422, []string{"checked_on"}},
		{"checked_on in the future", checklistBody(day0.AddDays(1), true, goodFactsJSON(day0)), 422, []string{"checked_on", "future"}},
		{"a fact missing on submit", checklistBody(day0, true, missing), 422, []string{"video_networking.retention_days"}},
		{"a measure missing on submit", checklistBody(day0, true, map[string]any{"nursing_post": goodFactsJSON(day0)["nursing_post"]}), 422, []string{"security_guards.full_time_guards"}},
		{"unknown fact", checklistBody(day0, false, unknownFact), 422, []string{"bogus_fact"}},
		{"unknown measure", checklistBody(day0, false, unknownMeasure), 422, []string{"fire_drill"}},
		{"fact of the wrong type", checklistBody(day0, false, wrongType), 422, []string{"am_staff"}},
		{"negative count", checklistBody(day0, true, negative), 422, []string{"full_time_guards"}},
		{"more licensed than guards", checklistBody(day0, true, unlicensed), 422, []string{"licensed_guards"}},
		{"unknown anti_ramming", checklistBody(day0, true, badChoice), 422, []string{"anti_ramming"}},
		{"facts not an object", map[string]any{"checked_on": day0.String(), "facts": []int{1}}, 422, []string{"facts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantJSONError(t, tc.name, c.post(path, tc.body), tc.status)
			for _, w := range tc.naming {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not name %q", msg, w)
				}
			}
		})
	}
	cls, err := app.store.SchoolChecklists(t.Context(), app.school(t, schoolA).ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cls) != 0 {
		t.Errorf("refused checklists were saved: %d rows", len(cls))
	}

	// A draft may be partial; a complete submission is accepted.
	wantState(t, "partial draft", c.post(path, checklistBody(day0, false, missing)), http.StatusCreated, "draft")
	wantState(t, "draft without facts", c.post(path, map[string]any{"checked_on": day0.String()}), http.StatusCreated, "draft")
	wantState(t, "a past check date", c.post(path, checklistBody(day0.AddDays(-20), true, goodFactsJSON(day0.AddDays(-20)))), http.StatusCreated, "submitted")
	wantState(t, "submit", c.post(path, checklistBody(day0, true, goodFactsJSON(day0))), http.StatusCreated, "submitted")

	// A closed school takes no checklists.
	if err := app.store.SetSchoolActive(t.Context(), app.users[userAdmin], schoolA, false); err != nil {
		t.Fatal(err)
	}
	wantJSONError(t, "closed school", c.post(path, checklistBody(day0, true, goodFactsJSON(day0))), http.StatusConflict)
}

func TestAPIBodyTooLarge(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userSchool)
	path := "/api/v1/schools/" + schoolA + "/checklists"
	big := `{"checked_on":"` + day0.String() + `","facts":{},"pad":"` + strings.Repeat("x", 1<<20) + `"}`

	// With a Content-Length.
	wantJSONError(t, "1 MiB body with Content-Length", c.post(path, big), http.StatusRequestEntityTooLarge)

	// Chunked: no length announced, the limit trips while reading.
	req, _ := http.NewRequest(http.MethodPost, c.base+path, io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantJSONError(t, "1 MiB chunked body", readResponse(t, res), http.StatusRequestEntityTooLarge)

	// The same on the review and hazard routes.
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	admin := app.api(t, userAdmin)
	wantJSONError(t, "1 MiB return reason", admin.post(fmt.Sprintf("/api/v1/checklists/%d/return", cl.ID), bytes.Repeat([]byte(" "), 1<<20+1)), http.StatusRequestEntityTooLarge)
	wantJSONError(t, "1 MiB hazard", admin.post("/api/v1/schools/"+schoolA+"/hazards", big), http.StatusRequestEntityTooLarge)
}

func TestAPIReviewStates(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userInspector)
	url := func(id int64, action string) string { return fmt.Sprintf("/api/v1/checklists/%d/%s", id, action) }

	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	wantState(t, "verify", c.post(url(cl.ID, "verify"), nil), http.StatusOK, "verified")
	wantJSONError(t, "verify twice", c.post(url(cl.ID, "verify"), nil), http.StatusConflict)
	wantJSONError(t, "return a verified checklist", c.post(url(cl.ID, "return"), map[string]string{"reason": "late"}), http.StatusConflict)

	draft := app.checklist(t, schoolA, day0, goodFacts(day0), false)
	wantJSONError(t, "verify a draft", c.post(url(draft.ID, "verify"), nil), http.StatusConflict)
	wantJSONError(t, "return a draft", c.post(url(draft.ID, "return"), map[string]string{"reason": "late"}), http.StatusConflict)

	sub := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	for _, tc := range []struct {
		name   string
		body   any
		status int
	}{
		{"no body", nil, 422},
		{"no reason", map[string]string{}, 422},
		{"a blank reason", map[string]string{"reason": "   "}, 422},
		{"malformed JSON", `{"reason":`, 400},
	} {
		msg := wantJSONError(t, "return with "+tc.name, c.post(url(sub.ID, "return"), tc.body), tc.status)
		if tc.status == 422 && !strings.Contains(msg, "reason") {
			t.Errorf("return with %s: error %q does not name the reason", tc.name, msg)
		}
	}
	wantJSONError(t, "verify with malformed JSON", c.post(url(sub.ID, "verify"), `{`), http.StatusBadRequest)
	wantState(t, "return", c.post(url(sub.ID, "return"), map[string]string{"reason": "roster missing"}), http.StatusOK, "returned")
	wantJSONError(t, "verify a returned checklist", c.post(url(sub.ID, "verify"), nil), http.StatusConflict)
	wantJSONError(t, "return twice", c.post(url(sub.ID, "return"), map[string]string{"reason": "again"}), http.StatusConflict)
}

func TestAPIHazards(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.api(t, userInspector)
	school := app.api(t, userSchool)
	app.checklist(t, schoolA, day0, goodFacts(day0), true)
	path := "/api/v1/schools/" + schoolA + "/hazards"
	good := func() map[string]any {
		return map[string]any{"measure": "closed_management", "description": "gate left open", "severity": "medium", "deadline": day0.AddDays(7).String()}
	}
	with := func(k string, v any) map[string]any {
		b := good()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		naming string
	}{
		{"malformed JSON", `{"measure":`, 400, ""},
		{"unknown severity", with("severity", "urgent"), 422, "severity"},
		{"no severity", with("severity", nil), 422, "severity"},
		{"unknown measure", with("measure", "fire_drill"), 422, "measure"},
		{"no description", with("description", " "), 422, "description"},
		{"no deadline", with("deadline", nil), 422, "deadline"},
		{"deadline in the past", with("deadline", day0.AddDays(-1).String()), 422, "deadline"},
		{"deadline not a date", with("deadline", "next week"), 422, "deadline"},
	} {
		msg := wantJSONError(t, tc.name, c.post(path, tc.body), tc.status)
		if !strings.Contains(msg, tc.naming) {
			t.Errorf("%s: error %q does not name %q", tc.name, msg, tc.naming)
		}
	}
	if s := schoolStatus(t, school, schoolA, "basis=reported"); len(s.Hazards) != 0 || !s.AllFive {
		t.Fatalf("refused hazards changed the school: %+v", s)
	}

	// An open hazard uncovers its measure; "other" uncovers none.
	other := wantState(t, "hazard on other", c.post(path, with("measure", "other")), http.StatusCreated, "open")
	if s := schoolStatus(t, school, schoolA, "basis=reported"); !s.AllFive || len(s.Hazards) != 1 {
		t.Errorf("with a hazard on other: all_five %v, %d hazards; want true and 1", s.AllFive, len(s.Hazards))
	}
	h := wantState(t, "hazard", c.post(path, good()), http.StatusCreated, "open")
	s := schoolStatus(t, school, schoolA, "basis=reported")
	if m := s.Measures["closed_management"]; m.Covered || s.AllFive {
		t.Errorf("with a hazard on closed_management: %+v all_five %v, want uncovered", m, s.AllFive)
	}
	if len(s.Hazards) != 2 {
		t.Errorf("open hazards %+v, want 2", s.Hazards)
	}

	wantState(t, "close", c.post(fmt.Sprintf("/api/v1/hazards/%d/close", h.ID), nil), http.StatusOK, "closed")
	wantJSONError(t, "close twice", c.post(fmt.Sprintf("/api/v1/hazards/%d/close", h.ID), nil), http.StatusConflict)
	wantState(t, "close with an empty object", c.post(fmt.Sprintf("/api/v1/hazards/%d/close", other.ID), map[string]any{}), http.StatusOK, "closed")
	s = schoolStatus(t, school, schoolA, "basis=reported")
	if !s.Measures["closed_management"].Covered || !s.AllFive || len(s.Hazards) != 0 {
		t.Errorf("after closing: %+v, want covered and no open hazards", s)
	}
}
