package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// DeliveryWindow is how long a delivery is retried before it is given up
// and shown as failed.
const DeliveryWindow = 24 * time.Hour

// DigestHour is the hour of the deployment's day when the daily job runs
// and daily e-mail digests go out.
const DigestHour = 7

type webhookRow struct {
	ID           int64 `gorm:"primaryKey"`
	DivisionCode string
	URL          string `gorm:"column:url"`
	Format       string
	Secret       string
	CreatedAt    time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) model() model.Webhook {
	return model.Webhook{ID: r.ID, DivisionCode: r.DivisionCode, URL: r.URL, Format: model.WebhookFormat(r.Format), Secret: r.Secret, CreatedAt: r.CreatedAt}
}

type outboxRow struct {
	ID             int64 `gorm:"primaryKey"`
	Target         string
	WebhookID      *int64
	UserID         *int64
	NotificationID int64
	DigestDay      string
	CreatedAt      time.Time
	Attempts       int
	NextAt         time.Time
	LastError      string
	LastStatus     int
	SentAt         *time.Time
	FailedAt       *time.Time
}

func (outboxRow) TableName() string { return "outbox" }

// ValidateWebhook checks a webhook before it is added.
func ValidateWebhook(w model.Webhook) model.FieldErrors {
	var errs model.FieldErrors
	u, err := url.Parse(strings.TrimSpace(w.URL))
	switch {
	case strings.TrimSpace(w.URL) == "":
		errs = append(errs, model.FieldError{Field: "url", Message: "a URL is required"})
	case err != nil:
		errs = append(errs, model.FieldError{Field: "url", Message: fmt.Sprintf("URL %q is not valid: %v", w.URL, err)})
	case u.Scheme != "http" && u.Scheme != "https":
		errs = append(errs, model.FieldError{Field: "url", Message: fmt.Sprintf("URL %q must start with http:// or https://", w.URL)})
	case u.Host == "":
		errs = append(errs, model.FieldError{Field: "url", Message: fmt.Sprintf("URL %q has no host", w.URL)})
	case len(w.URL) > 2000:
		errs = append(errs, model.FieldError{Field: "url", Message: "the URL is longer than 2000 characters"})
	}
	if _, ok := model.ParseWebhookFormat(string(w.Format)); !ok {
		errs = append(errs, model.FieldError{Field: "format", Message: fmt.Sprintf("format %q is not json, dingtalk or wecom", w.Format)})
	}
	if len(w.Secret) > 500 {
		errs = append(errs, model.FieldError{Field: "secret", Message: "the secret is longer than 500 characters"})
	}
	return errs
}

// CreateWebhook adds a webhook for a division's subtree. Invalid input is
// model.FieldErrors; an unknown division is a field error too.
func (s *Store) CreateWebhook(ctx context.Context, actor model.User, w model.Webhook) (model.Webhook, error) {
	w.URL = strings.TrimSpace(w.URL)
	if w.Format == "" {
		w.Format = model.WebhookJSON
	}
	errs := ValidateWebhook(w)
	var n int64
	if err := s.r.WithContext(ctx).Model(&divisionRow{}).Where("code = ?", w.DivisionCode).Count(&n).Error; err != nil {
		return model.Webhook{}, err
	}
	if n == 0 {
		errs = append(errs, model.FieldError{Field: "division", Message: fmt.Sprintf("division %q does not exist", w.DivisionCode)})
	}
	if len(errs) > 0 {
		return model.Webhook{}, errs
	}
	row := webhookRow{DivisionCode: w.DivisionCode, URL: w.URL, Format: string(w.Format), Secret: w.Secret, CreatedAt: s.now().UTC()}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		row.ID = 0 // a run again (runTx) inserts anew
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "webhook", itoa(row.ID), row.DivisionCode, nil,
			map[string]any{"division": row.DivisionCode, "url": row.URL, "format": row.Format, "signed": row.Secret != ""})
	})
	if err != nil {
		return model.Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	return row.model(), nil
}

