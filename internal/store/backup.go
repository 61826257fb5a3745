package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent snapshot of a SQLite database to path while
// the server keeps running: VACUUM INTO reads one transaction's snapshot and
// writes a compact, self-contained file. PostgreSQL has pg_dump for this.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return errors.New("backup: for PostgreSQL use pg_dump or the managed service's backups")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	if err := s.r.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
