package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCampaignLaunchAndProgress(t *testing.T) {
	a := newTestApp(t)
	a.verified(t, day0, schoolA, schoolC)
	leader := a.api(t, userLeader)

	bad := []struct {
		name   string
		change func(map[string]any)
		status int
		words  string
	}{
		{"ends before it starts", func(b map[string]any) { b["ends_on"] = day0.AddDays(-1).String() }, 422, "before it starts"},
		{"target over 100", func(b map[string]any) { b["targets"] = map[string]any{"all_five": 100.5} }, 422, "all_five"},
		{"unknown target", func(b map[string]any) { b["targets"] = map[string]any{"fire_drills": 90} }, 422, "fire_drills"},
		{"outside the scope", func(b map[string]any) { b["division_code"] = prefBaotou }, 403, ""},
		{"no name", func(b map[string]any) { b["name"] = " " }, 422, "name"},
	}
	for _, tc := range bad {
		body := campaign(prefHohhot)
		tc.change(body)
		r := leader.call("POST", "/api/v1/campaigns", body)
		if r.status != tc.status || !strings.Contains(r.body, `"error"`) || !strings.Contains(r.body, tc.words) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, r.status, r.body, tc.status, tc.words)
		}
	}
	// Starting tomorrow: the seeded schools exist the day before it starts.
	body := campaign(prefHohhot)
	body["starts_on"] = day0.AddDays(1).String()
	r := leader.call("POST", "/api/v1/campaigns", body)
	var created struct{ ID int64 }
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &created) != nil {
		t.Fatalf("launch: %d %s", r.status, r.body)
	}
	id := jsonNumberOf(created.ID)

	// A hazard during the campaign opens a ledger item; closing it closes it.
	a.clock.SetDay(day0.AddDays(2))
	h := a.hazard(t, schoolA, "video_networking")
	a.clock.SetDay(day0.AddDays(4))
	if r := a.api(t, userInspector).call("POST", "/api/v1/hazards/"+jsonNumberOf(h.ID)+"/close", nil); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	a.clock.SetDay(day0.AddDays(5))
	r = leader.call("GET", "/api/v1/campaigns/"+id, nil)
	var got struct {
		Name         string
		DivisionCode string `json:"division_code"`
		Targets      map[string]float64
		AsOf         string `json:"as_of"`
		Measures     map[string]struct {
			Covered int
			Percent *float64
			Target  *float64
			Met     *bool
		}
		AllFive struct {
			Covered int
			Percent *float64
			Target  *float64
			Met     *bool
		} `json:"all_five"`
		Children []map[string]any
		Ledger   map[string]int
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil {
		t.Fatalf("campaign: %d %s", r.status, r.body)
	}
	if got.DivisionCode != prefHohhot || got.AsOf != day0.AddDays(5).String() || got.Targets["all_five"] != 95 || got.Targets["security_guards"] != 99.5 {
		t.Errorf("campaign head: %s", r.body)
	}
	if got.AllFive.Target == nil || *got.AllFive.Target != 95 || got.AllFive.Met == nil || *got.AllFive.Met {
		t.Errorf("all five progress: %+v", got.AllFive)
	}
	if m := got.Measures["nursing_post"]; m.Target != nil || m.Met != nil {
		t.Errorf("a measure without target has target %v met %v, want null", m.Target, m.Met)
	}
	if len(got.Children) == 0 || got.Children[0]["division"] == nil {
		t.Errorf("children: %v", got.Children)
	}
	// Open at the start: every measure of the schools without a verified
	// check; opened during it: schoolA's video networking, closed on day 4.
	if got.Ledger["opened"] != 1 || got.Ledger["closed"] != 1 || got.Ledger["open_at_start"] == 0 ||
		got.Ledger["remaining"] != got.Ledger["open_at_start"] {
		t.Errorf("ledger %v", got.Ledger)
	}

	web := a.signedIn(t, userLeader)
	page := web.get("/campaigns/" + id)
	for _, want := range []string{`data-testid="campaign-progress"`, `data-testid="campaign-ranking"`, `data-testid="ledger-table"`, `data-testid="campaign-trend"`} {
		if page.status != 200 || !strings.Contains(page.body, want) {
			t.Errorf("campaign page (%d) lacks %s", page.status, want)
		}
	}
	csv := web.get("/campaigns/" + id + "/ledger.csv")
	if csv.status != 200 || !strings.Contains(csv.text(), schoolA+",") || !strings.Contains(csv.text(), day0.AddDays(4).String()) {
		t.Errorf("ledger.csv: %d\n%s", csv.status, csv.body)
	}
	dash := web.get("/divisions/" + prefHohhot)
	if !strings.Contains(dash.body, `data-testid="running-campaign-`+id+`"`) || !strings.Contains(dash.body, `data-testid="last-month-report"`) {
		t.Errorf("the dashboard does not link the running campaign and last month's report")
	}

	// The form: errors beside their fields, values kept; outside the scope 403.
	form := url.Values{"name": {"护校行动"}, "division_code": {prefHohhot}, "starts_on": {day0.String()},
		"ends_on": {day0.AddDays(-3).String()}, "target.all_five": {"120"}}
	res := web.submit("/campaigns", "/campaigns", form)
	if res.status != 422 || !strings.Contains(res.body, `data-testid="field-error-ends_on"`) ||
		!strings.Contains(res.body, `data-testid="field-error-target.all_five"`) || !strings.Contains(res.body, `value="120"`) ||
		!strings.Contains(res.body, `value="护校行动"`) {
		t.Errorf("bad launch form: %d", res.status)
	}
	form = url.Values{"name": {"护校行动"}, "division_code": {prefBaotou}, "starts_on": {day0.String()}, "ends_on": {day0.AddDays(3).String()}}
	if res := web.submit("/campaigns", "/campaigns", form); res.status != 403 || !strings.Contains(res.body, `data-testid="field-error-division_code"`) {
		t.Errorf("a division outside the scope: %d", res.status)
	}
	form.Set("division_code", countyXC)
	if res := web.submit("/campaigns", "/campaigns", form); res.status != http.StatusSeeOther {
		t.Errorf("launch from the form: %d", res.status)
	}
}

func jsonNumberOf(n int64) string { b, _ := json.Marshal(n); return string(b) }
