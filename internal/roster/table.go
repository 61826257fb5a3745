package roster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// column is one column an import file may have.
type column struct {
	name     string
	required bool
}

// record is one non-blank data row, its cells trimmed.
type record struct {
	line  int
	cells []string
	index map[string]int
}

// get returns the row's value in the named column, or "".
func (r record) get(name string) string {
	i, ok := r.index[name]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// readTable reads the header row and then calls each for every non-blank
// data row. Problems with the file's content go to errs; the error returned
// is for files that cannot be read at all. It stops early at a bad header
// and at the row and problem limits.
func readTable(src rowSource, cols []column, lim limits, errs *problems, each func(record)) error {
	var (
		index  map[string]int
		header []string
		rows   int
	)
	for {
		line, cells, err := src.next()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			if header == nil {
				errs.add(1, "the file is empty: the first row must name the columns "+columnList(cols))
			}
			return nil
		case errors.As(err, &pe):
			errs.add(pe.StartLine, "malformed CSV: "+pe.Err.Error())
			if header == nil {
				return nil
			}
			continue
		case err != nil:
			return err
		}
		trimAll(cells)
		if blank(cells) {
			continue
		}
		if header == nil {
			header = cells
			var ok bool
			if index, ok = readHeader(line, header, cols, errs); !ok {
				return nil
			}
			continue
		}
		if rows++; rows > lim.rows {
			errs.addf(line, "more than %d rows: split the file", lim.rows)
			return nil
		}
		if checkCells(line, cells, header, lim, errs) {
			each(record{line: line, cells: cells, index: index})
		}
		if errs.count() >= lim.problems {
			errs.addf(line, "stopped reading after %d problems", lim.problems)
			return nil
		}
	}
}

// readHeader maps column names to positions, reporting unknown, repeated
// and missing columns.
func readHeader(line int, header []string, cols []column, errs *problems) (map[string]int, bool) {
	known := make(map[string]bool, len(cols))
	for _, c := range cols {
		known[c.name] = true
	}
	index := make(map[string]int, len(header))
	var unknown []string
	ok := true
	for i, h := range header {
		h = strings.ToLower(strings.TrimPrefix(h, "\uFEFF"))
		header[i] = h
		switch {
		case h == "":
			// An unnamed column; its cells must stay empty.
		case !known[h]:
			unknown = append(unknown, fmt.Sprintf("%q", clip(h)))
		default:
			if _, dup := index[h]; dup {
				errs.addf(line, "column %q appears more than once", h)
				ok = false
			}
			index[h] = i
		}
	}
	if len(unknown) > 0 {
		errs.addf(line, "unknown %s %s: the columns are %s", plural(len(unknown), "column", "columns"), strings.Join(unknown, ", "), columnList(cols))
		ok = false
	}
	var missing []string
	for _, c := range cols {
		if _, found := index[c.name]; c.required && !found {
			missing = append(missing, fmt.Sprintf("%q", c.name))
		}
	}
	if len(missing) > 0 {
		errs.addf(line, "missing required %s %s", plural(len(missing), "column", "columns"), strings.Join(missing, ", "))
		ok = false
	}
	return index, ok
}

// checkCells reports values that are too long or stand under no header,
// and says whether the row is fit to parse.
func checkCells(line int, cells, header []string, lim limits, errs *problems) bool {
	ok := true
	for i, c := range cells {
		name := ""
		if i < len(header) {
			name = header[i]
		}
		switch {
		case c != "" && name == "":
			errs.addf(line, "value %q in column %d has no column name in the header", clip(c), i+1)
		case len(c) > lim.cellBytes:
			errs.addf(line, "%s %q is longer than %d bytes", name, clip(c), lim.cellBytes)
			ok = false
		}
	}
	return ok
}

func trimAll(cells []string) {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

func columnList(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		if !c.required {
			names[i] += " (optional)"
		}
	}
	return strings.Join(names, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readCoded reads every data row through from, which turns a row into a
// value with its code and the row's problems. A code already seen on an
// earlier line is a problem too. The values of the rows without problems
// come back in file order (an empty, non-nil slice when there are none).
func readCoded[T any](src rowSource, cols []column, lim limits, errs *problems, from func(record) (T, string, []string)) ([]T, error) {
	rows := []T{}
	seen := map[string]int{}
	err := readTable(src, cols, lim, errs, func(rec record) {
		v, code, msgs := from(rec)
		for _, p := range msgs {
			errs.add(rec.line, p)
		}
		if code != "" {
			if first, dup := seen[code]; dup {
				errs.addf(rec.line, "code %q already on line %d", code, first)
				return
			}
			seen[code] = rec.line
		}
		if len(msgs) == 0 {
			rows = append(rows, v)
		}
	})
	return rows, err
}
