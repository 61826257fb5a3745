package store

import (
	"context"
	"fmt"
	"time"
)

// Throttle says whether an attempt to prove a password may go ahead, and
// if not, which limit stopped it.
type Throttle int

// The outcomes of ReserveAttempt.
const (
	NotThrottled     Throttle = iota
	ThrottledUser             // too many failures for the username
	ThrottledAddress          // too many failures from the client address
)

// AttemptLimits are the failures allowed within Window, per username and
// per client address.
type AttemptLimits struct {
	PerUser, PerAddress int64
	Window              time.Duration
}

// Attempt is a reserved password attempt: counted as a failure until
// Release says it succeeded.
type Attempt struct {
	ID        int64
	Throttled Throttle
}

// ReserveAttempt records a password attempt as a failure before the
// password is checked, then counts. The row is committed before the count
// is taken, so of any number of parallel attempts at most the limit see a
// count within it: checking, hashing and recording cannot be raced. A
// throttled attempt's row is removed again (it proved nothing), and
// Release removes the row of one whose password was right.
func (s *Store) ReserveAttempt(ctx context.Context, username, address string, lim AttemptLimits) (Attempt, error) {
	now := s.now().UTC()
	row := loginFailureRow{Username: username, Address: address, At: now}
	if err := s.w.WithContext(ctx).Create(&row).Error; err != nil {
		return Attempt{}, fmt.Errorf("store: reserving a login attempt: %w", err)
	}
	a := Attempt{ID: row.ID}
	since := now.Add(-lim.Window)
	var n int64
	if err := s.w.WithContext(ctx).Model(&loginFailureRow{}).Where("username = ? AND at > ?", username, since).Count(&n).Error; err != nil {
		return a, fmt.Errorf("store: counting login failures: %w", err)
	}
	if n > lim.PerUser {
		a.Throttled = ThrottledUser
	} else {
		if err := s.w.WithContext(ctx).Model(&loginFailureRow{}).Where("address = ? AND at > ?", address, since).Count(&n).Error; err != nil {
			return a, fmt.Errorf("store: counting login failures by address: %w", err)
		}
		if n > lim.PerAddress {
			a.Throttled = ThrottledAddress
		}
	}
	if a.Throttled != NotThrottled {
		return a, s.Release(ctx, a)
	}
	return a, nil
}

// Release forgets a reserved attempt: its password was right.
func (s *Store) Release(ctx context.Context, a Attempt) error {
	if err := s.w.WithContext(ctx).Where("id = ?", a.ID).Delete(&loginFailureRow{}).Error; err != nil {
		return fmt.Errorf("store: releasing a login attempt: %w", err)
	}
	return nil
}
