package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"safecampus/internal/model"
)

// residentSerial numbers the resident IDs the tests make.
var residentSerial atomic.Int64

// residentID makes a fresh resident ID number with a valid check character.
func residentID() string {
	body := fmt.Sprintf("15010219900101%03d", residentSerial.Add(1)%1000)
	check, _ := model.ResidentIDCheck(body)
	return body + string(check)
}

// guard puts a fresh guard on a school's register, hired 30 days ago.
func (a *testApp) guard(t *testing.T, code string) model.Guard {
	t.Helper()
	g, err := a.store.AddGuard(context.Background(), a.users[userAdmin], a.school(t, code).ID, model.GuardInput{
		Name: "保安" + code, IDNumber: residentID(), HiredOn: a.clock.Today().AddDays(-30)})
	if err != nil {
		t.Fatalf("guard at %s: %v", code, err)
	}
	return g
}

func TestGuardRegisterAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	school := app.api(t, userSchool)
	id := residentID()
	r := school.post("/api/v1/schools/"+schoolA+"/guards", map[string]any{"name": "张三", "id_number": id, "licence_no": "NM-7",
		"employer": "安保公司", "hired_on": day0.AddDays(-100).String(), "trained_on": day0.AddDays(-90).String()})
	wantStatus(t, "add guard", r, 201)
	var created struct{ ID int64 }
	decode(t, r, &created)

	msg := wantJSONError(t, "wrong check digit", school.post("/api/v1/schools/"+schoolA+"/guards",
		map[string]any{"name": "李四", "id_number": "150102199003071238", "hired_on": day0.String()}), 422)
	if !strings.Contains(msg, "check character") || strings.Contains(msg, "150102199003071238") {
		t.Errorf("422 message %q: want the check character named, the number not quoted", msg)
	}
	wantJSONError(t, "the same person twice", school.post("/api/v1/schools/"+schoolA+"/guards",
		map[string]any{"name": "张三", "id_number": strings.ToLower(id), "hired_on": day0.String()}), 422)
	wantJSONError(t, "hired in the future", school.post("/api/v1/schools/"+schoolA+"/guards",
		map[string]any{"name": "王五", "id_number": residentID(), "hired_on": day0.AddDays(1).String()}), 422)
	wantJSONError(t, "hired_on not a date", school.post("/api/v1/schools/"+schoolA+"/guards",
		map[string]any{"name": "王五", "id_number": residentID(), "hired_on": "soon"}), 422)
	wantJSONError(t, "another school", school.post("/api/v1/schools/"+schoolB+"/guards",
		map[string]any{"name": "王五", "id_number": residentID(), "hired_on": day0.String()}), 403)

	// The same licence active at schoolD: a conflict on both.
	wantStatus(t, "admin adds at D", app.api(t, userAdmin).post("/api/v1/schools/"+schoolD+"/guards",
		map[string]any{"name": "赵六", "id_number": residentID(), "licence_no": "NM-7", "hired_on": day0.String()}), 201)

	r = app.api(t, userInspector).get("/api/v1/schools/" + schoolA + "/guards")
	wantStatus(t, "list", r, 200)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	decode(t, r, &list)
	if len(list.Items) != 1 {
		t.Fatalf("items = %v", list.Items)
	}
	item := list.Items[0]
	for _, k := range []string{"id", "name", "id_number_masked", "licence_no", "employer", "hired_on", "trained_on", "active", "conflict"} {
		if _, ok := item[k]; !ok {
			t.Errorf("item lacks %q: %v", k, item)
		}
	}
	if item["id_number_masked"] != id[:6]+"********"+id[14:] || item["active"] != true || item["conflict"] != true {
		t.Errorf("item = %v", item)
	}
	if _, ok := item["id_number"]; ok || strings.Contains(r.body, id[:17]) {
		t.Errorf("the list shows the whole ID number: %s", r.body)
	}

	leave := fmt.Sprintf("/api/v1/guards/%d/leave", created.ID)
	wantJSONError(t, "leave before hired", school.post(leave, map[string]any{"left_on": day0.AddDays(-200).String()}), 422)
	wantJSONError(t, "leave without a date", school.post(leave, map[string]any{}), 422)
	wantJSONError(t, "inspector may not change the register", app.api(t, userInspector).post(leave, map[string]any{"left_on": day0.String()}), 403)
	wantStatus(t, "leave", school.post(leave, map[string]any{"left_on": day0.String()}), 200)
	wantJSONError(t, "leave twice", school.post(leave, map[string]any{"left_on": day0.String()}), 409)
	r = app.api(t, userAdmin).get("/api/v1/schools/" + schoolD + "/guards")
	if !strings.Contains(r.body, `"conflict":false`) {
		t.Errorf("after leaving, D's guard is still in conflict: %s", r.body)
	}
}

