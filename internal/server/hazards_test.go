package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"safecampus/internal/imagetest"
	"safecampus/internal/model"
)

// The hazard lifecycle through the pages, as the people do it: the
// inspector raises it from the school page, the school answers with a
// photo, the inspector sends it back, the school answers again, the
// inspector closes it. Coverage follows at every step, on the school page,
// in the API and in the exports.
func TestHazardLifecycleThroughThePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	if _, err := app.store.VerifyChecklist(t.Context(), app.users[userAdmin], cl.ID); err != nil {
		t.Fatal(err)
	}
	inspector := app.signedIn(t, userInspector)
	inspector.header.Set("Accept-Language", "en")
	school := app.signedIn(t, userSchool)
	school.header.Set("Accept-Language", "en")
	api := app.api(t, userLeader)
	videoCovered := func(step string, want bool) {
		t.Helper()
		st := schoolStatus(t, api, schoolA, "")
		if got := st.Measures["video_networking"].Covered; got != want {
			t.Errorf("%s: API video_networking covered = %v, want %v (reason %v)", step, got, want, st.Measures["video_networking"].Reason)
		}
		rows := readCSV(t, inspector.get("/divisions/"+countyXC+"/schools.csv"))
		col := -1
		for i, h := range rows[0] {
			if h == "video_networking_covered" {
				col = i
			}
		}
		for _, row := range rows[1:] {
			if row[0] == schoolA && (row[col] == "1") != want {
				t.Errorf("%s: export says video_networking_covered = %s, want %v", step, row[col], want)
			}
		}
	}
	videoCovered("before", true)

	// The school page offers the inspector the form; the school user not.
	page := inspector.get("/schools/" + schoolA)
	if !strings.Contains(page.body, `data-testid="new-hazard"`) || !strings.Contains(page.body, `data-testid="new-inspection"`) {
		t.Error("the school page offers the inspector no way to raise a hazard or record an inspection")
	}
	if strings.Contains(school.get("/schools/"+schoolA).body, `data-testid="new-hazard"`) {
		t.Error("the school user is offered to raise a hazard")
	}

	// Bad input comes back with the values typed and errors beside the fields.
	form := url.Values{"measure": {"video_networking"}, "description": {""}, "severity": {"urgent"}, "deadline": {day0.AddDays(-1).String()}}
	r := inspector.submit("/schools/"+schoolA+"/hazards/new", "/schools/"+schoolA+"/hazards", form)
	wantStatus(t, "raise with bad values", r, http.StatusUnprocessableEntity)
	for _, f := range []string{"description", "severity", "deadline"} {
		if !strings.Contains(r.body, `data-testid="field-error-`+f+`"`) {
			t.Errorf("raise with bad values: no error beside %s", f)
		}
	}
	if !strings.Contains(r.body, `<option value="video_networking" selected>`) || !strings.Contains(r.body, `value="`+day0.AddDays(-1).String()+`"`) {
		t.Error("raise with bad values: the values typed are not kept")
	}

	deadline := day0.AddDays(3)
	form = url.Values{"measure": {"video_networking"}, "description": {"Gate camera shows nothing at night"}, "severity": {"high"}, "deadline": {deadline.String()}}
	r = inspector.submit("/schools/"+schoolA+"/hazards/new", "/schools/"+schoolA+"/hazards", form)
	wantStatus(t, "raise", r, http.StatusSeeOther)
	id := idFromLocation(t, r)
	hz := fmt.Sprintf("/hazards/%d", id)
	videoCovered("raised", false)
	wantText(t, "school page after raising", school.get("/schools/"+schoolA), "Gate camera shows nothing at night", fmt.Sprintf("open hazard #%d", id))

	// The school answers with a photo and a PDF.
	r = school.uploadFiles(hz, hz+"/answer", []upFile{{"门口.jpg", imagetest.JPEG(t, 64, 48)}, {"invoice.pdf", pdfBytes()}},
		url.Values{"answer": {"Replaced with an infrared camera"}})
	wantStatus(t, "answer", r, http.StatusSeeOther)
	videoCovered("answered", false) // still open until the inspector closes it
	page = inspector.get(hz)
	wantText(t, "hazard page after the answer", page, "Replaced with an infrared camera", "门口.jpg", "invoice.pdf", "Answered")
	if !strings.Contains(page.body, `width="160" height="120"`) {
		t.Error("the photo is not shown as a thumbnail with its size")
	}
	if strings.Contains(page.body, `data-testid="answer-form"`) {
		t.Error("the inspector is offered the school's answer form")
	}

	// Sending back needs a reason.
	r = inspector.submit(hz, hz+"/send-back", url.Values{"reason": {"  "}})
	wantStatus(t, "send back without a reason", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, `data-testid="field-error-reason"`) {
		t.Error("send back without a reason: no error beside the reason")
	}
	r = inspector.submit(hz, hz+"/send-back", url.Values{"reason": {"Still dark at night"}})
	wantStatus(t, "send back", r, http.StatusSeeOther)
	wantText(t, "school sees the send-back", school.get(hz), "Still dark at night", "Sent back")

	r = school.uploadFiles(hz, hz+"/answer", nil, url.Values{"answer": {"Added a floodlight"}})
	wantStatus(t, "second answer", r, http.StatusSeeOther)

	// Overdue after the deadline: flagged on the hazard, the division's
	// school list and /hazards.
	app.clock.SetDay(deadline.AddDays(1))
	inspector = app.signedIn(t, userInspector) // the sessions went idle meanwhile
	inspector.header.Set("Accept-Language", "en")
	if !strings.Contains(inspector.get(hz).body, `data-testid="overdue-alert"`) {
		t.Error("hazard page: overdue not flagged")
	}
	div := inspector.get("/divisions/" + countyXC)
	if !strings.Contains(div.body, `data-testid="overdue-hazards"`) {
		t.Error("division page: the school's overdue hazard is not flagged")
	}
	list := inspector.get("/hazards?overdue=1")
	if !strings.Contains(list.body, fmt.Sprintf(`data-testid="hazard-%d"`, id)) || !strings.Contains(list.body, `data-testid="overdue"`) {
		t.Error("/hazards?overdue=1: the hazard is not listed as overdue")
	}
	if strings.Contains(app.signedIn(t, userInspector2).get("/hazards").body, fmt.Sprintf(`data-testid="hazard-%d"`, id)) {
		t.Error("/hazards: an inspector of another prefecture sees the hazard")
	}
	if st := schoolStatus(t, api, schoolA, ""); len(st.Hazards) != 1 || !st.Hazards[0].Overdue || st.Hazards[0].State != "answered" {
		t.Errorf("API hazards: %+v", st.Hazards)
	}

	r = inspector.submit(hz, hz+"/close", url.Values{"from": {"answered"}, "note": {"Checked at 21:00"}})
	wantStatus(t, "close", r, http.StatusSeeOther)
	videoCovered("closed", true)
	page = inspector.get(hz)
	wantText(t, "closed hazard", page, "Checked at 21:00", "Closed")
	if strings.Contains(page.body, `data-testid="hazard-review"`) || strings.Contains(page.body, `data-testid="overdue-alert"`) {
		t.Error("a closed hazard still offers review or shows overdue")
	}
	if !strings.Contains(inspector.get("/hazards?state=closed").body, fmt.Sprintf(`data-testid="hazard-%d"`, id)) {
		t.Error("/hazards?state=closed does not list it")
	}

	// Every step is in the audit trail, with who and old → new.
	trail := app.signedIn(t, userAdmin).get(fmt.Sprintf("/audit?entity=hazard&id=%d", id))
	if n := strings.Count(trail.body, `class="audit-entry"`); n != 5 {
		t.Errorf("audit trail of the hazard: %d entries, want 5 (raise, answer, send back, answer, close, and nothing else)", n)
	}
	wantText(t, "audit trail", trail, "inspector", "school-a", "answered", "closed")

	// The files were stored under server-made names, not the uploaded ones.
	var stored []string
	filepath.WalkDir(app.evidenceDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".thumb.jpg") { // thumbnails beside the photos
			stored = append(stored, filepath.Base(p))
		}
		return nil
	})
	if len(stored) != 2 {
		t.Errorf("stored files %v, want 2", stored)
	}
	for _, name := range stored {
		if strings.Contains(name, "门口") || strings.Contains(name, "invoice") || !(strings.HasSuffix(name, ".jpg") || strings.HasSuffix(name, ".pdf")) {
			t.Errorf("stored name %q is not server-made with the sniffed type's extension", name)
		}
	}
}

