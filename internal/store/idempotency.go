package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"safecampus/internal/model"
)

// Idempotent creates. A client that may send the same create twice (a
// phone that lost the answer, a queue sent again when the network comes
// back) names it with a key of its own. The key is recorded with the
// record it created in the same transaction; a repeat by the same user
// finds it and gets the first result, and nothing is created again. A
// repeat with another request under the same key is ErrKeyReused.

// KeyRetention is how long a key is remembered: a repeat later than that
// creates a new record.
const KeyRetention = 30 * 24 * time.Hour

// maxKeyLen is the longest key accepted.
const maxKeyLen = 128

// ErrKeyReused is a key sent again with a different request.
var ErrKeyReused = errors.New("store: the idempotency key was already used for a different request")

// ErrBadKey is a key that is empty, too long or not printable ASCII.
var ErrBadKey = fmt.Errorf("store: an idempotency key is 1 to %d printable ASCII characters", maxKeyLen)

// CheckKey reports whether key is acceptable as an idempotency key.
func CheckKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return ErrBadKey
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return ErrBadKey
		}
	}
	return nil
}

type idempotencyRow struct {
	UserID      int64  `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Kind        string
	Fingerprint string
	RecordID    int64
	Result      string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// fingerprint hashes what a create asked for.
func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// oneShot is a create named by a key: who asked, the key, what kind of
// record and a fingerprint of the request.
type oneShot struct {
	user        int64
	key, kind   string
	fingerprint string
}

func newOneShot(actor model.User, key, kind string, request any) (oneShot, error) {
	if key == "" || actor.ID == 0 {
		return oneShot{}, nil
	}
	if err := CheckKey(key); err != nil {
		return oneShot{}, err
	}
	return oneShot{user: actor.ID, key: key, kind: kind, fingerprint: fingerprint(request)}, nil
}

func (o oneShot) on() bool { return o.key != "" }

// matches checks an earlier use of the key against this request.
func (o oneShot) matches(r idempotencyRow) error {
	if r.Kind != o.kind || r.Fingerprint != o.fingerprint {
		return ErrKeyReused
	}
	return nil
}

// earlier looks the key up outside any transaction: a repeat is answered
// without validating or saving anything again.
func (s *Store) earlier(ctx context.Context, o oneShot) (idempotencyRow, bool, error) {
	if !o.on() {
		return idempotencyRow{}, false, nil
	}
	var r idempotencyRow
	err := s.r.WithContext(ctx).Where("user_id = ? AND idem_key = ?", o.user, o.key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: idempotency key lookup: %w", err)
	}
	if r.RecordID == 0 {
		// Claimed by a transaction that has not committed: the claim in
		// the transaction decides.
		return r, false, nil
	}
	return r, true, o.matches(r)
}

// claim records the key in tx before the create. When the key is already
// there (a concurrent repeat that committed first: on PostgreSQL the insert
// waits for it), it returns that use, and the caller answers with it.
func (s *Store) claim(tx *gorm.DB, o oneShot) (idempotencyRow, bool, error) {
	if !o.on() {
		return idempotencyRow{}, false, nil
	}
	row := idempotencyRow{UserID: o.user, IdemKey: o.key, Kind: o.kind, Fingerprint: o.fingerprint, CreatedAt: s.now().UTC()}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return row, false, fmt.Errorf("store: claiming an idempotency key: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return row, false, nil
	}
	var prev idempotencyRow
	if err := tx.Where("user_id = ? AND idem_key = ?", o.user, o.key).Take(&prev).Error; err != nil {
		return prev, false, fmt.Errorf("store: reading an idempotency key: %w", err)
	}
	return prev, true, o.matches(prev)
}

// settle stores the result of the create under its claimed key.
func (s *Store) settle(tx *gorm.DB, o oneShot, recordID int64, result string) error {
	if !o.on() {
		return nil
	}
	err := tx.Model(&idempotencyRow{}).Where("user_id = ? AND idem_key = ?", o.user, o.key).
		Updates(map[string]any{"record_id": recordID, "result": result}).Error
	if err != nil {
		return fmt.Errorf("store: recording an idempotency key's result: %w", err)
	}
	return nil
}

// PruneIdempotencyKeys forgets keys older than KeyRetention and returns
// how many it removed.
func (s *Store) PruneIdempotencyKeys(ctx context.Context) (int64, error) {
	res := s.w.WithContext(ctx).Where("created_at < ?", s.now().UTC().Add(-KeyRetention)).Delete(&idempotencyRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: pruning idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}
