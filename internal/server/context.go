package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// Context keys, private to this package; read them through the accessors.
const (
	ctxUser       = "sc.user"
	ctxAuthMethod = "sc.auth"
	ctxCSRF       = "sc.csrf"
	ctxRequestID  = "sc.request_id"
)

type authMethod int

const (
	authNone authMethod = iota
	authSession
	authBearer
)

func setUser(c echo.Context, u model.User, m authMethod) {
	c.Set(ctxUser, u)
	c.Set(ctxAuthMethod, m)
}

// currentUser returns the signed-in user, if any.
func currentUser(c echo.Context) (model.User, bool) {
	u, ok := c.Get(ctxUser).(model.User)
	return u, ok
}

func authMethodOf(c echo.Context) authMethod {
	m, _ := c.Get(ctxAuthMethod).(authMethod)
	return m
}

// csrfToken is the token to put in forms.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

func (s *Server) secure(c echo.Context) bool {
	return s.cfg.SecureCookies || c.IsTLS()
}

// cookieName gives a Secure cookie the __Host- prefix: browsers then keep
// it only if it is Secure, for the whole site and set by this host, so a
// sibling subdomain or a plain-HTTP page cannot plant or overwrite it.
func cookieName(name string, secure bool) string {
	if secure {
		return "__Host-" + name
	}
	return name
}

// cookie reads one of our cookies under the name it has on this request.
func (s *Server) cookie(c echo.Context, name string) (*http.Cookie, error) {
	return c.Cookie(cookieName(name, s.secure(c)))
}

func setCookie(c echo.Context, name, value string, maxAge int, secure bool) {
	c.SetCookie(&http.Cookie{Name: cookieName(name, secure), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
}

func clearCookie(c echo.Context, name string, secure bool) { setCookie(c, name, "", -1, secure) }

// localPath accepts only a path on this site as a redirect target.
func localPath(next, fallback string) string {
	if len(next) == 0 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}
