package roster

import (
	"io"
	"strconv"
	"strings"

	"safecampus/internal/model"
)

// guardColumns are the columns of a school's guard register file.
var guardColumns = []column{
	{"name", true},
	{"id_number", true},
	{"licence_no", false},
	{"employer", false},
	{"hired_on", true},
	{"trained_on", false},
}

// ParseGuards reads a guard register file, CSV or XLSX as name's extension
// says. Like ParseSchools, with problems it returns a model.LineErrors and
// the rows that were fine, so that the caller checks those further and
// reports every bad row at once. Only the shape of each row is checked here (dates
// that parse); the register's rules (the ID number's check character,
// duplicates, dates not in the future) are the store's. No message quotes
// an ID number.
func ParseGuards(r io.Reader, name string) ([]model.GuardLine, error) {
	src, err := openSource(r, name, defaultLimits())
	if err != nil {
		return nil, err
	}
	defer src.close()
	var errs problems
	rows, err := readCoded(src, guardColumns, defaultLimits(), &errs, func(rec record) (model.GuardLine, string, []string) {
		g, msgs := guardFrom(rec)
		return model.GuardLine{Line: rec.line, Guard: g}, "", msgs
	})
	if err != nil {
		return nil, err
	}
	return rows, errs.err()
}

// guardFrom parses one row's dates, returning their problems.
func guardFrom(rec record) (model.GuardInput, []string) {
	g := model.GuardInput{Name: rec.get("name"), IDNumber: rec.get("id_number"), LicenceNo: rec.get("licence_no"), Employer: rec.get("employer")}
	var msgs []string
	date := func(col string) model.Date {
		v := strings.ReplaceAll(rec.get(col), "/", "-")
		if v == "" {
			return 0
		}
		d, err := model.ParseDate(v)
		if err != nil {
			msgs = append(msgs, col+" "+strconv.Quote(clip(rec.get(col)))+" is not a date (YYYY-MM-DD)")
		}
		return d
	}
	g.HiredOn, g.TrainedOn = date("hired_on"), date("trained_on")
	return g, msgs
}
