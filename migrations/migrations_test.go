package migrations

import (
	"fmt"
	"io/fs"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var numbered = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

// TestSetsInStep checks that both engines have the same numbered
// migrations, named alike and numbered without gaps.
func TestSetsInStep(t *testing.T) {
	names := func(fsys fs.FS, dir string) []string {
		t.Helper()
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, e := range entries {
			m := numbered.FindStringSubmatch(e.Name())
			if m == nil {
				t.Errorf("%s/%s: want NNNNN_name.sql", dir, e.Name())
				continue
			}
			if want := i + 1; m[1] != padded(want) {
				t.Errorf("%s/%s: want number %s (no gaps)", dir, e.Name(), padded(want))
			}
			out = append(out, e.Name())
		}
		return out
	}
	if diff := cmp.Diff(names(SQLite, "sqlite"), names(Postgres, "postgres")); diff != "" {
		t.Errorf("sqlite and postgres migrations differ (-sqlite +postgres):\n%s", diff)
	}
}

func padded(n int) string { return fmt.Sprintf("%05d", n) }
