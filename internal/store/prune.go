package store

import (
	"context"
	"fmt"
	"time"
)

// ThrottleRetention is how long failed sign-in rows are kept: far longer
// than any throttle window.
const ThrottleRetention = 24 * time.Hour

// Pruned counts what Prune removed.
type Pruned struct {
	Sessions, LoginFailures int64
}

// Prune removes expired sessions and old throttle rows: the maintenance
// loop runs it. Audit entries are never pruned.
func (s *Store) Prune(ctx context.Context) (Pruned, error) {
	now := s.now().UTC()
	var p Pruned
	res := s.w.WithContext(ctx).Where("last_seen_at < ? OR created_at < ?", now.Add(-SessionIdle), now.Add(-SessionAbsolute)).Delete(&sessionRow{})
	if res.Error != nil {
		return p, fmt.Errorf("store: pruning sessions: %w", res.Error)
	}
	p.Sessions = res.RowsAffected
	res = s.w.WithContext(ctx).Where("at < ?", now.Add(-ThrottleRetention)).Delete(&loginFailureRow{})
	if res.Error != nil {
		return p, fmt.Errorf("store: pruning login failures: %w", res.Error)
	}
	p.LoginFailures = res.RowsAffected
	return p, nil
}
