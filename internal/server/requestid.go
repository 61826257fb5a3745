package server

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"safecampus/internal/store"
)

// headerRequestID names a request in every log line, error page and audit
// entry it causes.
const headerRequestID = "X-Request-ID"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// tagRequest gives the request its id: the one a trusted proxy sent, or a
// new one (a client's own word is not taken, so it cannot forge log lines
// or collide with another request). The id and the client address go into
// the request's context, where the store's audit entries pick them up.
func (s *Server) tagRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		id := ""
		if v := req.Header.Get(headerRequestID); v != "" && requestIDPattern.MatchString(v) && s.fromTrustedProxy(req) {
			id = v
		}
		if id == "" {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(headerRequestID, id)
		ctx := store.WithOrigin(req.Context(), store.Origin{Address: c.RealIP(), RequestID: id})
		c.SetRequest(req.WithContext(ctx))
		return next(c)
	}
}

// requestID is the id of the request being served.
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// fromTrustedProxy reports whether the connection comes from a configured
// reverse proxy (--trusted-proxy).
func (s *Server) fromTrustedProxy(req *http.Request) bool {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	for _, n := range s.cfg.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// transportSecurity sends HSTS when the site is served over HTTPS (natively,
// or behind a TLS proxy, which --secure-cookies declares): browsers then
// never try plain HTTP for a year.
func (s *Server) transportSecurity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.secure(c) {
			c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}
