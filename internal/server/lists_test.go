package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// optionValues lists the values of the options of the select named name.
func optionValues(t *testing.T, body, name string) []string {
	t.Helper()
	sel := regexp.MustCompile(`(?s)<select name="` + name + `"[^>]*data-division-select.*?</select>`).FindString(body)
	if sel == "" {
		t.Fatalf("no division select %q in the page", name)
	}
	var out []string
	for _, m := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(sel, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDivisionPickerOffersTheScopeByName(t *testing.T) {
	a := newTestApp(t)
	insp := a.signedIn(t, userInspector)
	hohhot := []string{"", prefHohhot, "150102", "150103", "150104", "150105", "150121", "150122", "150123", "150124", "150125"}
	for _, path := range []string{"/review", "/hazards", "/audit"} {
		r := insp.get(path)
		wantStatus(t, path, r, http.StatusOK)
		got := optionValues(t, r.body, "division")
		if diff := cmp.Diff(hohhot[:5], got[:5]); diff != "" || len(got) < 5 {
			t.Errorf("%s: the inspector's choices start (-want +got):\n%s", path, diff)
		}
		for _, code := range got {
			if strings.HasPrefix(code, "1502") || code == province {
				t.Errorf("%s: the inspector of 呼和浩特市 is offered %s, outside the scope", path, code)
			}
		}
		for _, want := range []string{`<optgroup label="地市级">`, `<optgroup label="呼和浩特市所辖县区">`, `新城区 · 150102</option>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the picker lacks %s", path, want)
			}
		}
		if strings.Contains(r.body, `placeholder="150102"`) {
			t.Errorf("%s: the division is still a typed code", path)
		}
	}
	// The code still works in the URL, and the picker shows it chosen.
	r := insp.get("/hazards?division=" + countyXC)
	wantStatus(t, "hazards by code", r, http.StatusOK)
	if !strings.Contains(r.body, `<option value="150102" selected>新城区 · 150102</option>`) {
		t.Errorf("?division=150102 is not shown as 新城区 chosen")
	}
	// An admin picks from every division, the province first.
	r = a.signedIn(t, userAdmin).get("/review")
	if got := optionValues(t, r.body, "division"); len(got) < 117 || got[1] != province {
		t.Errorf("admin: %d choices starting %v, want the 116 divisions after the whole scope, province first", len(got), got[:2])
	}
	// The due list's picker moves to the division chosen, filters kept.
	r = insp.get("/divisions/" + prefHohhot + "/due?division=" + countyHM + "&kind=never")
	wantStatus(t, "due picker", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/divisions/150103/due?kind=never" {
		t.Errorf("due picker went to %q", loc)
	}
	// The new-user form suggests divisions by name for the scope.
	r = a.signedIn(t, userAdmin).get("/admin/users/new")
	if !strings.Contains(r.body, `list="scope-divisions"`) || !strings.Contains(r.body, `<option value="150102">新城区 · 县级</option>`) {
		t.Errorf("the user form does not suggest divisions by name")
	}
}

func TestListsRememberFiltersForTheSession(t *testing.T) {
	a := newTestApp(t)
	a.hazard(t, schoolA, model.VideoNetworking)
	a.hazard(t, schoolC, model.SecurityGuards)
	insp := a.signedIn(t, userInspector)

	r := insp.get("/hazards?division=" + countyXC + "&state=all")
	wantStatus(t, "filtered", r, http.StatusOK)
	if strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("filters in the URL are said to be remembered")
	}
	// Back to the list with no filters: the last ones apply again.
	r = insp.get("/hazards")
	wantStatus(t, "back", r, http.StatusOK)
	if !strings.Contains(r.body, `<option value="150102" selected>`) || !strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("/hazards did not come back filtered by 新城区 with the note")
	}
	if !strings.Contains(r.body, `1 条`) || strings.Contains(r.body, schoolNameOf(a, t, schoolC)) {
		t.Errorf("the remembered filter does not narrow the rows")
	}
	// Another list keeps its own.
	if r := insp.get("/review"); strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("/review took the filters of /hazards")
	}
	// Another sign-in of the same user starts clean.
	if r := a.signedIn(t, userInspector).get("/hazards"); strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("a new session got the old session's filters")
	}
	// Clear forgets them.
	r = insp.get("/hazards?clear=1")
	wantStatus(t, "clear", r, http.StatusOK)
	if strings.Contains(r.body, `<option value="150102" selected>`) {
		t.Errorf("clear kept the division")
	}
	if r := insp.get("/hazards"); strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("the filters came back after clear")
	}
	// A filter that fails is not remembered.
	wantStatus(t, "outside", insp.get("/hazards?division="+prefBaotou), http.StatusForbidden)
	if r := insp.get("/hazards"); r.status != http.StatusOK || strings.Contains(r.body, `data-testid="list-remembered"`) {
		t.Errorf("a refused filter was remembered: %d", r.status)
	}
}

func schoolNameOf(a *testApp, t *testing.T, code string) string {
	t.Helper()
	return a.school(t, code).Name
}

func TestListsCountAndExportWhatTheyShow(t *testing.T) {
	a := newTestApp(t)
	a.hazard(t, schoolA, model.VideoNetworking)
	a.hazard(t, schoolB, model.NursingPost)
	a.hazard(t, schoolC, model.SecurityGuards)
	a.hazard(t, schoolD, model.SecurityGuards)
	a.checklist(t, schoolA, day0, goodFacts(day0), true)
	a.checklist(t, schoolC, day0, goodFacts(day0), true)
	insp := a.signedIn(t, userInspector)

	r := insp.get("/hazards?division=" + countyXC)
	if !strings.Contains(r.body, `data-testid="list-count">共 2 条`) {
		t.Errorf("/hazards does not say 2 match")
	}
	csvLink := regexp.MustCompile(`href="([^"]*)" data-testid="list-csv"`).FindStringSubmatch(r.body)
	if csvLink == nil || csvLink[1] != "/hazards.csv?division=150102" {
		t.Fatalf("/hazards export link %v", csvLink)
	}
	rows := readCSV(t, insp.get(csvLink[1]))
	if len(rows) != 3 || rows[0][0] != "id" {
		t.Fatalf("hazards.csv: %d lines, want a header and 2 rows: %v", len(rows), rows)
	}
	for _, row := range rows[1:] {
		if !strings.HasPrefix(row[1], "150102") {
			t.Errorf("hazards.csv holds %s, outside the filter", row[1])
		}
	}

	r = insp.get("/review?division=" + countyXC)
	if !strings.Contains(r.body, `data-testid="list-count">共 1 条`) {
		t.Errorf("/review does not say 1 matches")
	}
	rows = readCSV(t, insp.get("/review.csv?division="+countyXC))
	if len(rows) != 2 || rows[1][1] != schoolA {
		t.Errorf("review.csv: %v, want schoolA alone", rows)
	}
	if got := readCSV(t, insp.get("/review.csv")); len(got) != 3 {
		t.Errorf("review.csv of the scope: %d lines, want 3", len(got))
	}

	r = insp.get("/audit?entity=hazard")
	m := regexp.MustCompile(`data-testid="list-count">共 (\d+) 条`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("/audit does not say how many match")
	}
	rows = readCSV(t, insp.get("/audit.csv?entity=hazard"))
	if got := len(rows) - 1; m[1] != itoa(int64(got)) || got != 3 {
		t.Errorf("audit.csv has %d entries, the page says %s, want 3 (schoolD is outside)", got, m[1])
	}
	wantStatus(t, "bad date", insp.get("/audit.csv?from=yesterday"), http.StatusUnprocessableEntity)

	r = insp.get("/divisions/" + prefHohhot + "/due")
	if !strings.Contains(r.body, `data-testid="list-count"`) || !strings.Contains(r.body, `href="/divisions/150100/due.csv"`) {
		t.Errorf("the due list lacks its count or CSV")
	}
	r = insp.get("/divisions/" + prefHohhot + "?type=primary")
	if !strings.Contains(r.body, `href="/divisions/150100/schools.csv?type=primary" data-testid="list-csv"`) {
		t.Errorf("the school list lacks the CSV of what it shows")
	}
}
