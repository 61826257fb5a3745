package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/web"
)

// ctxFiltersRestored marks a request whose list filters came from the
// session; read it through filtersRestored.
const ctxFiltersRestored = "sc.filters_restored"

// maxRememberedQuery bounds what a list remembers; a longer query is not
// kept (it is still applied).
const maxRememberedQuery = 1024

// rememberFilters keeps the filters (the query keys named) a user last
// used on one list for the session, so the list comes back as it was left:
// a request that names any of the keys is remembered once it succeeds; one
// that names none gets the remembered ones. ?clear=1 forgets them. The
// cookie lasts as long as the browser session and holds a fingerprint of
// the sign-in, so a new sign-in starts with clean lists.
func (s *Server) rememberFilters(list string, keys ...string) echo.MiddlewareFunc {
	name := "sc_list_" + list
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess, err := c.Cookie(sessionCookie)
			if err != nil || sess.Value == "" {
				return next(c)
			}
			bind := sessionFingerprint(sess.Value)
			req := c.Request()
			q := req.URL.Query()
			if q.Has("clear") {
				q.Del("clear")
				req.URL.RawQuery = q.Encode()
				clearCookie(c, name, s.secure(c))
				return next(c)
			}
			asked := url.Values{}
			named := false
			for _, k := range keys {
				if q.Has(k) {
					named = true
					if v := strings.TrimSpace(q.Get(k)); v != "" {
						asked.Set(k, v)
					}
				}
			}
			res := c.Response()
			if named {
				res.Before(func() {
					if res.Status != http.StatusOK {
						return
					}
					enc := asked.Encode()
					if enc == "" || len(enc) > maxRememberedQuery {
						clearCookie(c, name, s.secure(c))
						return
					}
					c.SetCookie(&http.Cookie{Name: name, Value: bind + "." + base64.RawURLEncoding.EncodeToString([]byte(enc)),
						Path: "/", HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
				})
				return next(c)
			}
			saved := rememberedQuery(c, name, bind)
			if len(saved) == 0 {
				return next(c)
			}
			for k, vs := range saved {
				if slices.Contains(keys, k) {
					q[k] = vs
				}
			}
			req.URL.RawQuery = q.Encode()
			c.Set(ctxFiltersRestored, true)
			res.Before(func() {
				if res.Status >= http.StatusBadRequest { // remembered filters that no longer work
					clearCookie(c, name, s.secure(c))
				}
			})
			return next(c)
		}
	}
}

// rememberedQuery reads a list's remembered filters, if they belong to
// this sign-in.
func rememberedQuery(c echo.Context, name, bind string) url.Values {
	ck, err := c.Cookie(name)
	if err != nil {
		return nil
	}
	fp, enc, ok := strings.Cut(ck.Value, ".")
	if !ok || fp != bind {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) > maxRememberedQuery {
		return nil
	}
	q, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil
	}
	return q
}

// sessionFingerprint names a sign-in without revealing its token.
func sessionFingerprint(token string) string {
	sum := sha256.Sum256([]byte("list-filters\x00" + token))
	return hex.EncodeToString(sum[:8])
}

// filtersRestored reports whether the request's filters were remembered.
func filtersRestored(c echo.Context) bool {
	v, _ := c.Get(ctxFiltersRestored).(bool)
	return v
}

// listBar heads a list at path: count rows match q, csv is their export.
func listBar(c echo.Context, path, csv string, q url.Values, count int) web.ListBar {
	b := web.ListBar{Count: count, Remembered: filtersRestored(c), Clear: path + "?clear=1"}
	if csv != "" {
		b.CSV = web.WithQuery(csv, q)
	}
	return b
}
