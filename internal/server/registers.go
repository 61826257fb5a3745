package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/web"

	"safecampus/internal/model"
)

// formState is one form of a page as typed, with its errors.
type formState struct {
	values map[string]string
	errs   model.FieldErrors
}

// registerForms are the registers page's forms after a refused action.
type registerForms struct {
	guard        formState
	alarm        formState
	drill        formState
	importErrors []string // "line N: reason" of a refused import
}

// showRegisters is a school's registers: the guard register with its
// conflicts, the alarm test log, the drills, and the forms to add to them.
func (s *Server) showRegisters(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	return s.renderRegisters(c, http.StatusOK, school, u, registerForms{})
}

func (s *Server) renderRegisters(c echo.Context, status int, school model.School, u model.User, f registerForms) error {
	p, err := s.registersPage(c, school, u, f)
	if err != nil {
		return err
	}
	if p.EscortPosts, err = s.store.SchoolEscortPosts(c.Request().Context(), school.ID); err != nil {
		return err
	}
	return render(c, status, web.RegistersView(p))
}

func (s *Server) registersPage(c echo.Context, school model.School, u model.User, f registerForms) (web.RegistersPage, error) {
	ctx := c.Request().Context()
	p := web.RegistersPage{School: school, CanKeep: canKeepRegisters(u, school) && school.Active,
		GuardValues: f.guard.values, GuardErrors: localizeFieldErrors(c, f.guard.errs), ImportErrors: f.importErrors}
	today := s.store.Today().String()
	if p.GuardValues == nil {
		p.GuardValues = map[string]string{"hired_on": today}
	}
	p.AlarmValues, p.AlarmErrors = f.alarm.values, localizeFieldErrors(c, f.alarm.errs)
	if p.AlarmValues == nil {
		p.AlarmValues = map[string]string{"tested_on": today, "ok": "yes", "police_notified": "yes"}
	}
	p.DrillValues, p.DrillErrors = f.drill.values, localizeFieldErrors(c, f.drill.errs)
	if p.DrillValues == nil {
		p.DrillValues = map[string]string{"held_on": today, "kind": string(model.DrillEvacuation)}
	}
	var err error
	if p.Guards, err = s.store.SchoolGuards(ctx, school.ID); err != nil {
		return p, err
	}
	if p.AlarmTests, err = s.store.SchoolAlarmTests(ctx, school.ID, 20); err != nil {
		return p, err
	}
	if p.Drills, err = s.store.SchoolDrills(ctx, school.ID, 20); err != nil {
		return p, err
	}
	rules, err := s.store.SchoolRules(ctx, school)
	if err != nil {
		return p, err
	}
	p.DrillInterval = rules.DrillInterval(school.Type)
	p.Base = s.titledBase(c, "registers.title", "dashboard", map[string]any{"School": school.Name})
	return p, nil
}

// registerEntry is one of the registers page's entry forms: its fields,
// how they become a saved record, and where the page shows them.
type registerEntry struct {
	fields []string
	flash  string // the flash key after saving
	anchor string // the page section
	// save parses the values (bad ones go to errs) and, when there are
	// none, saves the record; it returns the store's error.
	save func(ctx context.Context, u model.User, school model.School, values map[string]string, errs *model.FieldErrors) error
	// form puts the refused form into the page's forms.
	form func(f *registerForms, st formState)
}

// addToRegister handles a POST of an entry form: saved, back to the
// section; refused, the page again with the values typed and the errors.
func (s *Server) addToRegister(c echo.Context, e registerEntry) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	form, err := formParams(c)
	if err != nil {
		return err
	}
	values := trimmedValues(form, e.fields...)
	var errs model.FieldErrors
	err = e.save(c.Request().Context(), u, school, values, &errs)
	if err == nil && len(errs) == 0 {
		return s.flash(c, e.flash, web.RegistersURL(school.Code)+"#"+e.anchor)
	}
	if err != nil && !errors.As(err, &errs) {
		return err
	}
	var f registerForms
	e.form(&f, formState{values, errs})
	return s.renderRegisters(c, http.StatusUnprocessableEntity, school, u, f)
}
