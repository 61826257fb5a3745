package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// statusClientClosed is what logs and metrics record for a request whose
// client disconnected before the answer (nginx's convention).
const statusClientClosed = 499

var (
	errForbidden = echo.NewHTTPError(http.StatusForbidden, "outside your role or scope")
	errNotFound  = echo.NewHTTPError(http.StatusNotFound, "not found")
)

// handleError is the one place errors become responses: JSON for the API,
// a page for people. Internal errors are logged and never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := classify(err)
	if status == statusClientClosed {
		// The client went away mid-request: nobody to answer, and nothing
		// wrong with the server. Logged and counted as 499, not as a 500.
		c.Response().Status = status
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "request_id", requestID(c), "err", err)
	}
	var rerr error
	if isAPI(c) {
		rerr = c.JSON(status, map[string]string{"error": msg})
	} else {
		ctx := c.Request().Context()
		switch {
		case status >= 500:
			msg = i18n.T(ctx, "error.internal")
		case errors.Is(err, store.ErrSchoolClosed):
			msg = i18n.T(ctx, "error.school_closed")
		case status == http.StatusConflict:
			msg = i18n.T(ctx, "error.conflict")
		}
		rerr = render(c, status, web.ErrorView(web.ErrorPage{Base: s.titledBase(c, "error.title", ""), Status: status, Message: msg,
			RequestID: requestID(c)}))
	}
	if rerr != nil {
		s.log.Error("writing error response", "err", rerr)
	}
}

func classify(err error) (int, string) {
	var he *echo.HTTPError
	var fe model.FieldErrors
	var le model.LineErrors
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		if m, ok := he.Message.(string); ok {
			return he.Code, m
		}
		return he.Code, http.StatusText(he.Code)
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, store.ErrKeyReused):
		return http.StatusConflict, "this Idempotency-Key was already used for a different request"
	case errors.Is(err, store.ErrBadKey):
		return http.StatusBadRequest, "Idempotency-Key must be 1 to 128 printable ASCII characters"
	case errors.Is(err, store.ErrSchoolClosed):
		return http.StatusConflict, store.ErrSchoolClosed.Error()
	case errors.Is(err, store.ErrCheckedIn):
		return http.StatusConflict, store.ErrCheckedIn.Error()
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "the record is no longer in a state that allows this; reload it"
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity, fe.Error()
	case errors.As(err, &le):
		return http.StatusUnprocessableEntity, le.Error()
	case errors.Is(err, context.Canceled):
		// Only a request's context is ever cancelled: its client left.
		return statusClientClosed, "client closed request"
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "request body too large"
	}
	return http.StatusInternalServerError, "internal error"
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}
