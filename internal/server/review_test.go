package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// The batch review forms name checklists by id: an id from outside the
// reviewer's scope refuses the whole batch, and nothing is verified.
func TestBatchReviewRefusesIDsOutsideTheScope(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	inspector := app.signedIn(t, userInspector)
	clA := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	clD := app.checklist(t, schoolD, day0, goodFacts(day0), true)
	ids := func(cls ...model.Checklist) url.Values {
		v := url.Values{}
		for _, cl := range cls {
			v.Add("id", strconv.FormatInt(cl.ID, 10))
		}
		return v
	}
	state := func(cl model.Checklist) model.ChecklistState {
		t.Helper()
		return app.checklistState(t, cl.ID)
	}

	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"another prefecture's checklist", ids(clD)},
		{"one in scope and one outside", ids(clA, clD)},
		{"one outside and one in scope", ids(clD, clA)},
	} {
		for _, action := range []string{"/review/confirm", "/review/verify"} {
			if r := inspector.submit("/review", action, tc.form); r.status != http.StatusForbidden {
				t.Errorf("POST %s with %s: status %d, want 403", action, tc.name, r.status)
			}
		}
	}
	if a, d := state(clA), state(clD); a != model.Submitted || d != model.Submitted {
		t.Fatalf("after refused batches: A %s, D %s; want both submitted", a, d)
	}

	// Unknown ids are not a way to probe: the batch is refused or empty.
	if r := inspector.submit("/review", "/review/verify", url.Values{"id": {"999999"}}); r.status < 400 || r.status >= 500 {
		t.Errorf("POST /review/verify with an unknown id: status %d, want a 4xx refusal", r.status)
	}

	// In scope, the batch goes through.
	wantStatus(t, "verify A in scope", inspector.submit("/review", "/review/verify", ids(clA)), http.StatusSeeOther)
	wantStatus(t, "verify D in its own scope", app.signedIn(t, userInspector2).submit("/review", "/review/verify", ids(clD)), http.StatusSeeOther)
	if a, d := state(clA), state(clD); a != model.Verified || d != model.Verified {
		t.Errorf("after the batches in scope: A %s, D %s; want both verified", a, d)
	}
}

// Verifying a selection: a confirmation that names every checklist and
// school, then all in one transaction; if someone else reviewed one
// meanwhile, nothing is verified and the confirmation comes back without it.
func TestBatchVerifyWithConfirmation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	insp := app.signedIn(t, userInspector)
	insp.header.Set("Accept-Language", "en")
	cA := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	cB := app.checklist(t, schoolB, day0, goodFacts(day0), true) // 2 guards for 1240 students: fails one measure
	cC := app.checklist(t, schoolC, day0, goodFacts(day0), true)
	cD := app.checklist(t, schoolD, day0, goodFacts(day0), true) // another prefecture

	// The queue lists those in scope, with boxes to tick; the failing
	// filter narrows it.
	q := insp.get("/review")
	for _, c := range []int64{cA.ID, cB.ID, cC.ID} {
		if !strings.Contains(q.body, fmt.Sprintf(`name="id" value="%d"`, c)) {
			t.Errorf("queue: no box for checklist %d", c)
		}
	}
	if strings.Contains(q.body, fmt.Sprintf(`value="%d"`, cD.ID)) {
		t.Error("queue lists a checklist outside the inspector's scope")
	}
	f := insp.get("/review?failing=security_guards")
	if !strings.Contains(f.body, fmt.Sprintf(`data-testid="review-row-%d"`, cB.ID)) || strings.Contains(f.body, fmt.Sprintf(`data-testid="review-row-%d"`, cA.ID)) {
		t.Error("failing=security_guards does not narrow the queue to schoolB")
	}

	sel := url.Values{"id": {fmt.Sprint(cA.ID), fmt.Sprint(cB.ID)}, "back": {"/review?type=primary"}}
	r := insp.submit("/review", "/review/confirm", sel)
	wantStatus(t, "confirm", r, http.StatusOK)
	wantText(t, "confirmation", r, "2 checklists of 2 schools will be verified", "新城区第一小学", "新城区幼儿园", "Verify 2 checklists")
	if got, _ := app.store.Checklist(t.Context(), cA.ID); got.State != model.Submitted {
		t.Fatal("the confirmation page changed something")
	}

	// Someone else verifies schoolB's checklist meanwhile.
	if _, err := app.store.VerifyChecklist(t.Context(), app.users[userAdmin], cB.ID); err != nil {
		t.Fatal(err)
	}
	r = insp.post("/review/verify", sel)
	wantStatus(t, "verify with one reviewed meanwhile", r, http.StatusConflict)
	if !strings.Contains(r.body, `data-testid="conflict"`) || strings.Contains(r.body, fmt.Sprintf(`data-testid="confirm-row-%d"`, cB.ID)) ||
		!strings.Contains(r.body, fmt.Sprintf(`data-testid="confirm-row-%d"`, cA.ID)) {
		t.Errorf("conflict: the confirmation should come back with only schoolA:\n%s", truncate(r.text(), 2000))
	}
	if got, _ := app.store.Checklist(t.Context(), cA.ID); got.State != model.Submitted {
		t.Error("a failed batch verified schoolA anyway")
	}

	// Confirm the rest: verified, coverage moves, one audit entry each.
	r = insp.post("/review/verify", url.Values{"id": {fmt.Sprint(cA.ID)}, "back": {"/review?type=primary"}})
	wantStatus(t, "verify the rest", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/review?type=primary" {
		t.Errorf("back to %q, want the queue as filtered", loc)
	}
	if st := schoolStatus(t, app.api(t, userLeader), schoolA, ""); !st.AllFive {
		t.Error("schoolA not covered on all five after the batch verify")
	}

	// A selection reaching outside the scope is refused outright.
	r = insp.post("/review/verify", url.Values{"id": {fmt.Sprint(cC.ID), fmt.Sprint(cD.ID)}})
	wantStatus(t, "selection outside the scope", r, http.StatusForbidden)
	if got, _ := app.store.Checklist(t.Context(), cC.ID); got.State != model.Submitted {
		t.Error("the refused selection verified schoolC")
	}
	// "Select all shown" sends the shown ones.
	r = insp.submit("/review", "/review/confirm", url.Values{"all": {"1"}, "shown": {fmt.Sprint(cC.ID)}})
	wantStatus(t, "all shown", r, http.StatusOK)
	if !strings.Contains(r.body, fmt.Sprintf(`data-testid="confirm-row-%d"`, cC.ID)) {
		t.Error("all shown: schoolC's checklist not on the confirmation")
	}
}
