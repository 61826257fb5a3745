package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
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
	importErrors []string // "line N: reason" of a refused import
}

// showRegisters is a school's registers: the guard register with its
// conflicts, and the forms to add to it.
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
	return render(c, status, web.RegistersView(p))
}

func (s *Server) registersPage(c echo.Context, school model.School, u model.User, f registerForms) (web.RegistersPage, error) {
	ctx := c.Request().Context()
	p := web.RegistersPage{School: school, CanKeep: canKeepRegisters(u, school) && school.Active,
		GuardValues: f.guard.values, GuardErrors: localizeFieldErrors(c, f.guard.errs), ImportErrors: f.importErrors}
	if p.GuardValues == nil {
		p.GuardValues = map[string]string{"hired_on": s.store.Today().String()}
	}
	var err error
	if p.Guards, err = s.store.SchoolGuards(ctx, school.ID); err != nil {
		return p, err
	}
	p.Base = s.base(c, i18n.T(ctx, "registers.title", map[string]any{"School": school.Name}), "dashboard")
	return p, nil
}
