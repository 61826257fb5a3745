package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

const notificationPageSize = 50

// listNotifications is /notifications: the user's notifications, newest
// first, all or unread only.
func (s *Server) listNotifications(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	unreadOnly := c.QueryParam("unread") == "true"
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	items, unread, err := s.store.Notifications(ctx, store.NotificationQuery{UserID: u.ID, UnreadOnly: unreadOnly,
		Limit: notificationPageSize + 1, Offset: (page - 1) * notificationPageSize})
	if err != nil {
		return err
	}
	p := web.NotificationsPage{UnreadOnly: unreadOnly, Page: page, More: len(items) > notificationPageSize}
	if p.More {
		items = items[:notificationPageSize]
	}
	for i := range items {
		items[i].CreatedAt = items[i].CreatedAt.In(s.store.Location())
	}
	p.Items = items
	p.Base = s.titledBase(c, "notify.title", "")
	p.Unread = unread
	return render(c, http.StatusOK, web.NotificationsView(p))
}

// readNotification marks one notification read and returns to the list
// (or to where the form says).
func (s *Server) readNotification(c echo.Context) error {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.MarkNotificationRead(c.Request().Context(), u.ID, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}

// readAllNotifications marks every notification of the user read.
func (s *Server) readAllNotifications(c echo.Context) error {
	u, _ := currentUser(c)
	if _, err := s.store.MarkAllNotificationsRead(c.Request().Context(), u.ID); err != nil {
		return err
	}
	return s.flash(c, "notifications_read", "/notifications")
}

// showEmail is /account/email: the signed-in user's e-mail settings.
func (s *Server) showEmail(c echo.Context) error {
	u, _ := currentUser(c)
	full, err := s.store.User(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.renderEmail(c, http.StatusOK, full, "/account/email", full.Email, full.EmailDigest, nil)
}

// saveEmail sets the signed-in user's e-mail settings.
func (s *Server) saveEmail(c echo.Context) error {
	u, _ := currentUser(c)
	return s.setEmail(c, u, u.ID, "/account/email", "/account/email")
}

// showUserEmail is an administrator's view of a user's e-mail settings.
func (s *Server) showUserEmail(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	target, err := s.store.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderEmail(c, http.StatusOK, target, c.Request().URL.Path, target.Email, target.EmailDigest, nil)
}

// saveUserEmail sets a user's e-mail settings for an administrator.
func (s *Server) saveUserEmail(c echo.Context) error {
	actor, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return s.setEmail(c, actor, id, c.Request().URL.Path, "/admin/users")
}

func (s *Server) setEmail(c echo.Context, actor model.User, id int64, action, next string) error {
	ctx := c.Request().Context()
	email, digest := c.FormValue("email"), c.FormValue("digest") == "true"
	_, err := s.store.SetEmail(ctx, actor, id, email, digest)
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		target, terr := s.store.User(ctx, id)
		if terr != nil {
			return terr
		}
		return s.renderEmail(c, http.StatusUnprocessableEntity, target, action, email, digest, fe)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "email_saved", next)
}

func (s *Server) renderEmail(c echo.Context, status int, target model.User, action, email string, digest bool, errs model.FieldErrors) error {
	p := web.EmailPage{Target: target, Action: action, Email: email, Digest: digest, Errors: errs}
	nav := ""
	if u, _ := currentUser(c); u.ID != target.ID {
		nav = "admin"
	}
	p.Base = s.titledBase(c, "email.title", nav)
	return render(c, status, web.EmailView(p))
}

// unread is the bell's count; a failure to read it must not fail the page.
func (s *Server) unread(c echo.Context, u model.User) int64 {
	n, err := s.store.UnreadCount(c.Request().Context(), u.ID)
	if err != nil {
		s.log.Warn("unread notifications", "err", err)
		return 0
	}
	return n
}
