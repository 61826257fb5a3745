package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// Login throttling: after this many failures for one username within the
// window, further attempts get 429 whatever address they claim; after
// addressFailureLimit failures from one client address (any usernames),
// that address gets 429 too. The address is the connection's, or the one a
// trusted proxy (Config.TrustedProxies) reports — never a client's own
// X-Forwarded-For.
const (
	loginFailureLimit   = 10
	addressFailureLimit = 30
	loginFailureWindow  = 15 * time.Minute
)

var loginLimits = store.AttemptLimits{PerUser: loginFailureLimit, PerAddress: addressFailureLimit, Window: loginFailureWindow}

func (s *Server) showLogin(c echo.Context) error {
	if _, ok := currentUser(c); ok {
		return c.Redirect(http.StatusSeeOther, localPath(c.QueryParam("next"), "/"))
	}
	return s.renderLogin(c, http.StatusOK, "", "")
}

func (s *Server) renderLogin(c echo.Context, status int, username, msg string) error {
	p := web.LoginPage{Base: s.titledBase(c, "login.title", ""), Username: username, Error: msg,
		Next: localPath(c.QueryParam("next"), ""), Demo: demoLogins(s.cfg.DemoLogins)}
	return render(c, status, web.LoginView(p))
}

func demoLogins(ds []DemoLogin) []web.DemoLogin {
	out := make([]web.DemoLogin, len(ds))
	for i, d := range ds {
		out[i] = web.DemoLogin{Username: d.Username, Password: d.Password, Role: d.Role}
	}
	return out
}

func (s *Server) login(c echo.Context) error {
	ctx := c.Request().Context()
	username := formText(c, "username")
	password := c.FormValue("password")
	address := c.RealIP()
	// The attempt is counted before the password is checked, so parallel
	// guesses cannot slip past the limit between the check and the count.
	attempt, err := s.store.ReserveAttempt(ctx, username, address, loginLimits)
	if err != nil {
		return err
	}
	if attempt.Throttled != store.NotThrottled {
		if err := s.store.RecordEvent(ctx, model.User{Username: username}, "sign_in_throttled", "session", username, "", nil); err != nil {
			return err
		}
		msg := "login.throttled"
		if attempt.Throttled == store.ThrottledAddress {
			msg = "login.throttled_address"
		}
		return s.renderLogin(c, http.StatusTooManyRequests, username, i18n.T(ctx, msg))
	}
	u, err := s.store.Authenticate(ctx, username, password)
	if errors.Is(err, store.ErrBadCredentials) {
		if err := s.store.RecordEvent(ctx, model.User{Username: username}, "sign_in_failed", "session", username, "", nil); err != nil {
			return err
		}
		return s.renderLogin(c, http.StatusUnauthorized, username, i18n.T(ctx, "login.failed"))
	}
	if err != nil {
		return err
	}
	if err := s.store.Release(ctx, attempt); err != nil {
		return err
	}
	// A fresh session id at every login: a session fixed before login is
	// worthless after it.
	if ck, err := s.cookie(c, sessionCookie); err == nil {
		_ = s.store.DeleteSession(ctx, ck.Value)
	}
	token, err := s.store.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := s.store.RecordEvent(ctx, u, "sign_in", "session", u.Username, "", nil); err != nil {
		return err
	}
	setCookie(c, sessionCookie, token, int(store.SessionAbsolute.Seconds()), s.secure(c))
	if u.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, passwordPath)
	}
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next"), "/"))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := s.cookie(c, sessionCookie); err == nil {
		if err := s.store.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	if u, ok := currentUser(c); ok {
		if err := s.store.RecordEvent(c.Request().Context(), u, "sign_out", "session", u.Username, "", nil); err != nil {
			return err
		}
	}
	clearCookie(c, sessionCookie, s.secure(c))
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) setLanguage(c echo.Context) error {
	lang := c.FormValue("lang")
	if !i18n.Supported(lang) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "lang must be zh-CN or en")
	}
	if u, ok := currentUser(c); ok {
		if err := s.store.SetLanguage(c.Request().Context(), u.ID, lang); err != nil {
			return err
		}
	}
	setCookie(c, langCookie, lang, 365*24*3600, s.secure(c))
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next"), "/"))
}
