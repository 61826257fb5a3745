package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"safecampus/internal/model"
)

func TestInspectionsAndReportThroughTheAPI(t *testing.T) {
	a := newTestApp(t)
	insp := a.api(t, userInspector)
	base := "/api/v1/schools/" + schoolA

	if r := insp.call("POST", base+"/inspections", map[string]any{"inspected_on": day0.AddDays(1).String()}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "future") {
		t.Errorf("a future inspection: %d %s, want 422 naming the future", r.status, r.body)
	}
	if r := insp.call("POST", base+"/inspections", map[string]any{"inspected_on": "soon"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a date that is not a date: %d %s, want 422", r.status, r.body)
	}
	r := insp.call("POST", base+"/inspections", map[string]any{"inspected_on": day0.String(), "notes": "gate and wall"})
	var created struct{ ID int64 }
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &created) != nil || created.ID == 0 {
		t.Fatalf("create inspection: %d %s", r.status, r.body)
	}
	hazard := map[string]any{"measure": "closed_management", "description": "wall broken", "severity": "high",
		"deadline": day0.AddDays(7).String(), "inspection_id": created.ID}
	r = insp.call("POST", "/api/v1/schools/"+schoolC+"/hazards", hazard)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "inspection") {
		t.Errorf("a hazard naming another school's inspection: %d %s, want 422", r.status, r.body)
	}
	r = insp.call("POST", base+"/hazards", hazard)
	var h struct{ ID int64 }
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &h) != nil {
		t.Fatalf("create hazard: %d %s", r.status, r.body)
	}
	if got, err := a.store.Hazard(t.Context(), h.ID); err != nil || got.InspectionID != created.ID {
		t.Errorf("hazard names inspection %d (%v), want %d", got.InspectionID, err, created.ID)
	}
	if page := a.loggedIn(t, userInspector).get("/hazards/" + strconv.FormatInt(h.ID, 10)); page.status != http.StatusOK ||
		!strings.Contains(page.body, `href="/inspections/`+strconv.FormatInt(created.ID, 10)+`"`) {
		t.Errorf("the hazard page links the inspection it came from: %d", page.status)
	}
	if r := insp.call("POST", "/api/v1/hazards/"+strconv.FormatInt(h.ID, 10)+"/close", nil); r.status != http.StatusOK {
		t.Fatalf("close: %d %s", r.status, r.body)
	}

	a.clock.SetDay(day0.AddDays(1))
	leader := a.api(t, userLeader)
	period := "?from=" + day0.String() + "&to=" + day0.String()
	r = leader.call("GET", "/api/v1/reports/"+prefHohhot+period, nil)
	if r.status != http.StatusOK {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.body), &rep); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"from": day0.String(), "to": day0.String(), "inspections": 1.0, "schools_inspected": 1.0,
		"hazards_found": 1.0, "hazards_closed": 1.0, "rectification_rate": 100.0, "overdue_open": 0.0} {
		if rep[k] != want {
			t.Errorf("%s = %v, want %v", k, rep[k], want)
		}
	}
	for _, k := range []string{"division", "schools", "checklists_submitted", "checklists_verified", "coverage_start", "coverage_end", "children"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report lacks %q: %s", k, r.body)
		}
	}
	if cs, ok := rep["coverage_end"].(map[string]any); !ok || cs["measures"] == nil || cs["all_five"] == nil {
		t.Errorf("coverage_end shape: %v", rep["coverage_end"])
	}
	children, _ := rep["children"].([]any)
	if len(children) < 3 {
		t.Fatalf("children: %v", rep["children"])
	}
	for _, ch := range children {
		if _, nested := ch.(map[string]any)["children"]; nested {
			t.Errorf("a child carries children: %v", ch)
		}
	}
	// 新城区 and 回民区 tie at 0% and come by code, before the counties
	// without schools (null percentages).
	var order []any
	for _, ch := range children[:3] {
		order = append(order, ch.(map[string]any)["division"].(map[string]any)["code"])
	}
	if order[0] != countyXC || order[1] != countyHM || order[2] != countyYQ {
		t.Errorf("ranking starts %v, want %s %s %s", order, countyXC, countyHM, countyYQ)
	}
	if last := children[2].(map[string]any); last["rectification_rate"] != nil {
		t.Errorf("a county without hazards has rectification %v, want null", last["rectification_rate"])
	}

	for _, q := range []string{"?from=" + day0.String() + "&to=" + day0.AddDays(-1).String(), "?from=yesterday", "?to=" + day0.AddDays(5).String()} {
		if r := leader.call("GET", "/api/v1/reports/"+prefHohhot+q, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"error"`) {
			t.Errorf("report %s: %d %s, want a 422 JSON error", q, r.status, r.body)
		}
	}

	web := a.signedIn(t, userLeader)
	page := web.get("/divisions/" + prefHohhot + "/report" + period)
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="period-report-table"`) ||
		!strings.Contains(page.body, `data-testid="period-report-chart"`) || !strings.Contains(page.body, `data-testid="period-report-row-`+countyXC+`"`) {
		t.Errorf("report page: %d", page.status)
	}
	bad := web.get("/divisions/" + prefHohhot + "/report?from=" + day0.String() + "&to=2026-01-01")
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `data-testid="field-error-to"`) ||
		!strings.Contains(bad.body, `value="2026-01-01"`) {
		t.Errorf("bad period: %d, want 422 with the error beside the field and the value kept", bad.status)
	}
	// Without a period: the last full month.
	if def := web.get("/divisions/" + prefHohhot + "/report"); def.status != http.StatusOK || !strings.Contains(def.body, "2026-02-01") ||
		!strings.Contains(def.body, "2026-02-28") {
		t.Errorf("default period: %d, want February 2026", def.status)
	}

	x := web.get("/divisions/" + prefHohhot + "/report.xlsx" + period)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.body)))
	if err != nil {
		t.Fatalf("report.xlsx (%d): %v", x.status, err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "figures" || got[1] != "children" {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows("children")
	if err != nil || len(rows) != len(children)+1 || rows[0][0] != "rank" {
		t.Errorf("children sheet: %v %v", rows, err)
	}
	if v, _ := f.GetCellValue("figures", "F2"); v != "1" {
		t.Errorf("figures sheet inspections = %q, want 1", v)
	}
}

// campaign launches a campaign over the division from day0 for a month,
// targeting 90% on all five.
func (a *testApp) campaign(t *testing.T, code string) model.Campaign {
	t.Helper()
	in := model.CampaignInput{Name: "护校安园 " + code, DivisionCode: code, StartsOn: day0, EndsOn: day0.AddDays(30)}
	in.Targets[5] = model.Percent{Tenths: 900, Valid: true}
	c, err := a.store.CreateCampaign(t.Context(), a.users[userAdmin], in)
	if err != nil {
		t.Fatalf("campaign over %s: %v", code, err)
	}
	return c
}

// campaign is an API launch body over the division.
func campaign(code string) map[string]any {
	return map[string]any{"name": "平安校园百日行动", "division_code": code, "starts_on": day0.String(),
		"ends_on": day0.AddDays(99).String(), "targets": map[string]any{"all_five": 95, "security_guards": 99.5}}
}
