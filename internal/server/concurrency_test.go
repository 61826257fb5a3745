package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"safecampus/internal/model"
)

// statuses runs n requests at once and counts their statuses.
func statuses(n int, do func(i int) int) map[int]int {
	var mu sync.Mutex
	out := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			s := do(i)
			mu.Lock()
			out[s]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return out
}

// Two reviewers (or ten) acting on one checklist or hazard at the same
// moment, against a real SQLite file: exactly one wins, every other gets
// 409 with a JSON error, and the record shows the winner's action alone.
func TestConcurrentReviewOneWins(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	const n = 10
	admin, insp := app.api(t, userAdmin), app.api(t, userInspector)
	caller := func(i int) *apiClient {
		if i%2 == 0 {
			return admin
		}
		return insp
	}

	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	got := statuses(n, func(i int) int {
		return caller(i).post(fmt.Sprintf("/api/v1/checklists/%d/verify", cl.ID), nil).status
	})
	if got[200] != 1 || got[409] != n-1 {
		t.Errorf("%d verifies at once: statuses %v, want one 200 and %d 409", n, got, n-1)
	}

	// Verify against return: one of them.
	cl = app.checklist(t, schoolB, day0, goodFacts(day0), true)
	got = statuses(n, func(i int) int {
		if i%2 == 0 {
			return admin.post(fmt.Sprintf("/api/v1/checklists/%d/verify", cl.ID), nil).status
		}
		return insp.post(fmt.Sprintf("/api/v1/checklists/%d/return", cl.ID), map[string]any{"reason": "roster missing"}).status
	})
	if got[200] != 1 || got[409] != n-1 {
		t.Errorf("verify against return: statuses %v", got)
	}
	c, err := app.store.Checklist(t.Context(), cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	trail, total, err := app.store.AuditTrail(t.Context(), auditOf("checklist", cl.ID))
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || trail[0].Action != string(c.State) {
		t.Errorf("audit of the contested checklist: %d entries, last %q; state %s", total, trail[0].Action, c.State)
	}

	// Closing one hazard ten times at once.
	h := app.hazard(t, schoolA, model.VideoNetworking)
	got = statuses(n, func(i int) int {
		r := caller(i).post(fmt.Sprintf("/api/v1/hazards/%d/close", h.ID), nil)
		if r.status == 409 && !strings.Contains(r.header.Get("Content-Type"), "json") {
			return -1
		}
		return r.status
	})
	if got[200] != 1 || got[409] != n-1 {
		t.Errorf("%d closes at once: statuses %v", n, got)
	}
	if _, total, _ := app.store.AuditTrail(t.Context(), auditOf("hazard", h.ID)); total != 2 {
		t.Errorf("audit of the hazard: %d entries, want raise and one close", total)
	}
}

// Through the pages the loser sees the record as it now stands and a
// message saying someone else acted first; nothing of theirs is saved.
func TestConcurrentReviewPagesShowTheConflict(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	a := app.signedIn(t, userInspector)
	b := app.signedIn(t, userAdmin)
	b.header.Set("Accept-Language", "en")
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	page := fmt.Sprintf("/checklists/%d", cl.ID)
	a.get(page)
	b.get(page) // both have the page open
	if r := a.post(page+"/verify", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("first reviewer: status %d", r.status)
	}
	r := b.post(page+"/return", url.Values{"reason": {"roster missing"}})
	wantStatus(t, "second reviewer", r, http.StatusConflict)
	if !strings.Contains(r.body, `data-testid="conflict"`) || !strings.Contains(r.text(), "it is now “Verified”") {
		t.Errorf("second reviewer's page does not explain the conflict:\n%s", truncate(r.text(), 3000))
	}
	if strings.Contains(r.body, `data-testid="review-forms"`) {
		t.Error("the conflict page still offers the review forms")
	}

	// A hazard: one sends it back while the other closes it, both from the
	// "answered" page they had open.
	h := app.hazard(t, schoolA, model.VideoNetworking)
	if _, err := app.store.AnswerHazard(t.Context(), app.users[userSchool], h.ID, "fixed", nil); err != nil {
		t.Fatal(err)
	}
	hz := fmt.Sprintf("/hazards/%d", h.ID)
	a.get(hz)
	b.get(hz)
	if r := a.post(hz+"/send-back", url.Values{"reason": {"not fixed"}}); r.status != http.StatusSeeOther {
		t.Fatalf("send back: status %d", r.status)
	}
	r = b.post(hz+"/close", url.Values{"from": {"answered"}, "note": {"looks fine"}})
	wantStatus(t, "close after a send-back", r, http.StatusConflict)
	if !strings.Contains(r.text(), "it is now “Open”") || !strings.Contains(r.body, "looks fine") {
		t.Errorf("close conflict page: no explanation or the note typed is lost:\n%s", truncate(r.text(), 3000))
	}
	if got, _ := app.store.Hazard(t.Context(), h.ID); got.State != model.HazardOpen {
		t.Errorf("hazard state %s, want open: the close must not override the send-back", got.State)
	}
}