// A school user answers only the hazards of their own school; the
// inspector of another prefecture cannot even read them.
func TestHazardActionsRespectRoleAndScope(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	hA := app.hazard(t, schoolA, model.VideoNetworking)
	hB := app.hazard(t, schoolB, model.NursingPost)
	school := app.signedIn(t, userSchool)
	if r := school.post(fmt.Sprintf("/hazards/%d/answer", hB.ID), url.Values{"answer": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("school answering another school's hazard: status %d, want 403", r.status)
	}
	if r := school.post(fmt.Sprintf("/hazards/%d/close", hA.ID), url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("school closing its own hazard: status %d, want 403", r.status)
	}
	other := app.signedIn(t, userInspector2)
	if r := other.get(fmt.Sprintf("/hazards/%d", hA.ID)); r.status != http.StatusForbidden {
		t.Errorf("inspector of 150200 reading a hazard of 150102: status %d, want 403", r.status)
	}
	if r := other.get("/hazards?school=" + schoolA); r.status != http.StatusForbidden {
		t.Errorf("inspector of 150200 listing schoolA's hazards: status %d, want 403", r.status)
	}
	// A closed school takes no new hazards.
	if err := app.store.SetSchoolActive(t.Context(), app.users[userAdmin], schoolE, false); err != nil {
		t.Fatal(err)
	}
	insp := app.signedIn(t, userInspector)
	if r := insp.get("/schools/" + schoolE + "/hazards/new"); r.status != http.StatusForbidden {
		t.Errorf("raising at a closed school: status %d, want 403", r.status)
	}
}
