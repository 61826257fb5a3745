package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"gorm.io/gorm/clause"
)

// residentKey is the key of the keyed hash of resident ID numbers: the
// configured one, or the database's own, loaded once.
type residentKey struct {
	mu  sync.Mutex
	key []byte
}

type deploymentKeyRow struct {
	Name  string `gorm:"primaryKey"`
	Value string
}

func (deploymentKeyRow) TableName() string { return "deployment_keys" }

const residentKeyName = "resident_id"

// residentKeyBytes returns the key, making and keeping a random one on
// first use when none is configured. It writes in its own statement, never
// inside a caller's transaction, so a key is only ever used once it is
// committed; two servers racing agree on the first one stored.
func (s *Store) residentKeyBytes(ctx context.Context) ([]byte, error) {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	if len(s.ids.key) > 0 {
		return s.ids.key, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	db := s.w.WithContext(ctx)
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&deploymentKeyRow{Name: residentKeyName, Value: hex.EncodeToString(fresh)}).Error; err != nil {
		return nil, err
	}
	var row deploymentKeyRow
	if err := db.Where("name = ?", residentKeyName).Take(&row).Error; err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(row.Value)
	if err != nil {
		return nil, err
	}
	s.ids.key = key
	return key, nil
}

// residentHash is the keyed hash (HMAC-SHA256, hex) of a normalized
// resident ID number: equal numbers give equal hashes, and without the key
// the hash does not give the number away (the space of ID numbers is small
// enough to try every one against a plain hash).
func (s *Store) residentHash(ctx context.Context, id string) (string, error) {
	key, err := s.residentKeyBytes(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)), nil
}
