package store

import "safecampus/internal/model"

// The allow-list of SQL identifiers that a request may choose. Requests
// name a measure (uncovered=, gap=) and the store answers with a column of
// school_coverage; no other text from a request ever becomes SQL: values
// go in as ? parameters, and sqlsafety_test.go fails when a call into GORM
// is given SQL text that is not a constant, built from constants, or taken
// from this list.

// coverageColumns are school_coverage's per-measure columns, by the key a
// request uses: each of the model's measures and "all_five" name their own
// column.
var coverageColumns = func() map[string]string {
	cols := map[string]string{string(model.AllFive): string(model.AllFive)}
	for _, m := range model.Measures {
		cols[string(m)] = string(m)
	}
	return cols
}()

// coverageColumn is the column of school_coverage (under the table alias)
// for a measure key or "all_five"; ok is false for anything else.
func coverageColumn(alias, key string) (col string, ok bool) {
	c, ok := coverageColumns[key]
	if !ok {
		return "", false
	}
	return alias + "." + c, true
}
