package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// TestErrorsNameTheOperation checks that errors leaving the store name the
// operation that failed, and that the errors callers tell apart still match
// through the wrapping with errors.Is and errors.As.
func TestErrorsNameTheOperation(t *testing.T) {
	forEachEngine(t, testErrorsNameTheOperation)
}

func testErrorsNameTheOperation(t *testing.T, engine string) {
	ctx := context.Background()
	d0 := model.NewDate(2026, 3, 1)
	s, _, a := newStoreWithSchool(t, engine, d0)
	c := verified(t, s, a, d0)
	c2 := verified(t, s, a, d0)

	check := func(name string, err error, prefix string, matches func(error) bool) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		if !strings.HasPrefix(err.Error(), prefix) {
			t.Errorf("%s: error %q does not start with %q", name, err, prefix)
		}
		if !matches(err) {
			t.Errorf("%s: %q (%T) does not match what callers look for", name, err, err)
		}
	}
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

	_, err := s.VerifyChecklist(ctx, testAdmin, 999)
	check("unknown checklist", err, "store: verify checklist 999: not found", is(ErrNotFound))
	_, err = s.VerifyChecklist(ctx, testAdmin, c.ID)
	check("verify twice", err, "store: verify checklist ", is(ErrConflict))
	_, err = s.VerifyChecklists(ctx, testAdmin, []int64{c.ID, c2.ID})
	check("verify a selection twice", err, "store: verify 2 checklists: ", func(err error) bool {
		var ce *ConflictError
		return errors.As(err, &ce) && len(ce.IDs) == 2 && errors.Is(err, ErrConflict)
	})
	_, err = s.SaveSchool(ctx, testAdmin, model.School{Code: "1000000002", Name: "x", Type: model.Primary, DivisionCode: "150999", Active: true})
	check("school in an unknown division", err, "store: save school 1000000002: ", func(err error) bool {
		var fe model.FieldErrors
		return errors.As(err, &fe) && len(fe) == 1 && fe[0].Field == "division_code"
	})
	_, err = s.ImportSchools(ctx, testAdmin, []model.SchoolLine{{Line: 2, School: model.School{Code: "1000000003", Name: "y",
		Type: model.Primary, DivisionCode: "150999", Students: 10}}}, false)
	check("import into an unknown division", err, "store: import 1 schools: ", func(err error) bool {
		var le model.LineErrors
		return errors.As(err, &le) && len(le) == 1 && le[0].Line == 2
	})
	_, err = s.Authenticate(ctx, "nobody", "Wrong-Pass-99")
	check("wrong password", err, "store: authenticate nobody: ", is(ErrBadCredentials))
	_, err = s.Hazard(ctx, 42)
	check("unknown hazard", err, "store: hazard 42: ", is(ErrNotFound))
	// A failing query names the operation, with the database's own error.
	s.Close()
	_, _, err = s.Schools(ctx, SchoolQuery{})
	check("closed database", err, "store: schools: ", func(err error) bool { return !errors.Is(err, ErrNotFound) })
}
