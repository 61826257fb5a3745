package roster

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"safecampus/internal/model"
)

// DivisionRow is a parsed division and the line it came from.
type DivisionRow struct {
	Line     int
	Division model.Division
}

// divisionColumns are the columns of a divisions file.
var divisionColumns = []column{
	{"code", true},
	{"name", true},
	{"name_en", false},
	{"parent_code", true},
	{"level", true},
}

// levelRank orders levels parents first.
var levelRank = map[model.Level]int{model.LevelProvince: 0, model.LevelPrefecture: 1, model.LevelCounty: 2}

// ParseDivisions reads a divisions CSV (code,name,name_en,parent_code,level),
// all or nothing like ParseSchools. Codes follow GB/T 2260: a province is
// XX0000, a prefecture XXYY00 under XX0000, a county XXYYZZ under XXYY00 or,
// in the municipalities, directly under XX0000 (but not when XXYY00 is in
// the file). A parent may come earlier or later in the file; one not in the
// file is for the caller to find in the database. Rows come back parents
// first (provinces, prefectures, counties, each in file order), ready to
// insert.
func ParseDivisions(r io.Reader) ([]DivisionRow, error) {
	return parseDivisions(r, defaultLimits())
}

func parseDivisions(r io.Reader, lim limits) ([]DivisionRow, error) {
	src, err := openCSV(r, lim)
	if err != nil {
		return nil, err
	}
	var errs problems
	rows, err := readCoded(src, divisionColumns, lim, &errs, func(rec record) (DivisionRow, string, []string) {
		d, msgs := divisionFrom(rec)
		return DivisionRow{Line: rec.line, Division: d}, d.Code, msgs
	})
	if err != nil {
		return nil, err
	}
	checkParents(rows, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b DivisionRow) int {
		return levelRank[a.Division.Level] - levelRank[b.Division.Level]
	})
	return rows, nil
}

// divisionFrom parses one row, returning every problem in column order.
func divisionFrom(rec record) (model.Division, []string) {
	d := model.Division{
		Code:       rec.get("code"),
		Name:       rec.get("name"),
		NameEn:     rec.get("name_en"),
		ParentCode: rec.get("parent_code"),
		Level:      model.Level(rec.get("level")),
	}
	var msgs []string
	add := func(format string, a ...any) { msgs = append(msgs, fmt.Sprintf(format, a...)) }

	codeOK := sixDigits(d.Code)
	switch {
	case d.Code == "":
		add("code is required")
	case !codeOK:
		add("code %q is not six digits", d.Code)
	}
	switch {
	case d.Name == "":
		add("name is required")
	case utf8.RuneCountInString(d.Name) > 200:
		add("name %q is longer than 200 characters", clip(d.Name))
	}
	if utf8.RuneCountInString(d.NameEn) > 200 {
		add("name_en %q is longer than 200 characters", clip(d.NameEn))
	}
	_, levelOK := levelRank[d.Level]
	switch {
	case d.ParentCode == "" && d.Level != model.LevelProvince && levelOK:
		add("parent_code is required for a %s", d.Level)
	case d.ParentCode != "" && d.Level == model.LevelProvince:
		add("parent_code %q must be empty for a province", d.ParentCode)
	case d.ParentCode != "" && !sixDigits(d.ParentCode):
		add("parent_code %q is not six digits", d.ParentCode)
	case d.ParentCode != "" && d.ParentCode == d.Code:
		add("parent_code %q is the division itself", d.ParentCode)
	case codeOK && levelOK && d.ParentCode != "" && !slices.Contains(parentsOf(d.Code, d.Level), d.ParentCode):
		add("parent_code %q cannot be the parent of %s %q: use %s", d.ParentCode, d.Level, d.Code, strings.Join(parentsOf(d.Code, d.Level), " or "))
	}
	switch {
	case d.Level == "":
		add("level is required")
	case !levelOK:
		add("level %q is not province, prefecture or county", d.Level)
	case codeOK && !shapeFits(d.Code, d.Level):
		add("code %q is not a %s code (%s)", d.Code, d.Level, shapeOf(d.Level))
	}
	return d, msgs
}

func sixDigits(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

// shapeFits reports whether code has the GB/T 2260 form of level.
func shapeFits(code string, level model.Level) bool {
	switch level {
	case model.LevelProvince:
		return code[2:] == "0000"
	case model.LevelPrefecture:
		return code[4:] == "00" && code[2:4] != "00"
	default:
		return code[4:] != "00"
	}
}

func shapeOf(level model.Level) string {
	switch level {
	case model.LevelProvince:
		return "XX0000"
	case model.LevelPrefecture:
		return "XXYY00"
	default:
		return "XXYYZZ, ZZ not 00"
	}
}

// parentsOf lists the codes a division's parent may have.
func parentsOf(code string, level model.Level) []string {
	province := code[:2] + "0000"
	if level == model.LevelPrefecture || code[2:4] == "00" {
		return []string{province}
	}
	return []string{code[:4] + "00", province}
}

// checkParents catches a county hung directly on its province although its
// prefecture is in the file. The code shapes already make any parent found
// in the file a level above its child; parents not in the file are the
// caller's to find.
func checkParents(rows []DivisionRow, errs *problems) {
	lines := make(map[string]int, len(rows))
	for _, r := range rows {
		lines[r.Division.Code] = r.Line
	}
	for _, r := range rows {
		d := r.Division
		if d.Level != model.LevelCounty || d.ParentCode != d.Code[:2]+"0000" {
			continue
		}
		if pref := d.Code[:4] + "00"; lines[pref] != 0 {
			errs.addf(r.Line, "parent_code %q skips the prefecture %q on line %d", d.ParentCode, pref, lines[pref])
		}
	}
}
