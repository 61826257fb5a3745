package model

// Measure is one of the five campus safety measures.
type Measure string

// The five measures, in the order they are shown everywhere.
const (
	NursingPost      Measure = "nursing_post"
	ClosedManagement Measure = "closed_management"
	SecurityGuards   Measure = "security_guards"
	OneButtonAlarm   Measure = "one_button_alarm"
	VideoNetworking  Measure = "video_networking"
)

// MeasureOther is the hazard target for problems outside the five measures.
const MeasureOther Measure = "other"

// AllFive is the pseudo-measure "covered on all five", used in filters,
// ledger columns and message keys.
const AllFive Measure = "all_five"

// Measures lists the five measures in display order.
var Measures = [5]Measure{NursingPost, ClosedManagement, SecurityGuards, OneButtonAlarm, VideoNetworking}

// Index returns the measure's position in Measures, or -1.
func (m Measure) Index() int {
	for i, x := range Measures {
		if x == m {
			return i
		}
	}
	return -1
}

// Valid reports whether m is one of the five measures.
func (m Measure) Valid() bool { return m.Index() >= 0 }

// Basis says which checklists count for coverage.
type Basis string

const (
	// BasisVerified counts the latest checklist an inspector verified.
	BasisVerified Basis = "verified"
	// BasisReported counts the latest submitted or verified checklist.
	BasisReported Basis = "reported"
)

// Bases lists both bases, verified first.
var Bases = [2]Basis{BasisVerified, BasisReported}

// ParseBasis reads a basis; the empty string means verified.
func ParseBasis(s string) (Basis, bool) {
	switch s {
	case "", string(BasisVerified):
		return BasisVerified, true
	case string(BasisReported):
		return BasisReported, true
	}
	return "", false
}
