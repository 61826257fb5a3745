package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

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