// syncBuffer is a log sink the server writes from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestResidentIDNeverLeaks enters ID numbers through the form, the API and
// an import, refused and accepted, and looks for them whole in every place
// they could leak: pages, the API, exports, the audit trail and the log.
func TestResidentIDNeverLeaks(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	app := newTestAppWith(t, appOptions{logTo: &logs})
	school := app.signedIn(t, userSchool)
	registers := "/schools/" + schoolA + "/registers"
	ids := []string{residentID(), residentID(), residentID(), residentID()}

	// A refused form comes back with the values and the error beside the field.
	bad := url.Values{"name": {"张三"}, "id_number": {ids[0][:17] + "Y"}, "licence_no": {"NM-1"}, "hired_on": {day0.String()}}
	r := school.submit(registers, "/schools/"+schoolA+"/guards", bad)
	wantStatus(t, "bad id number", r, 422)
	if !strings.Contains(r.body, `data-testid="field-error-id_number"`) || !strings.Contains(r.body, `value="NM-1"`) {
		t.Errorf("refused form lacks the error or the values typed")
	}
	good := url.Values{"name": {"张三"}, "id_number": {ids[0]}, "licence_no": {"NM-1"}, "hired_on": {day0.AddDays(-10).String()}}
	wantStatus(t, "add by form", school.submit(registers, "/schools/"+schoolA+"/guards", good), 303)
	wantStatus(t, "add by API", app.api(t, userSchool).post("/api/v1/schools/"+schoolA+"/guards",
		map[string]any{"name": "李四", "id_number": ids[1], "licence_no": "NM-2", "hired_on": day0.String()}), 201)
	file := "name,id_number,licence_no,employer,hired_on\n王五," + ids[2] + ",NM-3,,2026-01-05\n赵六," + ids[3][:17] + "0,,,2026-01-05\n"
	r = school.upload(registers, "/schools/"+schoolA+"/guards/import", "file", "guards.csv", []byte(file), nil)
	wantStatus(t, "import with a bad row", r, 422)
	if !strings.Contains(r.text(), "line 3: ") {
		t.Errorf("refused import lacks line 3: %s", truncate(r.text(), 400))
	}
	file = "name,id_number,licence_no,employer,hired_on\n王五," + ids[2] + ",NM-3,,2026-01-05\n赵六," + ids[3] + ",NM-1,,2026-01-05\n"
	// NM-1 twice at one school is no conflict (one school); the import is fine.
	r = school.upload(registers, "/schools/"+schoolA+"/guards/import", "file", "guards.csv", []byte(file), nil)
	wantStatus(t, "import", r, 200)
	if !strings.Contains(r.body, `data-testid="guards-imported"`) {
		t.Errorf("import result not shown")
	}

	admin := app.signedIn(t, userAdmin)
	inspector := app.signedIn(t, userInspector)
	places := map[string]string{
		"registers page": school.get(registers).body,
		"school page":    inspector.get("/schools/" + schoolA).body,
		"conflicts page": inspector.get("/divisions/" + prefHohhot + "/guard-conflicts").body,
		"API list":       app.api(t, userInspector).get("/api/v1/schools/" + schoolA + "/guards").body,
		"audit page":     admin.get("/audit?entity=guard").body,
		"audit export":   admin.get("/audit.csv").body,
		"schools export": admin.get("/divisions/" + prefHohhot + "/schools.csv").body,
		"new checklist":  school.get("/schools/" + schoolA + "/checklists/new").body,
		"server log":     logs.String(),
	}
	if !strings.Contains(places["server log"], "/guards") {
		t.Errorf("the server log holds no request of the register: %s", truncate(places["server log"], 300))
	}
	if !strings.Contains(places["registers page"], ids[0][:6]+"********"+ids[0][14:]) {
		t.Errorf("the registers page lacks the masked number")
	}
	if !strings.Contains(places["audit page"], "********") {
		t.Errorf("the audit page lacks the masked number")
	}
	for where, body := range places {
		for _, id := range ids {
			// The first 17 characters identify the person; the check one
			// follows from them.
			if strings.Contains(body, id[:17]) {
				t.Errorf("%s shows the whole ID number %s…", where, id[:6])
			}
		}
	}
}

