package server_test

import (
	"testing"

	"safecampus/internal/model"
)

// checklistState reads checklist id's state from the store.
func (a *testApp) checklistState(t *testing.T, id int64) model.ChecklistState {
	t.Helper()
	cl, err := a.store.Checklist(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cl.State
}
