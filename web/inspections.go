package web

import (
	"safecampus/internal/model"
)

// InspectionFormPage records an on-site inspection.
type InspectionFormPage struct {
	Base
	School model.School
	Values map[string]string // inspected_on, participants, notes, "<measure>.result|note|raise|severity|deadline"
	Errors model.FieldErrors
}

// InspectionPage shows one inspection and the hazards raised from it.
type InspectionPage struct {
	Base
	School     model.School
	Inspection model.Inspection
	Hazards    map[int64]model.Hazard // by id, as they stand now
}

func findingOf(in model.Inspection, m model.Measure) (model.Finding, bool) {
	for _, f := range in.Findings {
		if f.Measure == m {
			return f, true
		}
	}
	return model.Finding{}, false
}
