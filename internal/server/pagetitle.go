package server

import (
	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/web"
)

// titledBase is the page frame of a page whose title is the translation of
// key (with data filled in), in the navigation section nav.
func (s *Server) titledBase(c echo.Context, key, nav string, data ...map[string]any) web.Base {
	return s.base(c, i18n.T(c.Request().Context(), key, data...), nav)
}
