package roster

import (
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"safecampus/internal/model"
)

// schoolColumns are the columns of a schools file, in the order problems are
// reported.
var schoolColumns = []column{
	{"code", true},
	{"name", true},
	{"type", true},
	{"division_code", true},
	{"address", false},
	{"students", true},
	{"boarders", false},
	{"police_station", false},
	{"ownership", false},
}

// ParseSchools reads a schools file, CSV or XLSX as name's extension says.
// It is all or nothing: any bad row and it returns no rows and a
// model.LineErrors listing every problem in line order; other errors
// (ErrUnsupportedType, ErrTooLarge, an unreadable file) say why the file
// could not be read at all. A file with only a header yields no rows and no
// error. Schools come back active, each with its line; whether their
// divisions exist is for the caller to check.
func ParseSchools(r io.Reader, name string) ([]model.SchoolLine, error) {
	return parseSchools(r, name, defaultLimits())
}

func parseSchools(r io.Reader, name string, lim limits) ([]model.SchoolLine, error) {
	src, err := openSource(r, name, lim)
	if err != nil {
		return nil, err
	}
	defer src.close()
	var errs problems
	rows, err := readCoded(src, schoolColumns, lim, &errs, func(rec record) (model.SchoolLine, string, []string) {
		s, msgs := schoolFrom(rec)
		return model.SchoolLine{Line: rec.line, School: s}, s.Code, msgs
	})
	if err != nil {
		return nil, err
	}
	// With problems, the rows that were fine come back too, so that the
	// caller can check them further (do their divisions exist?) and report
	// every bad row at once. Nothing must be written either way.
	if err := errs.err(); err != nil {
		bad := map[int]bool{}
		for _, p := range errs.list {
			bad[p.Line] = true
		}
		good := rows[:0]
		for _, r := range rows {
			if !bad[r.Line] {
				good = append(good, r)
			}
		}
		return good, err
	}
	return rows, nil
}

// schoolFrom parses one row, returning every problem in column order.
func schoolFrom(rec record) (model.School, []string) {
	s := model.School{
		Code:          rec.get("code"),
		Name:          rec.get("name"),
		DivisionCode:  rec.get("division_code"),
		Address:       rec.get("address"),
		PoliceStation: rec.get("police_station"),
		Active:        true,
	}
	var fe model.FieldErrors
	add := func(field, msg string) { fe = append(fe, model.FieldError{Field: field, Message: msg}) }

	switch v := rec.get("type"); {
	case v == "":
		add("type", "type is required")
	default:
		if t, ok := model.ParseSchoolType(v); ok {
			s.Type = t
		} else {
			add("type", "type "+strconv.Quote(v)+" is not a school type: use "+typeKeys()+" or the Chinese name")
		}
	}
	if s.DivisionCode == "" {
		add("division_code", "division_code is required")
	}
	switch v := rec.get("students"); {
	case v == "":
		add("students", "students is required")
	default:
		if n, ok := parseCount(v); ok {
			s.Students = n
		} else {
			add("students", "students "+strconv.Quote(v)+" is not a whole number of 0 or more")
		}
	}
	if v := rec.get("boarders"); v != "" {
		if n, ok := parseCount(v); ok {
			s.Boarders = n
		} else {
			add("boarders", "boarders "+strconv.Quote(v)+" is not a whole number of 0 or more")
		}
	}
	v := rec.get("ownership")
	if o, ok := model.ParseOwnership(v); ok {
		s.Ownership = o
	} else {
		add("ownership", "ownership "+strconv.Quote(v)+" is not public, private, 公办 or 民办")
	}

	// The model's own rules, except where a problem above already speaks
	// for the field (a bad students value makes "boarders > students" noise).
	for _, e := range s.Validate() {
		if fe.For(e.Field) != "" || (e.Field == "boarders" && fe.For("students") != "") {
			continue
		}
		fe = append(fe, e)
	}
	slices.SortStableFunc(fe, func(a, b model.FieldError) int {
		return columnPos(schoolColumns, a.Field) - columnPos(schoolColumns, b.Field)
	})
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Message
	}
	return s, msgs
}

func columnPos(cols []column, name string) int {
	return slices.IndexFunc(cols, func(c column) bool { return c.name == name })
}

func typeKeys() string {
	keys := make([]string, len(model.SchoolTypes))
	for i, t := range model.SchoolTypes {
		keys[i] = string(t.Type)
	}
	return strings.Join(keys, ", ")
}

// thousands is a count written with separators, as Excel saves "1,240".
var thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)

// parseCount reads a non-negative whole number: "1240", "1,240", or the
// "1240.0" / "1.24E3" a spreadsheet may store.
func parseCount(v string) (int, bool) {
	if thousands.MatchString(v) {
		v = strings.ReplaceAll(v, ",", "")
	}
	if v == "" || strings.Trim(v, "0123456789.eE+") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}
