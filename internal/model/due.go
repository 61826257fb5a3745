package model

// SoonDueDays is how far ahead the reminder list looks: a check whose last
// valid day is within this many days of today is "soon due".
const SoonDueDays = 30

// DueKind says why a school is on the reminder list.
type DueKind string

const (
	DueNever   DueKind = "never"   // no checklist on the basis at all
	DueExpired DueKind = "expired" // the last check's validity has ended
	DueSoon    DueKind = "soon"    // still valid, but not for more than SoonDueDays
	// DueDrill: the last drill is older than the rule set's interval for
	// the school's type, or there was none (SPEC §10).
	DueDrill DueKind = "drill_due"
)

// DueKinds lists the kinds, latest first, then the drills.
var DueKinds = []DueKind{DueNever, DueExpired, DueSoon, DueDrill}

// ParseDueKind reads a reminder-list filter; "" means every kind.
func ParseDueKind(s string) (DueKind, bool) {
	switch k := DueKind(s); k {
	case "", DueNever, DueExpired, DueSoon, DueDrill:
		return k, true
	}
	return "", false
}
