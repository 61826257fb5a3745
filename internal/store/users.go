package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	PasswordHash string
	Role         string
	ScopeCode    string
	Language     string
	Disabled     bool
	// MustChangePassword is set by an administrator's reset: the user
	// chooses a new password at the next sign-in.
	MustChangePassword bool
	Email              string
	EmailDigest        bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) model() model.User {
	return model.User{ID: r.ID, Username: r.Username, Role: model.Role(r.Role), ScopeCode: r.ScopeCode, Language: r.Language, Disabled: r.Disabled,
		MustChangePassword: r.MustChangePassword, Email: r.Email, EmailDigest: r.EmailDigest}
}

// ErrBadCredentials is a wrong username or password, deliberately vague.
var ErrBadCredentials = errors.New("wrong username or password")

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{2,64}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = model.MinPasswordLength

// CreateUser adds a user after checking that the scope exists and fits the
// role: a division for leaders and inspectors, a school for school users.
func (s *Store) CreateUser(ctx context.Context, actor model.User, u model.User, password string) (_ model.User, err error) {
	defer wrap(&err, "create user %s", u.Username)
	var errs model.FieldErrors
	if !usernamePattern.MatchString(u.Username) {
		errs = append(errs, model.FieldError{Field: "username", Message: "username must be 2–64 letters, digits or . _ @ -"})
	}
	if _, ok := model.ParseRole(string(u.Role)); !ok {
		errs = append(errs, model.FieldError{Field: "role", Message: fmt.Sprintf("role %q is not admin, leader, inspector or school", u.Role)})
	}
	errs = append(errs, s.passwordErrors("password", password)...)
	if u.Language != "" && u.Language != "zh-CN" && u.Language != "en" {
		errs = append(errs, model.FieldError{Field: "language", Message: fmt.Sprintf("language %q is not zh-CN or en", u.Language)})
	}
	if u.Email = strings.TrimSpace(u.Email); u.Email != "" {
		if err := ValidateEmail(u.Email); err != nil {
			errs = append(errs, model.FieldError{Field: "email", Message: err.Error()})
		}
	}
	switch u.Role {
	case model.Admin:
		u.ScopeCode = ""
	case model.Leader, model.Inspector:
		if _, err := s.Division(ctx, u.ScopeCode); err != nil {
			errs = append(errs, model.FieldError{Field: "scope", Message: fmt.Sprintf("scope %q is not a division code", u.ScopeCode)})
		}
	case model.SchoolRep:
		if _, err := s.School(ctx, u.ScopeCode); err != nil {
			errs = append(errs, model.FieldError{Field: "scope", Message: fmt.Sprintf("scope %q is not a school code", u.ScopeCode)})
		}
	}
	if len(errs) > 0 {
		return u, errs
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost)
	if err != nil {
		return u, err
	}
	row := userRow{Username: u.Username, PasswordHash: string(hash), Role: string(u.Role), ScopeCode: u.ScopeCode, Language: u.Language,
		Email: u.Email, EmailDigest: u.EmailDigest}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("username = ?", u.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return model.FieldErrors{{Field: "username", Message: fmt.Sprintf("username %s is taken", u.Username)}}
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "user", u.Username, "", nil, row.model())
	})
	return row.model(), err
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (_ model.User, err error) {
	defer wrap(&err, "user %d", id)
	var r userRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.User{}, notFound(err)
	}
	return r.model(), nil
}

// UserByName returns a user by username.
func (s *Store) UserByName(ctx context.Context, username string) (_ model.User, err error) {
	defer wrap(&err, "user %s", username)
	var r userRow
	if err := s.r.WithContext(ctx).Where("username = ?", username).Take(&r).Error; err != nil {
		return model.User{}, notFound(err)
	}
	return r.model(), nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) (_ []model.User, err error) {
	defer wrap(&err, "users")
	var rows []userRow
	if err := s.r.WithContext(ctx).Order("username").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.User, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Authenticate checks a password. Unknown users cost the same time as
// wrong passwords, so timing does not reveal which usernames exist.
func (s *Store) Authenticate(ctx context.Context, username, password string) (_ model.User, err error) {
	defer wrap(&err, "authenticate %s", username)
	var r userRow
	err = s.r.WithContext(ctx).Where("username = ?", username).Take(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return model.User{}, err
	}
	hash := r.PasswordHash
	if hash == "" {
		hash = s.dummyHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || r.ID == 0 || r.Disabled {
		return model.User{}, ErrBadCredentials
	}
	return r.model(), nil
}

// SetLanguage stores a user's language choice ("" follows the browser).
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang string) (err error) {
	defer wrap(&err, "set language of user %d", userID)
	// The user's cached sessions carry the language: a new generation.
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"language": lang, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		return s.bumpGeneration(tx)
	})
}

// Session timeouts.
const (
	SessionIdle     = 8 * time.Hour
	SessionAbsolute = 7 * 24 * time.Hour
)

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a session and returns the cookie value.
func (s *Store) CreateSession(ctx context.Context, userID int64) (_ string, err error) {
	defer wrap(&err, "create session for user %d", userID)
	token := newSecret()
	now := s.now().UTC()
	err = s.w.WithContext(ctx).Create(&sessionRow{ID: hashSecret(token), UserID: userID, CreatedAt: now, LastSeenAt: now}).Error
	return token, err
}

// SessionUser returns the user of a live session, or ErrNotFound for an
// unknown, expired or disabled one. Answers are cached per data generation
// (credcache.go).
func (s *Store) SessionUser(ctx context.Context, token string) (_ model.User, err error) {
	defer wrap(&err, "session user")
	if token == "" {
		return model.User{}, ErrNotFound
	}
	id := hashSecret(token)
	now := s.now().UTC()
	gen, err := s.Generation(ctx)
	if err != nil {
		return model.User{}, err
	}
	if c, ok := s.creds.sessions.get(gen, id); ok && c.live(now) {
		return c.user, nil
	}
	var sr sessionRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&sr).Error; err != nil {
		return model.User{}, notFound(err)
	}
	if now.Sub(sr.LastSeenAt) > SessionIdle || now.Sub(sr.CreatedAt) > SessionAbsolute {
		_ = s.DeleteSession(ctx, token)
		return model.User{}, ErrNotFound
	}
	u, err := s.User(ctx, sr.UserID)
	if err != nil || u.Disabled {
		return model.User{}, ErrNotFound
	}
	// Touch at most once a minute: reads should not all become writes.
	if now.Sub(sr.LastSeenAt) > time.Minute {
		if s.w.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", sr.ID).Update("last_seen_at", now).Error == nil {
			sr.LastSeenAt = now
		}
	}
	s.creds.sessions.put(gen, id, cachedSession{user: u, created: sr.CreatedAt, lastSeen: sr.LastSeenAt})
	return u, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "delete session")
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", hashSecret(token)).Delete(&sessionRow{}).Error; err != nil {
			return err
		}
		return s.bumpGeneration(tx)
	})
}
