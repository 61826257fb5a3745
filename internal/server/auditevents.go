package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// passwordPath is where a user whose password an administrator reset is
// sent until they choose a new one.
const passwordPath = "/account/password"

// auditExport records a successful export: the route and its filters.
// Declared on each export route in routes.go.
func (s *Server) auditExport(next echo.HandlerFunc) echo.HandlerFunc {
	return s.auditRead("export", "export", func(c echo.Context) (string, string, any) {
		return c.Path(), c.Param("code"), map[string]string{"path": c.Request().URL.Path, "query": c.QueryString()}
	}, next)
}

// auditDownload records a successful evidence download.
func (s *Server) auditDownload(next echo.HandlerFunc) echo.HandlerFunc {
	return s.auditRead("download", "evidence", func(c echo.Context) (string, string, any) {
		return c.Param("id"), "", map[string]string{"path": c.Request().URL.Path}
	}, next)
}

// auditRead runs the handler, then audits what it gave out. A failed or
// refused request gave nothing out; the request log has it.
func (s *Server) auditRead(action, entity string, what func(echo.Context) (id, division string, detail any), next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil || c.Response().Status >= 400 {
			return err
		}
		u, _ := currentUser(c)
		id, division, detail := what(c)
		// Without the request's cancellation: a client that hangs up as the
		// last bytes leave has still been given the data.
		ctx := context.WithoutCancel(c.Request().Context())
		if aerr := s.store.RecordEvent(ctx, u, action, entity, id, division, detail); aerr != nil {
			// The answer is already on its way: log loudly instead.
			s.log.Error("auditing a read", "action", action, "entity", entity, "id", id, "request_id", requestID(c), "err", aerr)
		}
		return nil
	}
}

// forcePasswordChange keeps a user whose password an administrator reset
// on the password page until they choose a new one (signing out and the
// language switch still work).
func (s *Server) forcePasswordChange(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok || !u.MustChangePassword || c.Path() == passwordPath {
			return next(c)
		}
		if c.Request().Method == http.MethodGet && !isAPI(c) {
			return c.Redirect(http.StatusSeeOther, passwordPath)
		}
		return echo.NewHTTPError(http.StatusForbidden, "an administrator reset your password: choose a new one at "+passwordPath+" first")
	}
}
