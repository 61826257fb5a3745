package model

// GapKind says why an active school is not covered on a measure today. The
// gap list groups schools by it; each uncovered (school, measure) falls in
// exactly one kind, taken in this order.
type GapKind string

// The kinds of gap, in the order they are checked and shown.
const (
	// GapNoCheck: no checklist counts on the basis; all five measures fail.
	GapNoCheck GapKind = "no_check"
	// GapExpired: the checklist that counts is past its validity; all five fail.
	GapExpired GapKind = "check_expired"
	// GapHazard: the check is current but a hazard on the measure is open
	// (its rule may fail as well; the reasons say so).
	GapHazard GapKind = "hazard_open"
	// GapRule: the check is current, no hazard is open, and the measure's
	// rule fails; the stored reasons say why.
	GapRule GapKind = "rule_failed"
)

// GapKinds lists the kinds in display order.
var GapKinds = [4]GapKind{GapNoCheck, GapExpired, GapHazard, GapRule}

// ParseGapKind reads a kind from a query string.
func ParseGapKind(s string) (GapKind, bool) {
	for _, k := range GapKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// PerMeasure reports whether the kind depends on the measure: a missing or
// expired check uncovers all five at once.
func (k GapKind) PerMeasure() bool { return k == GapHazard || k == GapRule }

// GapCounts counts the active schools of a division that are not covered
// today on one basis, by kind of gap.
type GapCounts struct {
	Schools int    // active schools
	NoCheck int    // no checklist on the basis (uncovered on all five)
	Expired int    // checklist expired (uncovered on all five)
	Hazard  [5]int // per measure: current check, open hazard on it
	Rule    [5]int // per measure: current check, no open hazard, rule fails
}

// Count returns the number of schools with gap kind k on measure i.
func (g GapCounts) Count(k GapKind, i int) int {
	switch k {
	case GapNoCheck:
		return g.NoCheck
	case GapExpired:
		return g.Expired
	case GapHazard:
		return g.Hazard[i]
	case GapRule:
		return g.Rule[i]
	}
	return 0
}

// Uncovered is the number of schools not covered on measure i: the sum of
// its kinds, which equals Schools minus the covered count of the ledger.
func (g GapCounts) Uncovered(i int) int {
	return g.NoCheck + g.Expired + g.Hazard[i] + g.Rule[i]
}
