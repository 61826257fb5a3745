package model

import (
	"strconv"
	"time"
)

// NotificationKind is what a notification is about (SPEC section 8).
type NotificationKind string

// The kinds of notification. Event kinds are made in the transaction of
// their event; time-based kinds by the daily job.
const (
	KindCheckExpiring     NotificationKind = "check_expiring"
	KindCheckExpired      NotificationKind = "check_expired"
	KindChecklistReturned NotificationKind = "checklist_returned"
	KindHazardRaised      NotificationKind = "hazard_raised"
	KindHazardDueSoon     NotificationKind = "hazard_due_soon"
	KindHazardOverdue     NotificationKind = "hazard_overdue"
	KindHazardEscalated   NotificationKind = "hazard_escalated"
	KindHazardAnswered    NotificationKind = "hazard_answered"
	KindReviewsWaiting    NotificationKind = "reviews_waiting"
	KindDrillDue          NotificationKind = "drill_due" // SPEC §10: a school due an emergency drill
)

// NotificationKinds lists every kind, in the order counts are printed.
var NotificationKinds = []NotificationKind{
	KindCheckExpiring, KindCheckExpired, KindChecklistReturned, KindHazardRaised, KindHazardDueSoon,
	KindHazardOverdue, KindHazardEscalated, KindHazardAnswered, KindReviewsWaiting, KindDrillDue,
}

// Stages of the time-based kinds: the part of the unique key that tells
// the 30-day reminder from the 7-day one.
const (
	Stage30Days = "30d"
	Stage7Days  = "7d"
	StageNever  = "never" // check_expired of a school never checked
)

// DefaultEscalationDays is how long after its deadline an open hazard is
// escalated to the county's parent division.
const DefaultEscalationDays = 7

// ReviewWaitDays is how long a submitted checklist may wait before its
// reviewers are reminded.
const ReviewWaitDays = 3

// Notification is one thing the product tells one person. Params carry
// what the text needs (school name, reason, deadline, count); the text is
// rendered in the reader's language.
type Notification struct {
	ID           int64
	UserID       int64
	Kind         NotificationKind
	SubjectID    int64
	Stage        string
	SchoolCode   string
	DivisionCode string
	Params       map[string]any
	CreatedAt    time.Time
	Read         bool
}

// Link is the page the notification is about.
func (n Notification) Link() string {
	switch n.Kind {
	case KindChecklistReturned:
		return "/checklists/" + itoa(n.SubjectID)
	case KindHazardRaised, KindHazardDueSoon, KindHazardOverdue, KindHazardEscalated, KindHazardAnswered:
		return "/hazards/" + itoa(n.SubjectID)
	case KindReviewsWaiting:
		return "/review"
	case KindDrillDue:
		return "/schools/" + n.SchoolCode + "/registers#drills"
	}
	if n.SchoolCode != "" {
		return "/schools/" + n.SchoolCode
	}
	return "/"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// WebhookFormat is the body a webhook receives.
type WebhookFormat string

// The webhook formats: SafeCampus's JSON, and the DingTalk and WeCom
// robots' text messages.
const (
	WebhookJSON     WebhookFormat = "json"
	WebhookDingTalk WebhookFormat = "dingtalk"
	WebhookWeCom    WebhookFormat = "wecom"
)

// ParseWebhookFormat reads a format name.
func ParseWebhookFormat(s string) (WebhookFormat, bool) {
	switch f := WebhookFormat(s); f {
	case WebhookJSON, WebhookDingTalk, WebhookWeCom:
		return f, true
	}
	return "", false
}

// Webhook POSTs the notifications about schools in a division's subtree
// to a URL.
type Webhook struct {
	ID           int64
	DivisionCode string
	URL          string
	Format       WebhookFormat
	Secret       string
	CreatedAt    time.Time
}
