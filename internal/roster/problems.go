package roster

import (
	"errors"
	"fmt"
	"slices"

	"safecampus/internal/model"
)

// problems collects the bad lines of one import.
type problems struct{ list model.LineErrors }

func (p *problems) add(line int, msg string) {
	p.list = append(p.list, model.LineError{Line: line, Message: msg})
}

func (p *problems) addf(line int, format string, a ...any) {
	p.add(line, fmt.Sprintf(format, a...))
}

func (p *problems) count() int { return len(p.list) }

// err returns the problems in line order as a model.LineErrors, or nil.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b model.LineError) int { return a.Line - b.Line })
	return p.list
}

// ErrorLines returns the "line N: reason" lines of an import's problems,
// whether the parser or the store found them, or nil when err is not a
// model.LineErrors (the file could not be read at all).
func ErrorLines(err error) []string {
	var le model.LineErrors
	if !errors.As(err, &le) {
		return nil
	}
	lines := make([]string, len(le))
	for i, e := range le {
		lines[i] = fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return lines
}
