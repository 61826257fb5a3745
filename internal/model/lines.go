package model

import (
	"fmt"
	"sort"
	"strings"
)

// LineError is one bad line of an imported file. Line is the file's line
// (the header is line 1) or, for a spreadsheet, the row number.
type LineError struct {
	Line    int
	Message string
}

// LineErrors lists every bad line of an import; nothing was written.
type LineErrors []LineError

// Error renders one "line N: reason" per line.
func (e LineErrors) Error() string {
	parts := make([]string, len(e))
	for i, l := range e {
		parts[i] = fmt.Sprintf("line %d: %s", l.Line, l.Message)
	}
	return strings.Join(parts, "\n")
}

// With returns e and more together, in line order.
func (e LineErrors) With(more LineErrors) LineErrors {
	out := append(append(LineErrors{}, e...), more...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// SchoolLine is a school read from a roster file and the line it came from,
// so that checks made later (does the division exist?) name the line.
type SchoolLine struct {
	Line   int
	School School
}
