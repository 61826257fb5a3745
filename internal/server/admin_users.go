package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/web"
)

func (s *Server) listUsers(c echo.Context) error {
	ctx := c.Request().Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	p := web.UsersPage{Users: users}
	p.Base = s.base(c, i18n.T(ctx, "admin.users.title"), "admin")
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
	p.Base = s.base(c, i18n.T(c.Request().Context(), "admin.user.new_title"), "admin")
	return render(c, status, web.UserFormView(p))
}
