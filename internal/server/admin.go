package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/internal/store"
	"safecampus/web"
)

// listAdminSchools lists and searches every school, closed ones included.
func (s *Server) listAdminSchools(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := pageParam(c)
	if err != nil {
		page = 1 // the admin list has always shown the first page for a bad number
	}
	items, total, err := s.store.Schools(ctx, store.SchoolQuery{Search: c.QueryParam("q"), Inactive: true,
		Limit: schoolPageSize, Offset: (page - 1) * schoolPageSize})
	if err != nil {
		return err
	}
	p := web.AdminSchoolsPage{Query: c.QueryParam("q"), Rows: schoolRows(items), Total: int(total), Page: page, PageSize: schoolPageSize}
	p.Base = s.titledBase(c, "admin.schools.title", "admin")
	return render(c, http.StatusOK, web.AdminSchoolsView(p))
}

func (s *Server) newSchool(c echo.Context) error {
	return s.renderSchoolForm(c, http.StatusOK, "", map[string]string{"ownership": "public"}, nil, true)
}

func (s *Server) editSchool(c echo.Context) error {
	school, err := s.store.School(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return s.renderSchoolForm(c, http.StatusOK, school.Code, schoolFormValues(school), nil, school.Active)
}

func (s *Server) createSchool(c echo.Context) error {
	return s.saveSchool(c, model.School{Active: true}, "")
}

func (s *Server) updateSchool(c echo.Context) error {
	school, err := s.store.School(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return s.saveSchool(c, school, school.Code)
}

// saveSchool validates the posted form and creates or updates the school;
// on bad input the form comes back with the values as typed.
func (s *Server) saveSchool(c echo.Context, school model.School, code string) error {
	u, _ := currentUser(c)
	form, _ := c.FormParams() // as FormValue: a malformed body is an empty form
	school, values, errs := parseSchoolForm(form, school)
	if len(errs) == 0 {
		_, err := s.store.SaveSchool(c.Request().Context(), u, school)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderSchoolForm(c, http.StatusUnprocessableEntity, code, values, errs, school.Active)
	}
	return s.flash(c, "school_saved", web.SchoolURL(school.Code))
}

func (s *Server) renderSchoolForm(c echo.Context, status int, code string, values map[string]string, errs model.FieldErrors, active bool) error {
	ctx := c.Request().Context()
	counties, err := s.store.Counties(ctx, "")
	if err != nil {
		return err
	}
	p := web.SchoolFormPage{IsNew: code == "", Code: code, Values: values, Errors: errs, Counties: counties, Active: active}
	title := i18n.T(ctx, "admin.school.new_title")
	if code != "" {
		title = i18n.T(ctx, "admin.school.edit_title")
	}
	p.Base = s.base(c, title, "admin")
	return render(c, status, web.SchoolFormView(p))
}

func (s *Server) deactivateSchool(c echo.Context) error { return s.setSchoolActive(c, false) }
func (s *Server) activateSchool(c echo.Context) error   { return s.setSchoolActive(c, true) }

func (s *Server) setSchoolActive(c echo.Context, active bool) error {
	u, _ := currentUser(c)
	code := c.Param("code")
	if err := s.store.SetSchoolActive(c.Request().Context(), u, code, active); err != nil {
		return err
	}
	key := "school_deactivated"
	if active {
		key = "school_activated"
	}
	return s.flash(c, key, web.SchoolURL(code))
}

func (s *Server) showImport(c echo.Context) error {
	return s.renderImport(c, http.StatusOK, nil)
}

// importSchools reads an uploaded roster. All or nothing: any bad row and
// nothing is written, and the page lists every bad line.
func (s *Server) importSchools(c echo.Context) error {
	u, _ := currentUser(c)
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderImport(c, http.StatusUnprocessableEntity, &web.ImportResult{
			Errors: []string{i18n.T(c.Request().Context(), "import.no_file")}})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res := &web.ImportResult{FileName: fh.Filename, DryRun: c.FormValue("dry_run") != ""}
	rows, err := roster.ParseSchools(f, fh.Filename)
	if err != nil && len(roster.ErrorLines(err)) == 0 {
		// The file could not be read at all (its type, size or encoding):
		// a problem of the upload, said on the page, not a server error.
		res.Errors = []string{err.Error()}
		return s.renderImport(c, http.StatusUnprocessableEntity, res)
	}
	// Lines the parser refused and lines whose division is unknown are
	// listed together.
	out, err := s.store.ImportRoster(c.Request().Context(), u, rows, err, res.DryRun)
	res.Created, res.Updated = out.Created, out.Updated
	if err != nil {
		lines := roster.ErrorLines(err)
		if len(lines) == 0 {
			return err
		}
		res.Errors = lines
		res.Created, res.Updated = 0, 0
		return s.renderImport(c, http.StatusUnprocessableEntity, res)
	}
	return s.renderImport(c, http.StatusOK, res)
}

func (s *Server) renderImport(c echo.Context, status int, res *web.ImportResult) error {
	p := web.ImportPage{Result: res}
	p.Base = s.titledBase(c, "import.title", "admin")
	return render(c, status, web.ImportView(p))
}

func (s *Server) listUsers(c echo.Context) error {
	ctx := c.Request().Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	p := web.UsersPage{Users: users}
	p.Base = s.titledBase(c, "admin.users.title", "admin")
	return render(c, http.StatusOK, web.UsersView(p))
}

func (s *Server) newUser(c echo.Context) error {
	return s.renderUserForm(c, http.StatusOK, map[string]string{"role": "inspector"}, nil)
}

func (s *Server) createUser(c echo.Context) error {
	actor, _ := currentUser(c)
	values := formTexts(c, "username", "role", "scope", "language")
	u := model.User{Username: values["username"], Role: model.Role(values["role"]), ScopeCode: values["scope"], Language: values["language"]}
	_, err := s.store.CreateUser(c.Request().Context(), actor, u, c.FormValue("password"))
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderUserForm(c, http.StatusUnprocessableEntity, values, fe)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "user_created", "/admin/users")
}

func (s *Server) renderUserForm(c echo.Context, status int, values map[string]string, errs model.FieldErrors) error {
	p := web.UserFormPage{Values: values, Errors: errs}
	var err error
	if p.Divisions, err = s.store.DivisionsWithin(c.Request().Context(), ""); err != nil {
		return err
	}
	p.Base = s.titledBase(c, "admin.user.new_title", "admin")
	return render(c, status, web.UserFormView(p))
}

// disableUser stops a user from signing in and ends their sessions and
// API tokens; enableUser lets them sign in again.
func (s *Server) disableUser(c echo.Context) error { return s.setUserDisabled(c, true) }
func (s *Server) enableUser(c echo.Context) error  { return s.setUserDisabled(c, false) }

func (s *Server) setUserDisabled(c echo.Context, disabled bool) error {
	actor, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.SetUserDisabled(c.Request().Context(), actor, id, disabled); err != nil {
		return err
	}
	key := "user_enabled"
	if disabled {
		key = "user_disabled"
	}
	return s.flash(c, key, "/admin/users")
}

// showResetPassword is an admin's form to set another user's password.
func (s *Server) showResetPassword(c echo.Context) error {
	target, err := s.resetTarget(c)
	if err != nil {
		return err
	}
	return s.renderResetPassword(c, http.StatusOK, target, nil)
}

// resetPassword sets the password, ends the user's sessions and tokens,
// and forces a change at the next sign-in.
func (s *Server) resetPassword(c echo.Context) error {
	if authMethodOf(c) != authSession {
		return errSessionOnly
	}
	target, err := s.resetTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pw := c.FormValue("password")
	if pw != c.FormValue("confirm_password") {
		return s.renderResetPassword(c, http.StatusUnprocessableEntity, target,
			model.FieldErrors{{Field: "confirm_password", Message: i18n.T(ctx, "account.password.error.confirm")}})
	}
	actor, _ := currentUser(c)
	err = s.store.ResetPassword(ctx, actor, target.ID, pw)
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderResetPassword(c, http.StatusUnprocessableEntity, target, fe)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "password_reset", "/admin/users")
}

func (s *Server) resetTarget(c echo.Context) (model.User, error) {
	id, err := idParam(c)
	if err != nil {
		return model.User{}, err
	}
	u, err := s.store.User(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return u, errNotFound
	}
	return u, err
}

func (s *Server) renderResetPassword(c echo.Context, status int, target model.User, errs model.FieldErrors) error {
	p := web.ResetPasswordPage{Target: target, Errors: localizeFieldErrors(c, errs)}
	p.Base = s.titledBase(c, "reset.title", "admin", map[string]any{"User": target.Username})
	return render(c, status, web.ResetPasswordView(p))
}
