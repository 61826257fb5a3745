package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// newInspection is the form to record an on-site inspection.
func (s *Server) newInspection(c echo.Context) error {
	school, _, err := s.inspectableSchool(c)
	if err != nil {
		return err
	}
	today := s.store.Today()
	values := map[string]string{"inspected_on": today.String()}
	for _, m := range model.InspectionTargets {
		k := string(m)
		values[k+".result"] = string(model.FindingNotChecked)
		values[k+".raise"] = "1"
		values[k+".severity"] = string(model.Medium)
		values[k+".deadline"] = today.AddDays(14).String()
	}
	return s.renderInspectionForm(c, http.StatusOK, school, values, nil)
}

// createInspection records the inspection and raises the hazards marked
// on its problems, in one transaction.
func (s *Server) createInspection(c echo.Context) error {
	school, u, err := s.inspectableSchool(c)
	if err != nil {
		return err
	}
	form, err := formParams(c)
	if err != nil {
		return err
	}
	in, values, errs := parseInspectionForm(form)
	errs = append(errs, in.Validate(s.store.Today())...)
	ctx := c.Request().Context()
	if len(errs) == 0 {
		var saved model.Inspection
		saved, err = s.store.CreateInspection(ctx, u, school.ID, in)
		if err == nil {
			return s.flash(c, "inspection_saved", web.InspectionURL(saved.ID))
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderInspectionForm(c, http.StatusUnprocessableEntity, school, values, localizeErrors(ctx, "inspection.err_", dedupe(errs)))
}

// parseInspectionForm reads the form; dates that do not parse are field
// errors, everything else is the store's to validate.
func parseInspectionForm(form url.Values) (store.InspectionInput, map[string]string, model.FieldErrors) {
	names := []string{"inspected_on", "participants", "notes"}
	for _, m := range model.InspectionTargets {
		for _, f := range []string{".result", ".note", ".raise", ".severity", ".deadline"} {
			names = append(names, string(m)+f)
		}
	}
	values := trimmedValues(form, names...)
	get := func(k string) string { return values[k] }
	var errs model.FieldErrors
	date := func(k string) model.Date { return formDate(values, k, &errs) }
	in := store.InspectionInput{InspectedOn: date("inspected_on"), Participants: get("participants"), Notes: get("notes")}
	for _, m := range model.InspectionTargets {
		k := string(m)
		f := store.FindingInput{Measure: m, Result: model.FindingResult(get(k + ".result")), Note: get(k + ".note"),
			Raise: get(k+".raise") == "1", Severity: model.Severity(get(k + ".severity"))}
		if f.Result == "" {
			f.Result = model.FindingNotChecked
		}
		if f.Result == model.FindingProblem && f.Raise {
			f.Deadline = date(k + ".deadline")
		}
		in.Findings = append(in.Findings, f)
	}
	return in, values, errs
}

// dedupe keeps the first error of each field.
func dedupe(errs model.FieldErrors) model.FieldErrors {
	seen := map[string]bool{}
	var out model.FieldErrors
	for _, e := range errs {
		if !seen[e.Field] {
			seen[e.Field] = true
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) renderInspectionForm(c echo.Context, status int, school model.School, values map[string]string, errs model.FieldErrors) error {
	p := web.InspectionFormPage{School: school, Values: values, Errors: errs}
	p.Base = s.titledBase(c, "inspection.new_title", "hazards")
	return render(c, status, web.InspectionFormView(p))
}

// showInspection is one inspection with its findings and hazards.
func (s *Server) showInspection(c echo.Context) error {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	in, err := s.store.Inspection(ctx, id)
	if err != nil {
		return err
	}
	school, err := s.schoolOf(ctx, u, in.SchoolID)
	if err != nil {
		return err
	}
	in.CreatedAt = in.CreatedAt.In(s.store.Location())
	p := web.InspectionPage{School: school, Inspection: in, Hazards: map[int64]model.Hazard{}}
	for _, f := range in.Findings {
		if f.HazardID != 0 {
			h, err := s.store.Hazard(ctx, f.HazardID)
			if err != nil {
				return err
			}
			p.Hazards[h.ID] = h
		}
	}
	p.Base = s.titledBase(c, "inspection.title", "hazards", map[string]any{"Date": in.InspectedOn.String()})
	return render(c, http.StatusOK, web.InspectionView(p))
}