func TestChecklistPrefillAndRegisterDiffs(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	a := app.school(t, schoolA)
	for i, licence := range []string{"NM-1", ""} {
		if _, err := app.store.AddGuard(ctx, app.users[userAdmin], a.ID, model.GuardInput{Name: fmt.Sprint("保安", i), IDNumber: residentID(),
			LicenceNo: licence, HiredOn: day0.AddDays(-30)}); err != nil {
			t.Fatal(err)
		}
	}
	r := app.signedIn(t, userSchool).get("/schools/" + schoolA + "/checklists/new")
	wantStatus(t, "new checklist", r, 200)
	for _, want := range []string{`name="security_guards.full_time_guards" value="2"`, `name="security_guards.licensed_guards" value="1"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the new checklist is not prefilled from the register: lacks %s", want)
		}
	}
	// The sample facts say 2 licensed; the register says 1.
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	r = app.signedIn(t, userInspector).get(fmt.Sprintf("/checklists/%d", cl.ID))
	if !strings.Contains(r.body, `data-testid="register-diff-security_guards.licensed_guards"`) ||
		strings.Contains(r.body, `data-testid="register-diff-security_guards.full_time_guards"`) {
		t.Errorf("the review page does not show exactly the licensed guards differing from the register")
	}
}

func TestAlarmTestLog(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	school := app.api(t, userSchool)
	path := "/api/v1/schools/" + schoolA + "/alarm-tests"
	wantJSONError(t, "a test tomorrow", school.post(path, map[string]any{"tested_on": day0.AddDays(1).String(), "ok": true}), 422)
	wantJSONError(t, "no date", school.post(path, map[string]any{"ok": true}), 422)
	wantJSONError(t, "minutes not a number", school.post(path, map[string]any{"tested_on": day0.String(), "response_minutes": "five"}), 400)
	wantStatus(t, "older test", school.post(path, map[string]any{"tested_on": day0.AddDays(-30).String(), "ok": false}), 201)
	wantStatus(t, "newest test", school.post(path, map[string]any{"tested_on": day0.AddDays(-3).String(), "ok": true,
		"police_notified": true, "response_minutes": 4}), 201)
	r := app.api(t, userInspector).get(path)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	decode(t, r, &list)
	if len(list.Items) != 2 || list.Items[0]["tested_on"] != day0.AddDays(-3).String() || list.Items[0]["response_minutes"] != 4.0 {
		t.Fatalf("log = %s", r.body)
	}
	c := app.signedIn(t, userSchool)
	r = c.get("/schools/" + schoolA + "/checklists/new")
	for _, want := range []string{`name="one_button_alarm.last_test_on" value="` + day0.AddDays(-3).String() + `"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the new checklist is not prefilled from the alarm log: lacks %s", want)
		}
	}
	// The form: a test in the future comes back with the error and the values.
	r = c.submit("/schools/"+schoolA+"/registers", "/schools/"+schoolA+"/alarm-tests",
		url.Values{"tested_on": {day0.AddDays(2).String()}, "ok": {"no"}, "police_notified": {"yes"}, "response_minutes": {"7"}})
	wantStatus(t, "future test by form", r, 422)
	if !strings.Contains(r.body, `data-testid="field-error-tested_on"`) || !strings.Contains(r.body, `value="7"`) {
		t.Errorf("the refused test form lacks its error or values")
	}
	wantStatus(t, "test by form", c.submit("/schools/"+schoolA+"/registers", "/schools/"+schoolA+"/alarm-tests",
		url.Values{"tested_on": {day0.String()}, "ok": {"no"}, "police_notified": {"yes"}}), 303)
	if r := c.get("/schools/" + schoolA + "/registers"); len(regexp.MustCompile(`data-testid="alarm-test-\d+"`).FindAllString(r.body, -1)) != 3 {
		t.Errorf("the registers page does not list the 3 tests")
	}
}

