package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// DefaultTokenTTL is how long an API token lives unless told otherwise.
const DefaultTokenTTL = 90 * 24 * time.Hour

// MaxTokenTTL is the longest life a token may be given.
const MaxTokenTTL = 366 * 24 * time.Hour

type apiTokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	TokenHash string
	Name      string
	CreatedAt time.Time
	ExpiresAt *time.Time // NULL for tokens issued before expiry existed: CreatedAt + DefaultTokenTTL
	RevokedAt *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// Token is an API token as listed: never the secret, which only its
// holder knows.
type Token struct {
	ID        int64
	UserID    int64
	Username  string
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// State is "active", "expired" or "revoked" at now.
func (t Token) State(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}

func (r apiTokenRow) model(username string) Token {
	t := Token{ID: r.ID, UserID: r.UserID, Username: username, Name: r.Name, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
	if r.ExpiresAt != nil {
		t.ExpiresAt = *r.ExpiresAt
	} else {
		t.ExpiresAt = r.CreatedAt.Add(DefaultTokenTTL)
	}
	return t
}

// CreateToken issues an API token for the user, living DefaultTokenTTL,
// on behalf of the command line.
func (s *Store) CreateToken(ctx context.Context, userID int64) (string, error) {
	secret, _, err := s.IssueToken(ctx, model.User{Username: "cli"}, userID, "", DefaultTokenTTL)
	return secret, err
}

// IssueToken issues a named API token for the user, expiring after ttl
// (0 = DefaultTokenTTL; at most MaxTokenTTL). Only the secret's hash is
// kept; the secret is returned once. Audited.
func (s *Store) IssueToken(ctx context.Context, actor model.User, userID int64, name string, ttl time.Duration) (string, Token, error) {
	name = strings.TrimSpace(name)
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	var errs model.FieldErrors
	if len([]rune(name)) > 100 {
		errs = append(errs, model.FieldError{Field: "name", Message: "the name is longer than 100 characters"})
	}
	if ttl < time.Hour || ttl > MaxTokenTTL {
		errs = append(errs, model.FieldError{Field: "expires", Message: fmt.Sprintf("a token lives from 1 hour to %d days", int(MaxTokenTTL.Hours()/24))})
	}
	if len(errs) > 0 {
		return "", Token{}, errs
	}
	secret := "sc_" + newSecret()
	now := s.now().UTC().Truncate(time.Microsecond)
	exp := now.Add(ttl)
	row := apiTokenRow{UserID: userID, TokenHash: hashSecret(secret), Name: name, CreatedAt: now, ExpiresAt: &exp}
	var u userRow
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "token", itoa(row.ID), "", nil,
			map[string]any{"user": u.Username, "name": name, "expires_at": exp})
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("store: issuing a token: %w", err)
	}
	return secret, row.model(u.Username), nil
}

// TokenUser returns the user of a live API token; an unknown, revoked or
// expired token, or one of a disabled user, is ErrNotFound. Answers are
// cached per data generation (credcache.go).
func (s *Store) TokenUser(ctx context.Context, token string) (_ model.User, err error) {
	defer wrap(&err, "token user")
	h := hashSecret(token)
	now := s.now().UTC()
	gen, err := s.Generation(ctx)
	if err != nil {
		return model.User{}, err
	}
	if c, ok := s.creds.tokens.get(gen, h); ok && c.token.State(now) == "active" {
		return c.user, nil
	}
	var tr apiTokenRow
	if err := s.r.WithContext(ctx).Where("token_hash = ?", h).Take(&tr).Error; err != nil {
		return model.User{}, notFound(err)
	}
	t := tr.model("")
	if t.State(now) != "active" {
		return model.User{}, ErrNotFound
	}
	u, err := s.User(ctx, tr.UserID)
	if err != nil || u.Disabled {
		return model.User{}, ErrNotFound
	}
	s.creds.tokens.put(gen, h, cachedToken{user: u, token: t})
	return u, nil
}

// Tokens lists a user's tokens (userID 0: everyone's), newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	db := s.r.WithContext(ctx).Order("id DESC")
	if userID != 0 {
		db = db.Where("user_id = ?", userID)
	}
	var rows []apiTokenRow
	if err := db.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: listing tokens: %w", err)
	}
	names := map[int64]string{}
	var users []userRow
	if err := s.r.WithContext(ctx).Select("id, username").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("store: listing tokens: %w", err)
	}
	for _, u := range users {
		names[u.ID] = u.Username
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = r.model(names[r.UserID])
	}
	return out, nil
}

// RevokeToken revokes a token: at once, for every server. Users revoke
// their own tokens, admins anyone's; another user's token is ErrNotFound.
// Revoking a revoked token changes nothing. Audited.
func (s *Store) RevokeToken(ctx context.Context, actor model.User, id int64) (Token, error) {
	var row apiTokenRow
	var u userRow
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		if actor.ID != 0 && actor.Role != model.Admin && row.UserID != actor.ID {
			return ErrNotFound
		}
		if err := tx.Select("id, username").Where("id = ?", row.UserID).Take(&u).Error; err != nil {
			return notFound(err)
		}
		if row.RevokedAt != nil {
			return nil
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		row.RevokedAt = &now
		if err := tx.Model(&apiTokenRow{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "revoke", "token", itoa(id), "", nil, map[string]any{"user": u.Username, "name": row.Name})
	})
	if err != nil {
		return Token{}, fmt.Errorf("store: revoking token %d: %w", id, err)
	}
	return row.model(u.Username), nil
}
