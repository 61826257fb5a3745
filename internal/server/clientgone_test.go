package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// A request whose client disconnected fails with the request context's
// cancellation: that is logged and counted as 499, and no error page is
// written — under load, departing clients must not look like server
// faults (the load test counts 500s in the log).
func TestClientGoneIsNotAServerError(t *testing.T) {
	if status, _ := classify(fmt.Errorf("reading schools: %w", context.Canceled)); status != statusClientClosed {
		t.Errorf("classify(canceled) = %d, want %d", status, statusClientClosed)
	}
	if status, _ := classify(fmt.Errorf("reading schools: %w", context.DeadlineExceeded)); status != http.StatusInternalServerError {
		t.Errorf("classify(deadline) = %d, want 500: a timeout is the server's", status)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/coverage/150000", nil)
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(req, rec)
	s := &Server{log: slog.New(slog.DiscardHandler)}
	s.handleError(fmt.Errorf("query: %w", context.Canceled), c)
	if c.Response().Status != statusClientClosed || rec.Body.Len() != 0 {
		t.Errorf("status %d, body %q; want 499 and nothing written", c.Response().Status, rec.Body.String())
	}
}