// drilled logs a fire drill on day at each school.
func (a *testApp) drilled(t *testing.T, day model.Date, codes ...string) {
	t.Helper()
	for _, code := range codes {
		if _, err := a.store.AddDrill(context.Background(), a.users[userAdmin], a.school(t, code).ID,
			model.DrillInput{HeldOn: day, Kind: model.DrillFire, Participants: 100}); err != nil {
			t.Fatalf("drill at %s: %v", code, err)
		}
	}
}

func TestDrillLogAndDueList(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	school := app.api(t, userSchool)
	path := "/api/v1/schools/" + schoolA + "/drills"
	wantJSONError(t, "a drill tomorrow", school.post(path, map[string]any{"held_on": day0.AddDays(1).String(), "kind": "fire"}), 422)
	wantJSONError(t, "an unknown kind", school.post(path, map[string]any{"held_on": day0.String(), "kind": "party"}), 422)
	wantJSONError(t, "negative participants", school.post(path, map[string]any{"held_on": day0.String(), "kind": "fire", "participants": -1}), 422)
	wantStatus(t, "drill 31 days ago", school.post(path, map[string]any{"held_on": day0.AddDays(-31).String(), "kind": "fire", "participants": 480}), 201)
	insp := app.signedIn(t, userInspector)
	dueRows := func() string {
		rows := readCSV(t, insp.get("/divisions/"+countyXC+"/due.csv?kind=drill_due"))
		var got []string
		for _, row := range rows[1:] {
			got = append(got, row[0]+":"+row[7]+":"+row[11])
		}
		return strings.Join(got, " ")
	}
	if got, want := dueRows(), schoolB+":drill_due: "+schoolA+":drill_due:"+day0.AddDays(-31).String(); got != want {
		t.Errorf("drill rows of the due CSV = %q, want %q", got, want)
	}
	wantStatus(t, "drill 30 days ago", school.post(path, map[string]any{"held_on": day0.AddDays(-30).String(), "kind": "evacuation"}), 201)
	if got, want := dueRows(), schoolB+":drill_due:"; got != want {
		t.Errorf("after a drill 30 days ago, drill rows = %q, want %q", got, want)
	}
	r := insp.get("/divisions/" + countyXC + "/due?kind=drill_due")
	if !strings.Contains(r.body, `data-testid="due-row-`+schoolB+`"`) || strings.Contains(r.body, `data-testid="due-row-`+schoolA+`"`) {
		t.Errorf("the due page's drill rows are wrong")
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	decode(t, app.api(t, userLeader).get(path), &list)
	if len(list.Items) != 2 || list.Items[0]["held_on"] != day0.AddDays(-30).String() || list.Items[0]["kind"] != "evacuation" {
		t.Errorf("drills = %v", list.Items)
	}
	c := app.signedIn(t, userSchool)
	r = c.submit("/schools/"+schoolA+"/registers", "/schools/"+schoolA+"/drills", url.Values{"held_on": {"yesterday"}, "kind": {"fire"}, "participants": {"12"}})
	wantStatus(t, "drill form with a bad date", r, 422)
	if !strings.Contains(r.body, `data-testid="field-error-held_on"`) || !strings.Contains(r.body, `value="12"`) {
		t.Errorf("the refused drill form lacks its error or values")
	}
}

// escortPost sets up a post of a county serving one school.
func (a *testApp) escortPost(t *testing.T, county, code string) model.EscortPost {
	t.Helper()
	p, err := a.store.CreateEscortPost(context.Background(), a.users[userAdmin], model.EscortPostInput{
		DivisionCode: county, Name: "路口" + code, Schools: []string{code}})
	if err != nil {
		t.Fatalf("escort post at %s: %v", code, err)
	}
	return p
}
