package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type auditRow struct {
	ID           int64 `gorm:"primaryKey"`
	At           time.Time
	UserID       *int64
	Username     string
	Action       string
	Entity       string
	EntityID     string
	DivisionCode string
	OldValue     string
	NewValue     string
	Address      string // the client's address, when a request made it
	RequestID    string // the request's X-Request-ID
	Hash         string // see auditchain.go
}

func (auditRow) TableName() string { return "audit_log" }

// audit records a change in the same transaction as the change itself.
func (s *Store) audit(tx *gorm.DB, actor model.User, action, entity, id, division string, old, new any) error {
	row := s.auditEntry(actor, action, entity, id, division, old, new)
	return s.insertAudit(tx, []auditRow{row})
}

func (s *Store) auditEntry(actor model.User, action, entity, id, division string, old, new any) auditRow {
	return s.auditEntryAt(s.now().UTC(), actor, action, entity, id, division, old, new)
}

// auditEntryAt is auditEntry at a given moment (a bulk write's one time).
func (s *Store) auditEntryAt(at time.Time, actor model.User, action, entity, id, division string, old, new any) auditRow {
	return auditRow{At: at, UserID: actorID(actor), Username: actor.Username, Action: action,
		Entity: entity, EntityID: id, DivisionCode: division, OldValue: auditValue(old), NewValue: auditValue(new)}
}

// actorID is the user id to store, or NULL for the command line and seeding.
func actorID(actor model.User) *int64 {
	if actor.ID == 0 {
		return nil
	}
	id := actor.ID
	return &id
}

// AuditEntry is one recorded change: who, what, old → new, when. Old and
// New are JSON ("" when there is none).
type AuditEntry struct {
	ID           int64
	At           time.Time
	UserID       int64
	Username     string
	Action       string
	Entity       string
	EntityID     string
	DivisionCode string
	DivisionName string
	Old, New     string
	Address      string // the client's address, when a request made it
	RequestID    string
}

// AuditEntities are the kinds of record the audit trail names.
// Besides records, the trail names events: sign-ins and sign-outs
// (session), exports (export) and API tokens (token).
var AuditEntities = []string{"school", "user", "checklist", "hazard", "inspection", "evidence", "rule_set", "session", "export", "token", "guard", "alarm_test", "drill", "escort_post", "escort_check_in", "calendar_day"}

// AuditQuery filters the audit trail.
type AuditQuery struct {
	// Scope, when set, limits the trail to changes in that division's
	// subtree: an inspector's view. Changes that belong to no division
	// (users, rule sets) are then left out.
	Scope    string
	Division string // further narrows to a subtree
	Entity   string
	EntityID string
	Username string
	From, To model.Date // days in the deployment's zone; 0 = open
	Limit    int
	Offset   int
}

// AuditTrail returns the entries matching q, newest first.
func (s *Store) AuditTrail(ctx context.Context, q AuditQuery) (_ []AuditEntry, _ int64, err error) {
	defer wrap(&err, "audit trail")
	db := s.r.WithContext(ctx).Model(&auditRow{})
	for _, d := range []string{q.Scope, q.Division} {
		if d != "" {
			db = db.Where("division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", d)
		}
	}
	if q.Entity != "" {
		db = db.Where("entity = ?", q.Entity)
	}
	if q.EntityID != "" {
		db = db.Where("entity_id = ?", q.EntityID)
	}
	if u := strings.TrimSpace(q.Username); u != "" {
		db = db.Where("username = ?", u)
	}
	if q.From != 0 {
		db = db.Where("at >= ?", q.From.Time(s.loc).UTC())
	}
	if q.To != 0 {
		db = db.Where("at < ?", q.To.AddDays(1).Time(s.loc).UTC())
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var rows []auditRow
	if err := db.Session(&gorm.Session{}).Order("at DESC, id DESC").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	divisions := map[string]bool{}
	for _, r := range rows {
		if r.DivisionCode != "" {
			divisions[r.DivisionCode] = true
		}
	}
	names, err := divisionNames(s.r.WithContext(ctx), keys(divisions))
	if err != nil {
		return nil, 0, err
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: r.At, Username: r.Username, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
			DivisionCode: r.DivisionCode, DivisionName: names[r.DivisionCode], Old: r.OldValue, New: r.NewValue,
			Address: r.Address, RequestID: r.RequestID}
		if r.UserID != nil {
			out[i].UserID = *r.UserID
		}
	}
	return out, total, nil
}
