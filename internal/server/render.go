package server

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/web"
)

// render writes a component as the response.
func render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return comp.Render(c.Request().Context(), c.Response())
}

// base is the layout data of every page.
func (s *Server) base(c echo.Context, title, nav string) web.Base {
	b := web.Base{
		Title: title,
		CSRF:  csrfToken(c),
		Lang:  i18n.Lang(c.Request().Context()),
		Nav:   nav,
		Today: s.store.Today(),
		Path:  c.Request().URL.RequestURI(),
	}
	if u, ok := currentUser(c); ok {
		b.User = &u
		b.Unread = s.unread(c, u)
	}
	if ck, err := s.cookie(c, flashCookie); err == nil && ck.Value != "" {
		b.Flash = i18n.T(c.Request().Context(), "flash."+ck.Value)
		clearCookie(c, flashCookie, s.secure(c))
	}
	return b
}

// flash leaves a one-off notice (a translation key under "flash.") for the
// next page, then redirects there (303, so a reload does not repost).
func (s *Server) flash(c echo.Context, key, to string) error {
	setCookie(c, flashCookie, key, 60, s.secure(c))
	return c.Redirect(303, to)
}
