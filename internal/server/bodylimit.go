package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Body limits: forms and JSON are small; roster uploads are not.
const (
	maxBodyBytes   = 1 << 20
	maxUploadBytes = 64 << 20
)

// bodyLimits holds the routes that take more than maxBodyBytes, keyed by
// method and route path. routes.go declares each one on its route, so a
// renamed route keeps its limit.
type bodyLimits map[string]int64

// allow lets the route take bodies of up to limit bytes.
func (l bodyLimits) allow(r *echo.Route, limit int64) {
	l[r.Method+" "+r.Path] = limit
}

// of is the limit of the route that matched the request.
func (l bodyLimits) of(c echo.Context) int64 {
	if n, ok := l[c.Request().Method+" "+c.Path()]; ok {
		return n
	}
	return maxBodyBytes
}

// middleware refuses a body over the route's limit before anything else
// reads it.
func (l bodyLimits) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := l.of(c)
		req := c.Request()
		if req.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		// A form sent without a length is cut off at the limit while it is
		// read; read it now, so that it is refused as too large rather than
		// taken for an empty form (and refused for its missing CSRF token).
		if strings.HasPrefix(req.Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
			var mbe *http.MaxBytesError
			if err := req.ParseForm(); errors.As(err, &mbe) {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
			}
		}
		return next(c)
	}
}
