package model

import (
	"encoding/json"
	"fmt"
)

// Percent is a coverage share in tenths of a percent, rounded down, so 100%
// appears only when every school is covered. Valid is false when there are
// no schools: such a division shows "—", never 0% or 100%.
type Percent struct {
	Tenths int
	Valid  bool
}

// PercentOf is the one definition of the displayed percentage.
func PercentOf(covered, total int) Percent {
	if total <= 0 {
		return Percent{}
	}
	return Percent{Tenths: covered * 1000 / total, Valid: true}
}

// Full reports whether every school is covered.
func (p Percent) Full() bool { return p.Valid && p.Tenths == 1000 }

// String is "99.9%", or "—" without schools.
func (p Percent) String() string {
	if !p.Valid {
		return "—"
	}
	return p.Number() + "%"
}

// Number is "99.9" without the sign, or "" without schools (CSV cells).
func (p Percent) Number() string {
	if !p.Valid {
		return ""
	}
	return fmt.Sprintf("%d.%d", p.Tenths/10, p.Tenths%10)
}

// Float is the value as a number, for JSON and charts.
func (p Percent) Float() float64 { return float64(p.Tenths) / 10 }

// MarshalJSON writes the number with one decimal, or null without schools.
func (p Percent) MarshalJSON() ([]byte, error) {
	if !p.Valid {
		return []byte("null"), nil
	}
	return json.RawMessage(p.Number()), nil
}
