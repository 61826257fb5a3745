package i18n

import (
	"context"
	"fmt"

	"safecampus/internal/model"
)

// Notification renders what a notification says, in the context's
// language, from its kind and params.
func Notification(ctx context.Context, n model.Notification) string {
	return NotificationIn(FromContext(ctx), n)
}

// NotificationIn renders a notification with the given localizer, for
// e-mails and webhooks made outside a request.
func NotificationIn(l *Localizer, n model.Notification) string {
	str := func(key string) string {
		if v, ok := n.Params[key]; ok {
			return fmt.Sprint(v)
		}
		return ""
	}
	data := map[string]any{
		"School": str("school"), "ExpiresOn": str("expires_on"), "AddedOn": str("added_on"), "CheckedOn": str("checked_on"),
		"Reason": str("reason"), "Deadline": str("deadline"), "Description": str("description"), "Count": str("count"),
		"LastDrill": str("last_drill_on"),
	}
	if m := str("measure"); m != "" {
		data["Measure"] = l.T("measure." + m)
	}
	id := "notify." + string(n.Kind)
	if (n.Kind == model.KindCheckExpired || n.Kind == model.KindDrillDue) && n.Stage == model.StageNever {
		id += "_never"
	}
	return l.T(id, data)
}

// NotificationKind is the short name of a kind of notification.
func NotificationKind(ctx context.Context, k model.NotificationKind) string {
	return T(ctx, "notify.kind."+string(k))
}
