package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// showPasswordForm is where any signed-in user changes their password.
func (s *Server) showPasswordForm(c echo.Context) error {
	return s.renderPasswordForm(c, http.StatusOK, nil)
}

// changePassword checks the current password, sets the new one, and ends
// every session and API token of the user; the browser that made the
// change gets a fresh session so it stays signed in.
func (s *Server) changePassword(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	if authMethodOf(c) != authSession {
		// A token that leaked must not be enough to take the account over.
		return echo.NewHTTPError(http.StatusForbidden, "passwords are changed from a signed-in browser session, not with an API token")
	}
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	if next != c.FormValue("confirm_password") {
		fe := model.FieldErrors{{Field: "confirm_password", Message: i18n.T(ctx, "account.password.error.confirm")}}
		return s.renderPasswordForm(c, http.StatusUnprocessableEntity, fe)
	}
	// Wrong current passwords count as sign-in failures: a stolen session
	// must not become a way to guess the password.
	attempt, err := s.store.ReserveAttempt(ctx, u.Username, c.RealIP(), loginLimits)
	if err != nil {
		return err
	}
	if attempt.Throttled != store.NotThrottled {
		fe := model.FieldErrors{{Field: "current_password", Message: i18n.T(ctx, "login.throttled")}}
		return s.renderPasswordForm(c, http.StatusTooManyRequests, fe)
	}
	err = s.store.ChangePassword(ctx, u, current, next)
	var fe model.FieldErrors
	if err == nil || (errors.As(err, &fe) && fe.For("current_password") == "") {
		if rerr := s.store.Release(ctx, attempt); rerr != nil {
			return rerr
		}
	}
	if errors.As(err, &fe) {
		return s.renderPasswordForm(c, http.StatusUnprocessableEntity, passwordErrors(ctx, fe, current, next))
	}
	if err != nil {
		return err
	}
	if authMethodOf(c) == authSession {
		token, err := s.store.CreateSession(ctx, u.ID)
		if err != nil {
			return err
		}
		setCookie(c, sessionCookie, token, int(store.SessionAbsolute.Seconds()), s.secure(c))
	}
	return s.flash(c, "password_changed", "/")
}

func (s *Server) renderPasswordForm(c echo.Context, status int, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	p := web.PasswordPage{Errors: errs}
	p.Base = s.titledBase(c, "account.password.title", "")
	if u, ok := currentUser(c); ok && u.MustChangePassword && p.Base.Flash == "" {
		p.Base.Flash = i18n.T(ctx, "account.password.error.must_change")
	}
	return render(c, status, web.PasswordView(p))
}

// passwordErrors words the store's refusals in the page's language.
func passwordErrors(ctx context.Context, fe model.FieldErrors, current, next string) model.FieldErrors {
	out := make(model.FieldErrors, len(fe))
	for i, e := range fe {
		if e.Key != "" {
			// The policy's refusals carry their own key.
			out[i] = model.FieldError{Field: e.Field, Message: i18n.T(ctx, "field_error."+e.Key, e.Args)}
			continue
		}
		key := "account.password.error.current"
		switch {
		case e.Field != "new_password":
		case len(next) < store.MinPasswordLength:
			key = "account.password.error.too_short"
		case len(next) > store.MaxPasswordBytes:
			key = "account.password.error.too_long"
		default:
			key = "account.password.error.same"
		}
		out[i] = model.FieldError{Field: e.Field, Message: i18n.T(ctx, key,
			map[string]any{"Min": store.MinPasswordLength, "Max": store.MaxPasswordBytes})}
	}
	return out
}

// errSessionOnly refuses account changes made with an API token: a token
// that leaked must not be able to mint more tokens or take the account.
var errSessionOnly = echo.NewHTTPError(http.StatusForbidden, "this is done from a signed-in browser session, not with an API token")

// listTokens is the signed-in user's API tokens page.
func (s *Server) listTokens(c echo.Context) error {
	return s.renderTokens(c, http.StatusOK, "", nil, nil)
}

// createToken issues a token for the signed-in user and shows it once.
func (s *Server) createToken(c echo.Context) error {
	if authMethodOf(c) != authSession {
		return errSessionOnly
	}
	u, _ := currentUser(c)
	values := map[string]string{"name": c.FormValue("name"), "expires": c.FormValue("expires")}
	days, err := strconv.Atoi(values["expires"])
	if err != nil || days <= 0 {
		return s.renderTokens(c, http.StatusUnprocessableEntity, "", values,
			model.FieldErrors{{Field: "expires", Message: "choose how many days the token lives"}})
	}
	secret, _, err := s.store.IssueToken(c.Request().Context(), u, u.ID, values["name"], time.Duration(days)*24*time.Hour)
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderTokens(c, http.StatusUnprocessableEntity, "", values, fe)
	}
	if err != nil {
		return err
	}
	return s.renderTokens(c, http.StatusCreated, secret, nil, nil)
}

// revokeToken revokes one of the signed-in user's tokens (an admin's: any).
func (s *Server) revokeToken(c echo.Context) error {
	if authMethodOf(c) != authSession {
		return errSessionOnly
	}
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(c.Request().Context(), u, id); err != nil {
		return err
	}
	return s.flash(c, "token_revoked", "/account/tokens")
}

func (s *Server) renderTokens(c echo.Context, status int, secret string, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	tokens, err := s.store.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	now := s.store.Now()
	rows := make([]web.TokenRow, len(tokens))
	for i, t := range tokens {
		rows[i] = web.TokenRow{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.In(s.store.Location()),
			ExpiresAt: t.ExpiresAt.In(s.store.Location()), State: t.State(now)}
	}
	if values == nil {
		values = map[string]string{}
	}
	p := web.TokensPage{Tokens: rows, Secret: secret, Values: values, Errors: localizeFieldErrors(c, errs)}
	p.Base = s.titledBase(c, "tokens.title", "")
	if secret != "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return render(c, status, web.TokensView(p))
}

// localizeFieldErrors words errors that carry a key in the page's language.
func localizeFieldErrors(c echo.Context, errs model.FieldErrors) model.FieldErrors {
	ctx := c.Request().Context()
	out := make(model.FieldErrors, len(errs))
	for i, e := range errs {
		out[i] = e
		if e.Key != "" {
			out[i].Message = i18n.T(ctx, "field_error."+e.Key, e.Args)
		}
	}
	return out
}
