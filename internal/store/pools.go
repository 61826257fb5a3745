package store

import "database/sql"

// Pools are the store's connection pools by name ("write", "read"; one
// "main" pool on PostgreSQL), for their statistics in /metrics.
func (s *Store) Pools() map[string]*sql.DB {
	w, err := s.w.DB()
	if err != nil {
		return nil
	}
	r, err := s.r.DB()
	if err != nil || r == w {
		return map[string]*sql.DB{"main": w}
	}
	return map[string]*sql.DB{"write": w, "read": r}
}
