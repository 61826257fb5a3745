// Package roster reads and writes the files people exchange with SafeCampus:
// school and division imports (CSV or XLSX) and spreadsheet exports. It does
// no I/O of its own and knows nothing of the database: callers check that
// divisions exist, store the rows and serve the exports.
package roster

import (
	"errors"
	"fmt"
)

// Limits against huge or hostile import files.
const (
	// MaxFileBytes is the largest import file read.
	MaxFileBytes = 256 << 20
	// MaxRows is the most data rows an import file may hold; a national
	// roster has about 520,000 schools.
	MaxRows = 1_000_000
	// MaxCellBytes is the longest value a cell may hold.
	MaxCellBytes = 4096
	// MaxProblems is how many problems an import reports before it stops
	// reading; nobody reads further, and the list stays bounded.
	MaxProblems = 1000
)

// ErrUnsupportedType is returned for a file that is neither .csv nor .xlsx.
var ErrUnsupportedType = errors.New("unsupported file type")

// ErrTooLarge is returned for a file larger than MaxFileBytes.
var ErrTooLarge = errors.New("file too large")

// limits are the guards of one parse; tests shrink them.
type limits struct {
	fileBytes int64
	rows      int
	cellBytes int
	problems  int
}

func defaultLimits() limits {
	return limits{fileBytes: MaxFileBytes, rows: MaxRows, cellBytes: MaxCellBytes, problems: MaxProblems}
}

func tooLarge(max int64) error {
	if max >= 1<<20 {
		return fmt.Errorf("%w: the limit is %d MiB", ErrTooLarge, max>>20)
	}
	return fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, max)
}
