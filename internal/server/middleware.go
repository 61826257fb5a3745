package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

const (
	sessionCookie = "sc_session"
	langCookie    = "sc_lang"
	flashCookie   = "sc_flash"
)

// csp allows only our own scripts and styles: no inline script, no framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if isAPI(c) {
			// API answers are per user and live: no cache, shared or
			// private, keeps them.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "path", c.Request().URL.Path, "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
			"duration_ms", time.Since(start).Milliseconds(), "ip", c.RealIP(), "request_id", requestID(c)}
		if u, ok := currentUser(c); ok {
			attrs = append(attrs, "user", u.Username)
		}
		s.log.Log(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// authenticate finds the user of a Bearer token or a session cookie. It
// does not refuse anyone: requireUser and requireAPIUser do.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
			// A read looks up its credentials and its cached page at one
			// data generation: one query for both.
			var err error
			if ctx, err = s.store.PinGeneration(ctx); err != nil {
				return err
			}
			c.SetRequest(c.Request().WithContext(ctx))
		}
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return echo.NewHTTPError(http.StatusUnauthorized, "the Authorization header must be Bearer TOKEN")
			}
			u, err := s.store.TokenUser(ctx, strings.TrimSpace(token))
			if errors.Is(err, store.ErrNotFound) {
				return echo.NewHTTPError(http.StatusUnauthorized, "unknown or revoked API token")
			} else if err != nil {
				return err
			}
			setUser(c, u, authBearer)
			return next(c)
		}
		if ck, err := s.cookie(c, sessionCookie); err == nil && ck.Value != "" {
			u, err := s.store.SessionUser(ctx, ck.Value)
			switch {
			case err == nil:
				setUser(c, u, authSession)
			case errors.Is(err, store.ErrNotFound):
				clearCookie(c, sessionCookie, s.secure(c))
			default:
				return err
			}
		}
		return next(c)
	}
}

// localize picks the language: the user's setting, the language cookie,
// then the browser's Accept-Language.
func (s *Server) localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var prefs []string
		if u, ok := currentUser(c); ok && u.Language != "" {
			prefs = append(prefs, u.Language)
		}
		if ck, err := s.cookie(c, langCookie); err == nil {
			prefs = append(prefs, ck.Value)
		}
		prefs = append(prefs, c.Request().Header.Get("Accept-Language"))
		l := s.i18n.Localizer(prefs...)
		ctx := i18n.WithLocation(i18n.WithLocalizer(c.Request().Context(), l), s.store.Location())
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// requireUser sends people who are not signed in to the login page.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, web.LoginURL(c.Request().URL.RequestURI()))
			}
			return echo.NewHTTPError(http.StatusUnauthorized, "please sign in")
		}
		return next(c)
	}
}

// requireAPIUser refuses API requests without credentials with JSON 401.
func (s *Server) requireAPIUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			return echo.NewHTTPError(http.StatusUnauthorized, "authentication required: a session cookie or Authorization: Bearer TOKEN")
		}
		return next(c)
	}
}

type roleSet []model.Role

var roleAdmin = roleSet{model.Admin}

// requireRole refuses users outside the roles with 403.
func (s *Server) requireRole(roles roleSet) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, _ := currentUser(c)
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return errForbidden
		}
	}
}
