package roster

import (
	"math"
	"strconv"
	"strings"

	"safecampus/internal/model"
)

// cellKind says how a cell is written.
type cellKind int

const (
	emptyCell cellKind = iota
	textCell
	numberCell
)

// Cell is one value of an export: text, a number that spreadsheets keep
// numeric, or empty. The zero Cell is empty.
type Cell struct {
	kind   cellKind
	text   string
	num    float64
	places int // digits after the point; -1 for as many as needed
}

// Text is a text cell. Text that a spreadsheet would take for a formula is
// written with a leading '.
func Text(s string) Cell { return Cell{kind: textCell, text: s} }

// Int is a whole-number cell.
func Int(n int) Cell { return Cell{kind: numberCell, num: float64(n), places: 0} }

// Float is a number cell with as many decimals as it needs; NaN and
// infinities are written empty.
func Float(f float64) Cell {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Cell{}
	}
	return Cell{kind: numberCell, num: f, places: -1}
}

// Percent is a coverage percentage: a number with one decimal ("99.9"), or
// empty when there are no schools.
func Percent(p model.Percent) Cell {
	if !p.Valid {
		return Cell{}
	}
	return Cell{kind: numberCell, num: p.Float(), places: 1}
}

// Empty is an empty cell.
func Empty() Cell { return Cell{} }

// String is the cell as CSV writes it.
func (c Cell) String() string {
	switch c.kind {
	case textCell:
		return safeText(c.text)
	case numberCell:
		return strconv.FormatFloat(c.num, 'f', c.places, 64)
	}
	return ""
}

// safeText defuses formula injection: a spreadsheet treats text beginning
// with = + - @ (or a tab or carriage return before them) as a formula.
func safeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
