package model

// HazardStateFilter selects hazards by state in lists.
type HazardStateFilter string

const (
	HazardsActive   HazardStateFilter = ""    // open or answered: not closed
	HazardsAll      HazardStateFilter = "all" // any state
	HazardsOpen     HazardStateFilter = HazardStateFilter(HazardOpen)
	HazardsAnswered HazardStateFilter = HazardStateFilter(HazardAnswered)
	HazardsClosed   HazardStateFilter = HazardStateFilter(HazardClosed)
)

// HazardStateFilters lists the filters in the order lists offer them, the
// default first.
var HazardStateFilters = []HazardStateFilter{HazardsActive, HazardsOpen, HazardsAnswered, HazardsClosed, HazardsAll}

// ParseHazardStateFilter reads a state filter from a query string.
func ParseHazardStateFilter(s string) (HazardStateFilter, bool) {
	switch f := HazardStateFilter(s); f {
	case HazardsActive, HazardsAll, HazardsOpen, HazardsAnswered, HazardsClosed:
		return f, true
	}
	return "", false
}
