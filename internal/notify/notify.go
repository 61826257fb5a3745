// Package notify runs reminders and their delivery: the daily job at
// 07:00 in the deployment's zone (with catch-up of missed days at
// start-up), and the outbox of e-mails and webhooks, retried with backoff.
// The notifications themselves are made by the store; this package sends
// them on.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

// Config is what the notifier needs from its environment.
type Config struct {
	// Mailer sends e-mail; nil when no SMTP server is configured (mail
	// then waits in the outbox until one is).
	Mailer *Mailer
	// PublicURL is prefixed to links in e-mails and webhooks
	// ("https://safecampus.example.cn"); empty leaves links relative.
	PublicURL string
	// HTTPClient posts webhooks; nil means one with a 10 s timeout.
	HTTPClient *http.Client
	// EscalationDays is how long after a deadline an open hazard is
	// escalated; 0 means model.DefaultEscalationDays.
	EscalationDays int
}

// Notifier runs the daily job and delivers the outbox.
type Notifier struct {
	cfg    Config
	store  *store.Store
	bundle *i18n.Bundle
	log    *slog.Logger
}

// New builds a notifier.
func New(cfg Config, st *store.Store, bundle *i18n.Bundle, log *slog.Logger) *Notifier {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Notifier{cfg: cfg, store: st, bundle: bundle, log: log}
}

// RunDay runs the daily job for day.
func (n *Notifier) RunDay(ctx context.Context, day model.Date) (store.NotifyRun, error) {
	return n.store.RunDailyNotifications(ctx, day, n.cfg.EscalationDays)
}

// dueDay is the latest day whose job is due at t: today from 07:00 on,
// else yesterday.
func (n *Notifier) dueDay(t time.Time) model.Date {
	local := t.In(n.store.Location())
	d := model.DateOf(local)
	if local.Hour() < store.DigestHour {
		d = d.AddDays(-1)
	}
	return d
}

// CatchUp runs the job for every day due and not yet run, oldest first:
// the days since the last run (at most 30), or only the latest due day
// on a database where it never ran.
func (n *Notifier) CatchUp(ctx context.Context) ([]store.NotifyRun, error) {
	due := n.dueDay(n.store.Now())
	last, ok, err := n.store.LastNotifyDay(ctx)
	if err != nil {
		return nil, err
	}
	from := due
	if ok && last < due {
		from = max(last.AddDays(1), due.AddDays(-30))
	}
	if ok && last >= due {
		return nil, nil
	}
	var runs []store.NotifyRun
	for d := from; d <= due; d++ {
		r, err := n.RunDay(ctx, d)
		if err != nil {
			return runs, err
		}
		if !r.AlreadyRan {
			n.log.Info("notifications", "day", d.String(), "created", total(r.Counts))
		}
		runs = append(runs, r)
	}
	return runs, nil
}

func total(counts map[model.NotificationKind]int) int {
	t := 0
	for _, c := range counts {
		t += c
	}
	return t
}

// nextRun is the next 07:00 in the deployment's zone after t.
func (n *Notifier) nextRun(t time.Time) time.Time {
	local := t.In(n.store.Location())
	at := time.Date(local.Year(), local.Month(), local.Day(), store.DigestHour, 0, 0, 0, local.Location())
	if !at.After(local) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

// Run catches up at start-up, then runs the job at 07:00 every day and
// delivers the outbox every pollEvery, until ctx ends. Errors are logged:
// an unreachable SMTP server or webhook never stops it.
func (n *Notifier) Run(ctx context.Context, pollEvery time.Duration) {
	if _, err := n.CatchUp(ctx); err != nil && ctx.Err() == nil {
		n.log.Error("daily notifications", "err", err)
	}
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	next := n.nextRun(n.store.Now())
	for {
		if _, err := n.Deliver(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("delivering notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
		if !n.store.Now().Before(next) {
			if _, err := n.CatchUp(ctx); err != nil && ctx.Err() == nil {
				n.log.Error("daily notifications", "err", err)
			}
			next = n.nextRun(n.store.Now())
		}
	}
}

// Delivered counts the outcome of one pass over the outbox.
type Delivered struct {
	Sent, Failed int
}

// Deliver sends every due outbox row once: webhooks always, e-mail when a
// mailer is configured. A failure is recorded for a later retry.
func (n *Notifier) Deliver(ctx context.Context) (Delivered, error) {
	var out Delivered
	for range 100 { // at most 100 batches a pass
		batch, err := n.store.ClaimDeliveries(ctx, 50, 5*time.Minute, n.cfg.Mailer != nil)
		if err != nil {
			return out, err
		}
		if len(batch) == 0 {
			return out, nil
		}
		for _, d := range batch {
			res := n.send(ctx, d)
			if res.Err != nil {
				out.Failed++
				n.log.Warn("delivery failed", "target", d.Target, "outbox", d.ID, "attempt", d.Attempts, "err", res.Err)
			} else {
				out.Sent++
			}
			if err := n.store.FinishDelivery(ctx, d, res); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func (n *Notifier) send(ctx context.Context, d store.Delivery) store.DeliveryResult {
	switch d.Target {
	case "webhook":
		return n.postWebhook(ctx, d)
	case "email":
		if d.Email == "" {
			return store.DeliveryResult{Err: fmt.Errorf("%s has no e-mail address any more: %w", d.User.Username, store.ErrUndeliverable)}
		}
		return store.DeliveryResult{Err: n.mail(ctx, d)}
	}
	return store.DeliveryResult{Err: errors.New("unknown delivery target " + d.Target)}
}

// link is a notification's link, absolute when a public URL is set.
func (n *Notifier) link(note model.Notification) string {
	return n.cfg.PublicURL + note.Link()
}
