package store

import (
	"context"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// Account security: password changes, disabling users, and the login
// failure count by address. Whatever changes who may act as a user ends
// every session and API token that user had.

// MaxPasswordBytes is bcrypt's limit: longer passwords would be cut short.
const MaxPasswordBytes = model.MaxPasswordBytes

// passwordErrors checks a new password against the policy (see
// model.CheckPassword); field names the form field. The one exempt
// password (Options.ExemptPassword, the throwaway demo's) passes.
func (s *Store) passwordErrors(field, password string) model.FieldErrors {
	if s.exemptPassword != "" && password == s.exemptPassword {
		return nil
	}
	if e := model.CheckPassword(field, password); e != nil {
		return model.FieldErrors{*e}
	}
	return nil
}

// ChangePassword sets a new password for the user after checking the
// current one. It ends all of the user's sessions and revokes their API
// tokens: whoever knew the old password is signed out everywhere. The
// caller starts a fresh session for the browser that made the change.
// Wrong or invalid values are model.FieldErrors on current_password and
// new_password.
func (s *Store) ChangePassword(ctx context.Context, user model.User, current, next string) (err error) {
	defer wrap(&err, "change password of user %d", user.ID)
	var r userRow
	if err := s.r.WithContext(ctx).Where("id = ?", user.ID).Take(&r).Error; err != nil {
		return notFound(err)
	}
	if r.Disabled {
		return ErrNotFound
	}
	if bcrypt.CompareHashAndPassword([]byte(r.PasswordHash), []byte(current)) != nil {
		return model.FieldErrors{{Field: "current_password", Message: "the current password is wrong"}}
	}
	if errs := s.passwordErrors("new_password", next); errs != nil {
		return errs
	}
	if next == current {
		return model.FieldErrors{{Field: "new_password", Message: "the new password must differ from the current one"}}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), s.passwordCost)
	if err != nil {
		return err
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).
			Updates(map[string]any{"password_hash": string(hash), "must_change_password": false, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		ended, err := endCredentials(tx, r.ID, s.now().UTC())
		if err != nil {
			return err
		}
		return s.audit(tx, user, "change_password", "user", r.Username, "", nil, ended)
	})
}

// SetUserDisabled disables or re-enables a user. Disabling ends all of the
// user's sessions and revokes their API tokens; re-enabling restores
// neither (the user signs in again; tokens are issued anew). Setting the
// state a user already has changes nothing. Admins cannot disable
// themselves: there would be no one left to undo it.
func (s *Store) SetUserDisabled(ctx context.Context, actor model.User, id int64, disabled bool) (_ model.User, err error) {
	defer wrap(&err, "set user %d disabled", id)
	var r userRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err)
		}
		if disabled && r.ID == actor.ID {
			return model.FieldErrors{{Field: "user", Message: "you cannot disable your own account"}}
		}
		if r.Disabled == disabled {
			return nil
		}
		old := r.model()
		r.Disabled, r.UpdatedAt = disabled, s.now().UTC()
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).
			Updates(map[string]any{"disabled": disabled, "updated_at": r.UpdatedAt}).Error; err != nil {
			return err
		}
		action, detail := "enable", any(r.model())
		if disabled {
			ended, err := endCredentials(tx, r.ID, s.now().UTC())
			if err != nil {
				return err
			}
			action, detail = "disable", struct {
				model.User
				credentialsEnded
			}{r.model(), ended}
		}
		return s.audit(tx, actor, action, "user", r.Username, "", old, detail)
	})
	return r.model(), err
}

// credentialsEnded is what endCredentials did, for the audit log.
type credentialsEnded struct {
	SessionsEnded int64 `json:"sessions_ended"`
	TokensRevoked int64 `json:"tokens_revoked"`
}

// endCredentials ends every session and revokes every API token of a user.
func endCredentials(tx *gorm.DB, userID int64, now time.Time) (credentialsEnded, error) {
	var out credentialsEnded
	res := tx.Where("user_id = ?", userID).Delete(&sessionRow{})
	if res.Error != nil {
		return out, res.Error
	}
	out.SessionsEnded = res.RowsAffected
	// Tokens are revoked, not deleted: the token list keeps them.
	res = tx.Model(&apiTokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now)
	if res.Error != nil {
		return out, res.Error
	}
	out.TokensRevoked = res.RowsAffected
	return out, nil
}

type loginFailureRow struct {
	ID       int64 `gorm:"primaryKey"`
	Username string
	Address  string // the client's address; see LoginFailuresFrom
	At       time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// RecordLoginFailure notes a failed login for username from a client
// address; kept in the database so every server sees the same counts.
func (s *Store) RecordLoginFailure(ctx context.Context, username, address string) (err error) {
	defer wrap(&err, "record login failure")
	now := s.now().UTC()
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("at < ?", now.Add(-24*time.Hour)).Delete(&loginFailureRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&loginFailureRow{Username: username, Address: address, At: now}).Error
	})
}

// LoginFailures counts failed logins for username within the window.
func (s *Store) LoginFailures(ctx context.Context, username string, window time.Duration) (_ int64, err error) {
	defer wrap(&err, "count login failures of %s", username)
	var n int64
	err = s.r.WithContext(ctx).Model(&loginFailureRow{}).
		Where("username = ? AND at > ?", username, s.now().UTC().Add(-window)).Count(&n).Error
	return n, err
}

// LoginFailuresFrom counts failed logins from a client address within the
// window, whatever usernames they tried.
func (s *Store) LoginFailuresFrom(ctx context.Context, address string, window time.Duration) (_ int64, err error) {
	defer wrap(&err, "count login failures from %s", address)
	var n int64
	err = s.r.WithContext(ctx).Model(&loginFailureRow{}).
		Where("address = ? AND at > ?", address, s.now().UTC().Add(-window)).Count(&n).Error
	return n, err
}
