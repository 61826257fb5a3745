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
func (s *Store) Backup(ctx context.Context, path string) (err error) {
	defer wrap(&err, "back up to %s", path)
	if s.postgres {
		return errors.New("for PostgreSQL use pg_dump or the managed service's backups")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists", path)
	}
	return s.r.WithContext(ctx).Exec("VACUUM INTO ?", path).Error
}
