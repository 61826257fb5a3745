package server

import (
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
	p.Base = s.base(c, i18n.T(ctx, "tokens.title"), "")
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
	ctx := c.Request().Context()
	p := web.ResetPasswordPage{Target: target, Errors: localizeFieldErrors(c, errs)}
	p.Base = s.base(c, i18n.T(ctx, "reset.title", map[string]any{"User": target.Username}), "admin")
	return render(c, status, web.ResetPasswordView(p))
}
