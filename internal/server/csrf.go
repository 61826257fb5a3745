package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
)

// csrfCookie holds the anonymous visitor's secret from which the token of
// the sign-in and language forms is made.
const csrfCookie = "sc_csrf"

var errCSRF = echo.NewHTTPError(http.StatusForbidden, "the form has expired or did not come from this site; reload the page and try again")

// csrf protects every state-changing request made with a cookie. The token
// is derived from the session cookie (HMAC-SHA256 keyed by it), so it is
// bound to the session: a token planted in a cookie or taken from another
// session is worthless, and a new session makes a new token. Visitors not
// signed in get a token derived from a random HttpOnly cookie instead. The
// token comes from the form field _csrf or the X-CSRF-Token header, never
// from the query string (which lands in logs and Referer headers). Bearer
// requests carry no ambient credentials and skip it; API requests with no
// credentials at all get their 401 from requireAPIUser.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := authMethodOf(c)
		if m == authBearer || (isAPI(c) && m == authNone) {
			return next(c)
		}
		key := ""
		if m == authSession {
			if ck, err := s.cookie(c, sessionCookie); err == nil {
				key = ck.Value
			}
		} else if ck, err := s.cookie(c, csrfCookie); err == nil && len(ck.Value) >= 32 {
			key = ck.Value
		}
		want := ""
		if key != "" {
			want = csrfTokenFor(key)
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			if key == "" {
				key = randomKey()
				setCookie(c, csrfCookie, key, 24*3600, s.secure(c))
				want = csrfTokenFor(key)
			}
			c.Set(ctxCSRF, want)
			return next(c)
		}
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.Request().PostFormValue("_csrf")
		}
		ok := want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
		if !ok && m == authSession && c.Path() == "/login" {
			// A sign-in form opened before another tab signed in still
			// works: at worst someone signs the browser in again.
			if ck, err := s.cookie(c, csrfCookie); err == nil && len(ck.Value) >= 32 && got != "" {
				ok = subtle.ConstantTimeCompare([]byte(got), []byte(csrfTokenFor(ck.Value))) == 1
			}
		}
		if !ok {
			return errCSRF
		}
		c.Set(ctxCSRF, want)
		return next(c)
	}
}

// csrfTokenFor is the form token of a session (or anonymous) secret.
func csrfTokenFor(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("safecampus csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
