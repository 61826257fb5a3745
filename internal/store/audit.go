package store

import (
	"context"
	"encoding/json"
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
	row := auditRow{At: s.now().UTC(), UserID: actorID(actor), Username: actor.Username, Action: action,
		Entity: entity, EntityID: id, DivisionCode: division}
	if old != nil {
		b, _ := json.Marshal(old)
		row.OldValue = string(b)
	}
	if new != nil {
		b, _ := json.Marshal(new)
		row.NewValue = string(b)
	}
	return row
}

// actorID is the user id to store, or NULL for the command line and seeding.
func actorID(actor model.User) *int64 {
	if actor.ID == 0 {
		return nil
	}
	id := actor.ID
	return &id
}

// Generation identifies the state of the recorded data: every write
// records an audit entry in its own transaction, so the highest entry id
// changes with every write. Pages derived from the data can be cached under
// it. ok is false on PostgreSQL, where concurrent transactions may commit
// out of id order and a cached page could miss a write; callers then do not
// cache.
func (s *Store) Generation(ctx context.Context) (gen int64, ok bool, err error) {
	if s.postgres {
		return 0, false, nil
	}
	var max *int64
	if err := s.r.WithContext(ctx).Raw("SELECT MAX(id) FROM audit_log").Scan(&max).Error; err != nil {
		return 0, false, err
	}
	if max != nil {
		gen = *max
	}
	return gen, true, nil
}
