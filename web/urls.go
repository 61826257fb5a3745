package web

import (
	"net/url"
	"strconv"
)

// The site's URLs, built in one place for the components and the server
// alike: path segments taken from data are path-escaped, queries encoded.

// DivisionURL is a division's dashboard; "" is the home page.
func DivisionURL(code string) string {
	if code == "" {
		return "/"
	}
	return "/divisions/" + url.PathEscape(code)
}

// SchoolURL is a school's page.
func SchoolURL(code string) string { return "/schools/" + url.PathEscape(code) }

// AdminSchoolURL is the administrator's view of a school.
func AdminSchoolURL(code string) string { return "/admin/schools/" + url.PathEscape(code) }

// ChecklistURL is a checklist's page.
func ChecklistURL(id int64) string { return "/checklists/" + strconv.FormatInt(id, 10) }

// HazardURL is a hazard's page.
func HazardURL(id int64) string { return "/hazards/" + strconv.FormatInt(id, 10) }

// InspectionURL is an inspection's page.
func InspectionURL(id int64) string { return "/inspections/" + strconv.FormatInt(id, 10) }

// EvidenceURL is an evidence file.
func EvidenceURL(id int64) string { return "/evidence/" + strconv.FormatInt(id, 10) }

// LoginURL is the sign-in page that returns to next afterwards.
func LoginURL(next string) string { return WithQuery("/login", url.Values{"next": {next}}) }

// WithQuery appends q to path.
func WithQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// The components' short names for the builders above.

func divisionURL(code string) string             { return DivisionURL(code) }
func schoolURL(code string) string               { return SchoolURL(code) }
func adminSchoolURL(code string) string          { return AdminSchoolURL(code) }
func checklistURL(id int64) string               { return ChecklistURL(id) }
func hazardURL(id int64) string                  { return HazardURL(id) }
func inspectionURL(id int64) string              { return InspectionURL(id) }
func evidenceURL(id int64) string                { return EvidenceURL(id) }
func withQuery(path string, q url.Values) string { return WithQuery(path, q) }

// RegistersURL is a school's registers page (guards, alarm tests, drills).
func RegistersURL(code string) string { return SchoolURL(code) + "/registers" }

// GuardLeaveURL is the form recording that a guard left.
func GuardLeaveURL(id int64) string { return "/guards/" + strconv.FormatInt(id, 10) + "/leave" }

// GuardConflictsURL lists the licence conflicts of a division's subtree.
func GuardConflictsURL(code string) string { return DivisionURL(code) + "/guard-conflicts" }
