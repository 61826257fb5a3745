package store

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// ResetPassword is an administrator setting a user's password: it must
// meet the policy, ends every session and token of the user, and forces
// the user to choose a new password at the next sign-in. Audited.
func (s *Store) ResetPassword(ctx context.Context, actor model.User, userID int64, password string) error {
	if errs := s.passwordErrors("password", password); errs != nil {
		return errs
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost)
	if err != nil {
		return err
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r userRow
		if err := tx.Where("id = ?", userID).Take(&r).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{"password_hash": string(hash),
			"must_change_password": true, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		ended, err := endCredentials(tx, r.ID, s.now().UTC())
		if err != nil {
			return err
		}
		return s.audit(tx, actor, "reset_password", "user", r.Username, "", nil, ended)
	})
	if err != nil {
		return fmt.Errorf("store: resetting the password of user %d: %w", userID, err)
	}
	return nil
}
