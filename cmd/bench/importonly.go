package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"safecampus/internal/pgtest"
)

// importOnly times `safecampus import schools` alone (--import-only): a
// fresh roster of each size on SQLite, and of each PostgreSQL size, each
// printed as one JSON line. The full run takes minutes; this takes seconds.
func (b *bench) importOnly(sizes, pgSizes []int) error {
	b.binary = filepath.Join(b.dir, "safecampus")
	if err := command("go", "build", "-o", b.binary, "./cmd/safecampus").Run(); err != nil {
		return fmt.Errorf("go build ./cmd/safecampus (run the bench from the repository root): %w", err)
	}
	runs := map[engine][]int{sqlite: sizes, postgres: pgSizes}
	for _, e := range []engine{sqlite, postgres} {
		if len(runs[e]) == 0 {
			continue
		}
		if e == postgres {
			if ok, why := pgtest.Available(); !ok {
				fmt.Fprintln(os.Stderr, "skipping PostgreSQL:", why)
				continue
			}
			if err := pgtest.StartDurable(); err != nil {
				return err
			}
		}
		for _, n := range runs[e] {
			r, err := b.measureImport(e, n)
			if err != nil {
				return fmt.Errorf("%s import: %w", e, err)
			}
			line, _ := json.Marshal(struct {
				Engine engine `json:"engine"`
				importResult
			}{e, r})
			fmt.Println(string(line))
		}
	}
	return nil
}