// Webhooks lists every webhook with its delivery figures.
func (s *Store) Webhooks(ctx context.Context) ([]model.Webhook, error) {
	var rows []webhookRow
	if err := s.r.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	out := make([]model.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// DeleteWebhook removes a webhook and its pending deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, actor model.User, id int64) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		var r webhookRow
		if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Where("webhook_id = ?", id).Delete(&outboxRow{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&webhookRow{}, id).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "delete", "webhook", itoa(id), r.DivisionCode,
			map[string]any{"division": r.DivisionCode, "url": r.URL, "format": r.Format}, nil)
	})
}

// nextDigest is when a digest for mail queued at t goes out: the next
// DigestHour in the deployment's zone.
func (s *Store) nextDigest(t time.Time) (time.Time, model.Date) {
	local := t.In(s.loc)
	at := time.Date(local.Year(), local.Month(), local.Day(), DigestHour, 0, 0, 0, s.loc)
	if !at.After(local) {
		at = at.AddDate(0, 0, 1)
	}
	return at.UTC(), model.DateOf(at)
}

// queueDeliveries writes the outbox rows of newly created notifications:
// an e-mail for each recipient with an address (now, or in the next daily
// digest), and one webhook delivery per event for each webhook whose
// subtree holds the school.
func (s *Store) queueDeliveries(tx *gorm.DB, created []createdNote) error {
	if len(created) == 0 {
		return nil
	}
	now := s.now().UTC()
	var rows []outboxRow
	userIDs := map[int64]bool{}
	for _, c := range created {
		userIDs[c.UserID] = true
	}
	var mailers []struct {
		ID          int64
		EmailDigest bool
	}
	if err := tx.Table("users").Select("id, email_digest").Where("id IN ? AND email <> '' AND disabled = ?", idList(userIDs), false).
		Scan(&mailers).Error; err != nil {
		return fmt.Errorf("store: mail recipients: %w", err)
	}
	digest := map[int64]bool{}
	for _, m := range mailers {
		digest[m.ID] = m.EmailDigest
	}
	for _, c := range created {
		d, ok := digest[c.UserID]
		if !ok {
			continue
		}
		uid := c.UserID
		r := outboxRow{Target: "email", UserID: &uid, NotificationID: c.ID, CreatedAt: now, NextAt: now}
		if d {
			at, day := s.nextDigest(now)
			r.NextAt, r.DigestDay = at, day.String()
		}
		rows = append(rows, r)
	}
	var hooks []webhookRow
	if err := tx.Find(&hooks).Error; err != nil {
		return fmt.Errorf("store: webhooks: %w", err)
	}
	if len(hooks) > 0 {
		under := map[string]map[string]bool{} // county -> its ancestors
		seen := map[string]bool{}
		for _, c := range created {
			// Only notifications about a school go to webhooks.
			if c.school.ID == 0 || seen[noticeKey(c.kind, c.subject, c.stage)] {
				continue
			}
			seen[noticeKey(c.kind, c.subject, c.stage)] = true
			anc, ok := under[c.school.Division]
			if !ok {
				var codes []string
				if err := tx.Table("division_closure").Where("descendant_code = ?", c.school.Division).Pluck("ancestor_code", &codes).Error; err != nil {
					return err
				}
				anc = map[string]bool{}
				for _, code := range codes {
					anc[code] = true
				}
				under[c.school.Division] = anc
			}
			for _, h := range hooks {
				if anc[h.DivisionCode] {
					hid := h.ID
					rows = append(rows, outboxRow{Target: "webhook", WebhookID: &hid, NotificationID: c.ID, CreatedAt: now, NextAt: now})
				}
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
		return fmt.Errorf("store: queue deliveries: %w", err)
	}
	return nil
}

// Delivery is one outbox row claimed for sending, with what it needs.
type Delivery struct {
	ID       int64
	Target   string // "webhook" or "email"
	Attempts int
	Webhook  model.Webhook
	// For e-mail: the recipient and every notification the mail carries
	// (one, or a day's digest).
	User          model.User
	Email         string
	Notifications []model.Notification
	// IDs are the outbox rows this delivery settles (several for a digest).
	IDs []int64
	// DigestDay is the day of a digest ("" for a single notification).
	DigestDay string
}

// ClaimDeliveries takes up to limit due outbox rows for sending, leasing
// them for lease so another server does not send them at the same time. A
// digest is claimed whole: every row of that user and day. Without
// withEmail (no SMTP server configured) e-mails stay queued.
func (s *Store) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration, withEmail bool) ([]Delivery, error) {
	now := s.now().UTC()
	var due []outboxRow
	q := s.r.WithContext(ctx).Where("sent_at IS NULL AND failed_at IS NULL AND next_at <= ?", now)
	if !withEmail {
		q = q.Where("target = 'webhook'")
	}
	if err := q.Order("next_at, id").Limit(limit).Find(&due).Error; err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	var out []Delivery
	done := map[int64]bool{}
	for _, r := range due {
		if done[r.ID] {
			continue
		}
		var group []outboxRow
		err := s.transact(ctx, func(tx *gorm.DB) error {
			group = group[:0]
			q := tx.Where("id = ? AND sent_at IS NULL AND failed_at IS NULL AND next_at <= ?", r.ID, now)
			if r.Target == "email" && r.DigestDay != "" {
				q = tx.Where("target = 'email' AND user_id = ? AND digest_day = ? AND sent_at IS NULL AND failed_at IS NULL AND next_at <= ?", *r.UserID, r.DigestDay, now)
			}
			if err := q.Order("id").Find(&group).Error; err != nil {
				return err
			}
			if len(group) == 0 {
				return nil
			}
			ids := make([]int64, len(group))
			for i, g := range group {
				ids[i] = g.ID
			}
			return tx.Model(&outboxRow{}).Where("id IN ?", ids).
				Updates(map[string]any{"next_at": now.Add(lease), "attempts": gorm.Expr("attempts + 1")}).Error
		})
		if err != nil {
			return out, fmt.Errorf("store: claim delivery: %w", err)
		}
		if len(group) == 0 {
			continue
		}
		d, err := s.delivery(ctx, group)
		if err != nil {
			return out, err
		}
		for _, id := range d.IDs {
			done[id] = true
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Store) delivery(ctx context.Context, group []outboxRow) (Delivery, error) {
	read := s.r.WithContext(ctx)
	first := group[0]
	d := Delivery{ID: first.ID, Target: first.Target, Attempts: first.Attempts + 1, DigestDay: first.DigestDay}
	var noteIDs []int64
	for _, g := range group {
		d.IDs = append(d.IDs, g.ID)
		noteIDs = append(noteIDs, g.NotificationID)
	}
	var notes []notificationRow
	if err := read.Where("id IN ?", noteIDs).Order("id").Find(&notes).Error; err != nil {
		return d, fmt.Errorf("store: delivery notifications: %w", err)
	}
	for _, n := range notes {
		d.Notifications = append(d.Notifications, n.model())
	}
	switch {
	case first.WebhookID != nil:
		var h webhookRow
		if err := read.Where("id = ?", *first.WebhookID).Take(&h).Error; err != nil {
			return d, fmt.Errorf("store: delivery webhook: %w", notFound(err))
		}
		d.Webhook = h.model()
	case first.UserID != nil:
		var u userRow
		if err := read.Where("id = ?", *first.UserID).Take(&u).Error; err != nil {
			return d, fmt.Errorf("store: delivery user: %w", notFound(err))
		}
		d.User, d.Email = u.model(), u.Email
		if u.Disabled {
			d.Email = ""
		}
	}
	return d, nil
}

// DeliveryResult records the outcome of a delivery: Err nil is success
// (a 2xx, or the SMTP server accepted the mail).
type DeliveryResult struct {
	Status int
	Err    error
}

// FinishDelivery records a delivery's outcome. Success is final; a failure
// is retried with exponential backoff (1 min, 2, 4, … at most an hour)
// until DeliveryWindow after the row was queued, then marked failed.
func (s *Store) FinishDelivery(ctx context.Context, d Delivery, res DeliveryResult) error {
	now := s.now().UTC()
	return s.transact(ctx, func(tx *gorm.DB) error {
		if res.Err == nil {
			return tx.Model(&outboxRow{}).Where("id IN ? AND sent_at IS NULL", d.IDs).
				Updates(map[string]any{"sent_at": now, "last_status": res.Status, "last_error": ""}).Error
		}
		msg := res.Err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		var created time.Time
		if err := tx.Model(&outboxRow{}).Where("id = ?", d.ID).Pluck("created_at", &created).Error; err != nil {
			return err
		}
		// A digest's day of retries starts when it was due, not when its
		// first notification was queued.
		if day, err := model.ParseDate(d.DigestDay); err == nil {
			created = day.Time(s.loc).Add(DigestHour * time.Hour)
		}
		set := map[string]any{"last_error": msg, "last_status": res.Status, "next_at": now.Add(Backoff(d.Attempts))}
		if now.Sub(created) >= DeliveryWindow || errors.Is(res.Err, ErrUndeliverable) {
			set["failed_at"] = now
		}
		return tx.Model(&outboxRow{}).Where("id IN ? AND sent_at IS NULL", d.IDs).Updates(set).Error
	})
}

// ErrUndeliverable marks a delivery that no retry can fix (the recipient
// has no address any more).
var ErrUndeliverable = errors.New("undeliverable")

// Backoff is the wait after the n-th failed attempt: one minute doubled
// each time, at most an hour.
func Backoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// OutboxStats counts the outbox by state, per target.
func (s *Store) OutboxStats(ctx context.Context) (map[string]model.OutboxStats, error) {
	var rows []struct {
		Target   string
		Sent     int64
		Failed   int64
		Retrying int64
		Pending  int64
	}
	err := s.r.WithContext(ctx).Raw(`SELECT target,
		SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent,
		SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END) AS failed,
		SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END) AS retrying,
		SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND attempts = 0 THEN 1 ELSE 0 END) AS pending
		FROM outbox GROUP BY target`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: outbox stats: %w", err)
	}
	out := map[string]model.OutboxStats{"webhook": {}, "email": {}}
	for _, r := range rows {
		out[r.Target] = model.OutboxStats{Pending: r.Pending, Sent: r.Sent, Failed: r.Failed, Retrying: r.Retrying}
	}
	return out, nil
}

// FailedDeliveries lists the newest deliveries that are failing or failed.
func (s *Store) FailedDeliveries(ctx context.Context, limit int) ([]model.FailedDelivery, error) {
	var rows []struct {
		ID             int64
		Target         string
		NotificationID int64
		Attempts       int
		LastStatus     int
		LastError      string
		NextAt         time.Time
		FailedAt       *time.Time
		CreatedAt      time.Time
		URL            string
		Username       string
	}
	err := s.r.WithContext(ctx).Table("outbox o").
		Select("o.id, o.target, o.notification_id, o.attempts, o.last_status, o.last_error, o.next_at, o.failed_at, o.created_at, " +
			"COALESCE(w.url, '') AS url, COALESCE(u.username, '') AS username").
		Joins("LEFT JOIN webhooks w ON w.id = o.webhook_id").
		Joins("LEFT JOIN users u ON u.id = o.user_id").
		Where("o.sent_at IS NULL AND o.last_error <> ''").Order("o.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: failed deliveries: %w", err)
	}
	out := make([]model.FailedDelivery, len(rows))
	for i, r := range rows {
		out[i] = model.FailedDelivery{ID: r.ID, Target: r.Target, WebhookURL: r.URL, Username: r.Username, NotificationID: r.NotificationID,
			Attempts: r.Attempts, LastStatus: r.LastStatus, LastError: r.LastError, NextAt: r.NextAt, GaveUp: r.FailedAt != nil, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

func idList(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
