package server_test

import (
	"net/http"
	"net/url"
	"strconv"
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
