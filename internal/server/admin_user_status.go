package server

import (
	"github.com/labstack/echo/v4"
)

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
