package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/store"
)

// apiNotification is one item of GET /api/v1/notifications.
type apiNotification struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	SchoolCode   *string   `json:"school_code"`
	DivisionCode *string   `json:"division_code"`
	SubjectID    int64     `json:"subject_id"`
	Text         string    `json:"text"`
	Link         string    `json:"link"`
	CreatedAt    time.Time `json:"created_at"`
	Read         bool      `json:"read"`
}

// apiNotifications is GET /api/v1/notifications?unread=true.
func (s *Server) apiNotifications(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	unreadOnly := false
	switch c.QueryParam("unread") {
	case "", "false":
	case "true":
		unreadOnly = true
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "unread must be true or false")
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return echo.NewHTTPError(http.StatusBadRequest, "limit must be 1 to 500")
		}
		limit = n
	}
	items, unread, err := s.store.Notifications(ctx, store.NotificationQuery{UserID: u.ID, UnreadOnly: unreadOnly, Limit: limit})
	if err != nil {
		return err
	}
	out := struct {
		Unread int64             `json:"unread"`
		Items  []apiNotification `json:"items"`
	}{Unread: unread, Items: make([]apiNotification, len(items))}
	for i, n := range items {
		out.Items[i] = apiNotification{ID: n.ID, Kind: string(n.Kind), SchoolCode: nullable(n.SchoolCode), DivisionCode: nullable(n.DivisionCode),
			SubjectID: n.SubjectID, Text: i18n.Notification(ctx, n), Link: n.Link(), CreatedAt: n.CreatedAt.UTC(), Read: n.Read}
	}
	return c.JSON(http.StatusOK, out)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiReadNotification is POST /api/v1/notifications/{id}/read.
func (s *Server) apiReadNotification(c echo.Context) error {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var body struct{}
	if err := decodeJSON(c, &body, true); err != nil {
		return err
	}
	if err := s.store.MarkNotificationRead(c.Request().Context(), u.ID, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "read": true})
}
