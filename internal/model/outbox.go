package model

import "time"

// OutboxStats are the delivery figures for the admin page and /metrics.
type OutboxStats struct {
	Pending, Sent, Failed, Retrying int64
}

// FailedDelivery is a delivery that failed at least once, for the admin page.
type FailedDelivery struct {
	ID             int64
	Target         string
	WebhookURL     string
	Username       string
	NotificationID int64
	Attempts       int
	LastStatus     int
	LastError      string
	NextAt         time.Time
	GaveUp         bool
	CreatedAt      time.Time
}
