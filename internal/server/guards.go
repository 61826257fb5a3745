package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/web"
)

// The guard register's pages: the entry form and the import sit on the
// school's registers page; leaving has its own small form.

// canKeepRegisters: a school's own users and admins keep its registers
// (SPEC §5); inspectors and leaders read them. A closed school's registers
// are the store's to refuse (409).
func canKeepRegisters(u model.User, school model.School) bool { return canFill(u, school) }

// registerKeeper loads the school in the URL for a change to its registers.
func (s *Server) registerKeeper(c echo.Context) (model.School, model.User, error) {
	school, u, err := s.visibleSchool(c)
	if err == nil && !canKeepRegisters(u, school) {
		err = errForbidden
	}
	return school, u, err
}

// addGuard puts a guard on the register from the registers page.
func (s *Server) addGuard(c echo.Context) error {
	return s.addToRegister(c, registerEntry{
		fields: []string{"name", "id_number", "licence_no", "employer", "hired_on", "trained_on"},
		flash:  "guard_added", anchor: "guards",
		save: func(ctx context.Context, u model.User, school model.School, v map[string]string, errs *model.FieldErrors) error {
			in := model.GuardInput{Name: v["name"], IDNumber: v["id_number"], LicenceNo: v["licence_no"], Employer: v["employer"],
				HiredOn: formDate(v, "hired_on", errs), TrainedOn: formDate(v, "trained_on", errs)}
			if len(*errs) > 0 {
				return nil
			}
			_, err := s.store.AddGuard(ctx, u, school.ID, in)
			return err
		},
		form: func(f *registerForms, st formState) { f.guard = st },
	})
}

// formCount reads a whole number of a form; one that does not parse is a
// field error (the range is the store's to check).
func formCount(values map[string]string, k string, errs *model.FieldErrors) int {
	n, err := strconv.Atoi(values[k])
	if err != nil {
		*errs = append(*errs, model.NewFieldError(k, "not_whole_number", map[string]any{"Value": values[k]}, "%q is not a whole number", values[k]))
	}
	return n
}

// importGuards adds a file of guards to the register, all or nothing.
func (s *Server) importGuards(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fail := func(lines ...string) error {
		return s.renderRegisters(c, http.StatusUnprocessableEntity, school, u, registerForms{importErrors: lines})
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fail(i18n.T(ctx, "import.no_file"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := roster.ParseGuards(f, fh.Filename)
	var parsed model.LineErrors
	if err != nil && !errors.As(err, &parsed) {
		return fail(err.Error())
	}
	n, err := s.store.ImportGuards(ctx, u, school.ID, rows, parsed)
	if err != nil {
		if lines := roster.ErrorLines(err); len(lines) > 0 {
			return fail(lines...)
		}
		return err
	}
	p, err := s.registersPage(c, school, u, registerForms{})
	if err != nil {
		return err
	}
	p.Imported = n
	return render(c, http.StatusOK, web.RegistersView(p))
}

// showGuardLeave is the form to record that a guard left.
func (s *Server) showGuardLeave(c echo.Context) error {
	g, school, err := s.keptGuard(c)
	if err != nil {
		return err
	}
	return s.renderGuardLeave(c, http.StatusOK, g, school, map[string]string{"left_on": s.store.Today().String()}, nil)
}

// leaveGuard records the first day the guard no longer works there.
func (s *Server) leaveGuard(c echo.Context) error {
	g, school, err := s.keptGuard(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	values := formTexts(c, "left_on")
	var errs model.FieldErrors
	on := formDate(values, "left_on", &errs)
	if len(errs) == 0 {
		_, err = s.store.LeaveGuard(c.Request().Context(), u, g.ID, on)
		if err == nil {
			return s.flash(c, "guard_left", web.RegistersURL(school.Code)+"#guards")
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderGuardLeave(c, http.StatusUnprocessableEntity, g, school, values, errs)
}

// keptGuard loads the guard in the URL for a change by its school's keeper.
func (s *Server) keptGuard(c echo.Context) (model.Guard, model.School, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.Guard{}, model.School{}, err
	}
	ctx := c.Request().Context()
	g, err := s.store.Guard(ctx, id)
	if err != nil {
		return g, model.School{}, err
	}
	school, err := s.schoolOf(ctx, u, g.SchoolID)
	if err == nil && !canKeepRegisters(u, school) {
		err = errForbidden
	}
	return g, school, err
}

func (s *Server) renderGuardLeave(c echo.Context, status int, g model.Guard, school model.School, values map[string]string, errs model.FieldErrors) error {
	p := web.GuardLeavePage{School: school, Guard: g, Values: values, Errors: errs}
	p.Base = s.titledBase(c, "guards.leave_title", "dashboard", map[string]any{"Name": g.Name})
	return render(c, status, web.GuardLeaveView(p))
}

// showGuardConflicts lists the licence numbers active at two schools, at
// least one of them in the division's subtree.
func (s *Server) showGuardConflicts(c echo.Context) error {
	d, u, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	if u.Role == model.SchoolRep {
		return errForbidden
	}
	ctx := c.Request().Context()
	p := web.GuardConflictsPage{Division: d}
	if p.Conflicts, err = s.store.GuardConflicts(ctx, d.Code); err != nil {
		return err
	}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
		return err
	}
	p.Base = s.titledBase(c, "conflicts.title", "dashboard", map[string]any{"Division": d.Name})
	return render(c, http.StatusOK, web.GuardConflictsView(p))
}
