package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// keyedPost posts a JSON checklist with an Idempotency-Key.
func (c *apiClient) keyedPost(path, key string, body any) response {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	return readResponse(c.t, res)
}

func (a *testApp) checklistCount(t *testing.T, code string) int {
	t.Helper()
	cs, err := a.store.SchoolChecklists(context.Background(), a.schools[code].ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

func TestAPIChecklistCreateIsIdempotent(t *testing.T) {
	a := newTestApp(t)
	c := a.api(t, userSchool)
	path := "/api/v1/schools/" + schoolA + "/checklists"
	body := map[string]any{"checked_on": day0.String(), "submit": true, "facts": goodFactsJSON(day0)}

	var first, again struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	r := c.keyedPost(path, "phone-1", body)
	wantStatus(t, "first create", r, http.StatusCreated)
	decode(t, r, &first)
	r = c.keyedPost(path, "phone-1", body)
	wantStatus(t, "repeat", r, http.StatusCreated)
	decode(t, r, &again)
	if again != first {
		t.Errorf("repeat answered %+v, want the first result %+v", again, first)
	}
	if n := a.checklistCount(t, schoolA); n != 1 {
		t.Errorf("%d checklists after a repeat, want 1", n)
	}

	changed := map[string]any{"checked_on": day0.String(), "submit": false, "facts": goodFactsJSON(day0)}
	wantJSONError(t, "same key, other body", c.keyedPost(path, "phone-1", changed), http.StatusConflict)
	wantJSONError(t, "a key with a space", c.keyedPost(path, "bad key", body), http.StatusBadRequest)
	wantJSONError(t, "a key too long", c.keyedPost(path, strings.Repeat("k", 129), body), http.StatusBadRequest)

	// Another user's same key is theirs.
	admin := a.api(t, userAdmin)
	r = admin.keyedPost(path, "phone-1", body)
	wantStatus(t, "admin with the same key", r, http.StatusCreated)

	// A retry storm: the same request eight times at once.
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			r := c.keyedPost(path, "storm", body)
			if r.status != http.StatusCreated {
				t.Errorf("storm %d: status %d: %s", i, r.status, r.body)
			}
			ids[i] = r.body
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("storm answers differ: %q", ids)
		}
	}
	if n := a.checklistCount(t, schoolA); n != 3 {
		t.Errorf("%d checklists, want 3 (first, admin's, storm)", n)
	}
	// Without a key every request creates.
	wantStatus(t, "no key", c.keyedPost(path, "", body), http.StatusCreated)
	wantStatus(t, "no key again", c.keyedPost(path, "", body), http.StatusCreated)
	if n := a.checklistCount(t, schoolA); n != 5 {
		t.Errorf("%d checklists, want 5", n)
	}
}

var keyInput = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

func TestChecklistFormIsIdempotent(t *testing.T) {
	a := newTestApp(t)
	c := a.signedIn(t, userSchool)
	page := "/schools/" + schoolA + "/checklists/new"
	r := c.get(page)
	m := keyInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the form has no idempotency_key:\n%s", r.body)
	}
	if other := keyInput.FindStringSubmatch(c.get(page).body); other[1] == m[1] {
		t.Error("two forms got the same key")
	}
	form := goodForm(t, day0)
	form.Set("idempotency_key", m[1])
	form.Set("made_at", "2026-03-02T08:15:00Z")
	first := c.post("/schools/"+schoolA+"/checklists", form)
	wantStatus(t, "first send", first, http.StatusSeeOther)
	second := c.post("/schools/"+schoolA+"/checklists", form)
	wantStatus(t, "second send", second, http.StatusSeeOther)
	if first.header.Get("Location") != second.header.Get("Location") {
		t.Errorf("the repeat went to %s, the first to %s", second.header.Get("Location"), first.header.Get("Location"))
	}
	if n := a.checklistCount(t, schoolA); n != 1 {
		t.Errorf("%d checklists, want 1", n)
	}
	// The time it was made on the device is shown on the checklist.
	r = c.get(first.header.Get("Location"))
	if !strings.Contains(r.body, `data-testid="made-at"`) || !strings.Contains(r.body, "08:15") {
		t.Errorf("the checklist does not show when it was filled in")
	}

	// Changed values under the used key: 409, the values kept, a new key.
	form.Set("notes", "changed after sending")
	r = c.post("/schools/"+schoolA+"/checklists", form)
	wantStatus(t, "changed values, same key", r, http.StatusConflict)
	if !strings.Contains(r.body, "changed after sending") {
		t.Error("the re-rendered form lost the notes")
	}
	nk := keyInput.FindStringSubmatch(r.body)
	if nk == nil || nk[1] == m[1] {
		t.Fatalf("the re-rendered form kept the used key")
	}
	form.Set("idempotency_key", nk[1])
	wantStatus(t, "sent again with the new key", c.post("/schools/"+schoolA+"/checklists", form), http.StatusSeeOther)
	if n := a.checklistCount(t, schoolA); n != 2 {
		t.Errorf("%d checklists, want 2", n)
	}
}

func TestHazardAnswerIsIdempotent(t *testing.T) {
	a := newTestApp(t)
	h := a.hazard(t, schoolA, "security_guards")
	c := a.signedIn(t, userSchool)
	page := "/hazards/" + itoa(h.ID)
	m := keyInput.FindStringSubmatch(c.get(page).body)
	if m == nil {
		t.Fatal("the answer form has no idempotency_key")
	}
	form := url.Values{"answer": {"two guards hired"}, "idempotency_key": {m[1]}}
	wantStatus(t, "answer", c.post(page+"/answer", form), http.StatusSeeOther)
	wantStatus(t, "answer again", c.post(page+"/answer", form), http.StatusSeeOther)
	events, err := a.store.HazardEvents(context.Background(), h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Errorf("%d events, want one answer", len(events))
	}
}
