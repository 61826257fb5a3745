package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The audit log is a hash chain: each entry's hash is SHA-256 over the
// previous entry's hash and the entry's own fields, in id order. Editing
// an entry breaks its hash; deleting one or swapping two breaks the hash
// of the entry that follows. VerifyAudit recomputes the chain.

// auditLockKey serializes audit writers on PostgreSQL (an advisory lock
// held to the end of the transaction), so each entry is chained to the one
// before it in id order. SQLite has one writer already.
const auditLockKey = 7_204_511_016

// Origin is where a request came from: recorded with every audit entry
// written while serving it.
type Origin struct {
	Address   string
	RequestID string
}

type originKey struct{}

// WithOrigin returns a context whose audit entries record o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

func originOf(ctx context.Context) Origin {
	if ctx == nil {
		return Origin{}
	}
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// lockAuditChain takes the audit chain's lock in tx on PostgreSQL (SQLite
// has one writer already), held to the transaction's end; taking it again
// in the same transaction is free. It is the first lock of every audited
// write: a write that would lock a row before it, one that writers holding
// the chain's lock lock in turn (a school's row, which the coverage refresh
// locks), takes it first, or the two would wait for each other in a cycle
// that PostgreSQL breaks by aborting one of them (deadlock, 40P01).
func (s *Store) lockAuditChain(tx *gorm.DB) error {
	if !s.postgres {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
		return fmt.Errorf("store: locking the audit chain: %w", err)
	}
	return nil
}

// insertAudit chains and inserts entries in the caller's transaction.
func (s *Store) insertAudit(tx *gorm.DB, rows []auditRow) error {
	if len(rows) == 0 {
		return nil
	}
	o := originOf(tx.Statement.Context)
	if w, ok := deferred(tx); ok {
		// Chained at the group's end, in the order the writes ran.
		w.audit = append(w.audit, withOrigin(rows, o)...)
		return nil
	}
	head, err := s.auditHead(tx)
	if err != nil {
		return err
	}
	chainAudit(head, rows, o)
	return s.writeAudit(tx, rows)
}

// auditHead locks the audit chain for the rest of tx (lockAuditChain) and
// returns its last hash, "" if it is empty.
func (s *Store) auditHead(tx *gorm.DB) (string, error) {
	if err := s.lockAuditChain(tx); err != nil {
		return "", err
	}
	var head string
	err := s.queryRowW(tx, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", nil, &head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: reading the audit chain's head: %w", err)
	}
	return head, nil
}

// withOrigin records o in the rows that have no origin of their own.
func withOrigin(rows []auditRow, o Origin) []auditRow {
	for i := range rows {
		if rows[i].Address == "" && rows[i].RequestID == "" {
			rows[i].Address, rows[i].RequestID = o.Address, o.RequestID
		}
	}
	return rows
}

// chainAudit readies rows to follow the chain's head: their origin, their
// time as it will be read back, their hashes.
func chainAudit(head string, rows []auditRow, o Origin) {
	for i := range withOrigin(rows, o) {
		// Both engines keep microseconds: hash what will be read back.
		rows[i].At = rows[i].At.UTC().Truncate(time.Microsecond)
		rows[i].Hash = chainHash(head, rows[i])
		head = rows[i].Hash
	}
}

// writeAudit inserts chained rows (chainAudit) and moves the data
// generation on.
func (s *Store) writeAudit(tx *gorm.DB, rows []auditRow) error {
	if err := s.insertRows(tx, auditTable, len(rows), func(i int, args []any) []any {
		r := &rows[i]
		return append(args, r.At, r.UserID, r.Username, r.Action, r.Entity, r.EntityID, r.DivisionCode, r.OldValue,
			r.NewValue, r.Address, r.RequestID, r.Hash)
	}); err != nil {
		return err
	}
	return s.advanceGeneration(tx)
}

// auditTable is the columns of an audit entry, written in bulk.
var auditTable = bulkTable{name: "audit_log", cols: []string{"at", "user_id", "username", "action", "entity", "entity_id",
	"division_code", "old_value", "new_value", "address", "request_id", "hash"}}

// chainHash is SHA-256 over the previous hash and the entry's fields.
func chainHash(prev string, r auditRow) string {
	uid := ""
	if r.UserID != nil {
		uid = strconv.FormatInt(*r.UserID, 10)
	}
	// prev, a newline, and the fields as a JSON array of strings.
	b := make([]byte, 0, len(prev)+len(r.OldValue)+len(r.NewValue)+256)
	b = append(append(b, prev...), '\n')
	b = appendJSONStrings(b, r.At.UTC().Format(time.RFC3339Nano), uid, r.Username, r.Action, r.Entity,
		r.EntityID, r.DivisionCode, r.OldValue, r.NewValue, r.Address, r.RequestID)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AuditBreak names the first entry whose hash does not match the chain.
type AuditBreak struct {
	ID     int64  // the entry that does not match
	Reason string // what is wrong with it
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit entry %d does not match the chain: %s", b.ID, b.Reason)
}

// VerifyAudit recomputes the chain in id order. It returns the number of
// entries checked, and an *AuditBreak naming the first entry that does not
// match: an edited entry, or the one after an entry that was deleted or
// moved. Entries written before the chain existed were sealed when the
// database was migrated (sealAudit).
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	var n int64
	head := ""
	var brk *AuditBreak
	var batch []auditRow
	err := s.r.WithContext(ctx).Model(&auditRow{}).Order("id").FindInBatches(&batch, 1000, func(tx *gorm.DB, _ int) error {
		for _, r := range batch {
			n++
			switch want := chainHash(head, r); {
			case r.Hash == "":
				brk = &AuditBreak{ID: r.ID, Reason: "it has no hash"}
			case r.Hash != want:
				brk = &AuditBreak{ID: r.ID, Reason: "its hash differs from the one computed from it and the entry before (edited, or an entry before it was deleted or moved)"}
			}
			if brk != nil {
				return brk
			}
			head = r.Hash
		}
		return nil
	}).Error
	if brk != nil {
		return n, brk
	}
	if err != nil {
		return n, fmt.Errorf("store: reading the audit log: %w", err)
	}
	return n, nil
}

// sealAudit chains the entries written before the chain existed, once:
// only while no entry has a hash yet.
func (s *Store) sealAudit(ctx context.Context) error {
	var sealed int64
	if err := s.r.WithContext(ctx).Model(&auditRow{}).Where("hash <> ''").Count(&sealed).Error; err != nil {
		return fmt.Errorf("store: reading the audit chain: %w", err)
	}
	if sealed > 0 {
		return nil
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockAuditChain(tx); err != nil {
			return err
		}
		head := ""
		var batch []auditRow
		return tx.Model(&auditRow{}).Order("id").FindInBatches(&batch, 1000, func(b *gorm.DB, _ int) error {
			for _, r := range batch {
				if r.Hash != "" {
					return nil // another server sealed it first
				}
				r.Hash = chainHash(head, r)
				if err := tx.Model(&auditRow{}).Where("id = ?", r.ID).Update("hash", r.Hash).Error; err != nil {
					return err
				}
				head = r.Hash
			}
			return nil
		}).Error
	})
}

// RecordEvent audits something that changes no record: a sign-in or its
// failure, a sign-out, an export, a download, a token issued or revoked.
func (s *Store) RecordEvent(ctx context.Context, actor model.User, action, entity, id, division string, detail any) error {
	row := s.auditEntry(actor, action, entity, id, division, nil, detail)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.insertAudit(tx, []auditRow{row}) })
	if err != nil {
		return fmt.Errorf("store: recording %s %s: %w", action, entity, err)
	}
	return nil
}
