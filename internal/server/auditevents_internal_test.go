package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"

	"safecampus/internal/store"
)

// TestReadAuditedAfterClientLeaves: an export whose client hangs up as the
// answer leaves (the request's context cancelled once the handler has
// written it) is audited all the same: the data was given out. The load
// test saw these entries lost with "context canceled".
func TestReadAuditedAfterClientLeaves(t *testing.T) {
	st, err := store.Open(store.Options{DSN: filepath.Join(t.TempDir(), "t.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &Server{store: st, log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/divisions/150100/schools.csv", nil)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	c.SetPath("/divisions/:code/schools.csv")
	h := s.auditExport(func(c echo.Context) error {
		err := c.String(http.StatusOK, "code,name\n")
		cancel() // the client is gone
		return err
	})
	if err := h(c); err != nil {
		t.Fatal(err)
	}
	entries, _, err := st.AuditTrail(context.Background(), store.AuditQuery{Entity: "export", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d export entries, want 1", len(entries))
	}
}
