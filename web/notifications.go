package web

import (
	"strconv"

	"safecampus/internal/model"
)

// NotificationsPage is the signed-in user's notifications, newest first.
type NotificationsPage struct {
	Base
	Items      []model.Notification
	UnreadOnly bool
	Page       int
	More       bool // an older page exists
}

// EmailPage is where a user (or an admin for them) sets the e-mail
// address and the choice of immediate mail or a daily digest.
type EmailPage struct {
	Base
	Target  model.User // whose address
	Action  string     // the form's URL
	Email   string
	Digest  bool
	Errors  model.FieldErrors
	SMTPOff bool // no SMTP server configured: mail waits
}

// WebhooksPage is the administrators' list of webhooks with the form to
// add one and the deliveries that fail.
type WebhooksPage struct {
	Base
	Hooks    []model.Webhook
	Stats    map[string]model.OutboxStats
	Failures []model.FailedDelivery
	Form     model.Webhook
	Errors   model.FieldErrors
	// Divisions are suggested by name for the division field.
	Divisions []model.Division
}

func bellCount(n int64) string {
	if n > 99 {
		return "99+"
	}
	return strconv.FormatInt(n, 10)
}

func notificationsURL(unread bool, page int) string {
	u := "/notifications"
	sep := "?"
	if unread {
		u += "?unread=true"
		sep = "&"
	}
	if page > 1 {
		u += sep + "page=" + strconv.Itoa(page)
	}
	return u
}
