package store

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// ValidateEmail checks an e-mail address: one plain address (no display
// name), with a domain that has a dot, at most 254 characters.
func ValidateEmail(addr string) error {
	if len(addr) > 254 {
		return fmt.Errorf("e-mail address is longer than 254 characters")
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return fmt.Errorf("%q is not an e-mail address like name@example.com", addr)
	}
	at := strings.LastIndex(addr, "@")
	if at < 1 || !strings.Contains(addr[at+1:], ".") || strings.HasSuffix(addr, ".") {
		return fmt.Errorf("%q is not an e-mail address like name@example.com", addr)
	}
	return nil
}

// SetEmail changes a user's e-mail address ("" removes it) and whether
// notifications come at once or as one digest a day. Invalid input is
// model.FieldErrors. Audited.
func (s *Store) SetEmail(ctx context.Context, actor model.User, userID int64, email string, digest bool) (model.User, error) {
	email = strings.TrimSpace(email)
	if email != "" {
		if err := ValidateEmail(email); err != nil {
			return model.User{}, model.FieldErrors{{Field: "email", Message: err.Error()}}
		}
	}
	var out userRow
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var old userRow
		out = userRow{}
		if err := tx.Where("id = ?", userID).Take(&old).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"email": email, "email_digest": digest, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", userID).Take(&out).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "user", old.Username, "",
			map[string]any{"email": old.Email, "email_digest": old.EmailDigest},
			map[string]any{"email": out.Email, "email_digest": out.EmailDigest})
	})
	if err != nil {
		return model.User{}, fmt.Errorf("store: set e-mail: %w", err)
	}
	return out.model(), nil
}
