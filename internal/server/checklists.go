package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// newChecklist shows an empty checklist form, prefilled from the school's
// latest checklist: most facts do not change between two checks.
func (s *Server) newChecklist(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) || !school.Active {
		return errForbidden
	}
	values := map[string]string{}
	prev, err := s.store.SchoolChecklists(c.Request().Context(), school.ID, 1)
	if err != nil {
		return err
	}
	var from model.Checklist
	if id, err := strconv.ParseInt(c.QueryParam("from"), 10, 64); err == nil {
		// Correcting a returned checklist starts from its facts and shows
		// why it was returned.
		if from, err = s.store.Checklist(c.Request().Context(), id); err != nil || from.SchoolID != school.ID {
			return errNotFound
		}
		prev = []model.Checklist{from}
	}
	if len(prev) > 0 {
		values = web.ChecklistValues(prev[0])
		values["notes"] = ""
	}
	values["checked_on"] = s.store.Today().String()
	values["idempotency_key"] = newIdempotencyKey()
	if err := s.prefillFromRegisters(c.Request().Context(), school, values); err != nil {
		return err
	}
	return s.renderChecklistForm(c, http.StatusOK, school, model.Checklist{ReturnReason: from.ReturnReason}, values, nil)
}

// createChecklist saves a new checklist as a draft or submits it.
func (s *Server) createChecklist(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) || !school.Active {
		return errForbidden
	}
	return s.saveChecklist(c, school, model.Checklist{}, func(ctx context.Context, in store.ChecklistInput) (model.Checklist, error) {
		return s.store.CreateChecklist(ctx, u, school.ID, in)
	})
}

// editChecklist shows a draft or returned checklist for correction.
func (s *Server) editChecklist(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	if !cl.Editable() {
		return store.ErrConflict
	}
	return s.renderChecklistForm(c, http.StatusOK, school, cl, web.ChecklistValues(cl), nil)
}

// updateChecklist saves changes to a draft or returned checklist.
func (s *Server) updateChecklist(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	return s.saveChecklist(c, school, cl, func(ctx context.Context, in store.ChecklistInput) (model.Checklist, error) {
		return s.store.UpdateChecklist(ctx, u, cl.ID, in)
	})
}

// saveChecklist parses the checklist form and saves it with save. Refused
// input shows the form again, as typed, with the errors beside the fields;
// a form whose id (idempotency key) was used for other values or is broken
// shows again as typed under a new id, and says so.
func (s *Server) saveChecklist(c echo.Context, school model.School, cl model.Checklist, save func(context.Context, store.ChecklistInput) (model.Checklist, error)) error {
	form, err := formParams(c)
	if err != nil {
		return err
	}
	f := parseChecklistForm(form)
	if len(f.Errors) > 0 {
		return s.renderChecklistForm(c, http.StatusUnprocessableEntity, school, cl, f.Values, f.Errors)
	}
	saved, err := save(c.Request().Context(), store.ChecklistInput{
		CheckedOn: f.CheckedOn, Facts: f.Facts, Notes: f.Notes, Submit: f.Submit, Key: f.Key, MadeAt: f.MadeAt})
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderChecklistForm(c, http.StatusUnprocessableEntity, school, cl, f.Values, fe)
	}
	if status, fe, ok := keyProblem(err); ok {
		// The form was sent before with other values (or its id is
		// broken): keep what was typed under a new id, and say so.
		f.Values["idempotency_key"] = newIdempotencyKey()
		return s.renderChecklistForm(c, status, school, cl, f.Values, fe)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "checklist_"+string(saved.State), web.ChecklistURL(saved.ID))
}

// previewChecklist answers the form's htmx requests with the rule verdicts
// for the facts entered so far.
func (s *Server) previewChecklist(c echo.Context) error {
	u, _ := currentUser(c)
	var school model.School
	var err error
	if c.Param("id") != "" {
		_, school, _, err = s.visibleChecklist(c)
	} else {
		school, _, err = s.visibleSchool(c)
	}
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	form, err := formParams(c)
	if err != nil {
		return err
	}
	verdicts, err := s.checklistVerdicts(c.Request().Context(), school, parseChecklistForm(form))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, web.ChecklistPreview(verdicts))
}

// checklistVerdicts are the current rules' verdicts on the form's facts on
// the form's day, today when the form has none yet.
func (s *Server) checklistVerdicts(ctx context.Context, school model.School, f checklistForm) ([5]model.Result, error) {
	rules, err := s.store.SchoolRules(ctx, school)
	if err != nil {
		return [5]model.Result{}, err
	}
	on := f.CheckedOn
	if on == 0 {
		on = s.store.Today()
	}
	return rules.Evaluate(school, on, f.Facts), nil
}

func (s *Server) renderChecklistForm(c echo.Context, status int, school model.School, cl model.Checklist, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	preview, err := s.checklistVerdicts(ctx, school, parseChecklistForm(valuesToForm(values)))
	if err != nil {
		return err
	}
	p := web.ChecklistFormPage{
		School: school, ChecklistID: cl.ID, Values: values, Errors: errs,
		Preview: preview, ReturnReason: cl.ReturnReason,
		Action: web.SchoolURL(school.Code) + "/checklists", PreviewURL: web.SchoolURL(school.Code) + "/checklists/preview",
	}
	if cl.ID != 0 {
		p.Action = web.ChecklistURL(cl.ID)
		p.PreviewURL = web.ChecklistURL(cl.ID) + "/preview"
	}
	p.Base = s.titledBase(c, "checklist.form_title", "dashboard")
	return render(c, status, web.ChecklistFormView(p))
}

// showChecklist shows one checklist with its verdicts and, to reviewers,
// the verify and return forms.
func (s *Server) showChecklist(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	return s.renderChecklist(c, http.StatusOK, cl, school, u, "", "")
}

func (s *Server) renderChecklist(c echo.Context, status int, cl model.Checklist, school model.School, u model.User, returnErr, returnValue string) error {
	return s.renderChecklistWith(c, status, cl, school, u, checklistExtras{returnErr: returnErr, returnValue: returnValue})
}

// checklistExtras are what a checklist page shows after a refused action.
type checklistExtras struct {
	returnErr, returnValue string // the return form's error and reason as typed
	uploadError            string // why evidence files were refused
	conflict               string // another reviewer acted first
}

func (s *Server) renderChecklistWith(c echo.Context, status int, cl model.Checklist, school model.School, u model.User, x checklistExtras) error {
	ctx := c.Request().Context()
	rules, err := s.store.SchoolRules(ctx, school)
	if err != nil {
		return err
	}
	p := web.ChecklistPage{
		School: school, Checklist: cl, Results: rules.Evaluate(school, cl.CheckedOn, cl.Facts), ExpiresOn: cl.ExpiresOn(rules),
		CanReview: canReview(u) && cl.State == model.Submitted, CanEdit: canFill(u, school) && cl.Editable(),
		ReturnError: x.returnErr, ReturnValue: x.returnValue, Conflict: x.conflict,
	}
	if cl.State == model.Returned && canFill(u, school) && school.Active {
		p.CorrectURL = web.SchoolURL(school.Code) + "/checklists/new?from=" + strconv.FormatInt(cl.ID, 10)
	}
	if p.Evidence, err = s.checklistEvidence(c, cl, school, u, x.uploadError); err != nil {
		return err
	}
	if p.RegisterDiffs, err = s.registerDiffs(ctx, school, cl); err != nil {
		return err
	}
	p.Base = s.base(c, fmt.Sprintf("%s · %s", school.Name, cl.CheckedOn), "review")
	return render(c, status, web.ChecklistView(p))
}

// verifyChecklist accepts a submitted checklist.
func (s *Server) verifyChecklist(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canReview(u) {
		return errForbidden
	}
	if _, err := s.store.VerifyChecklist(c.Request().Context(), u, cl.ID); errors.Is(err, store.ErrConflict) {
		return s.checklistConflict(c, cl.ID, school, u)
	} else if err != nil {
		return err
	}
	return s.flash(c, "checklist_verified", localPath(c.FormValue("next"), web.ChecklistURL(cl.ID)))
}

// returnChecklist sends a submitted checklist back with a reason.
func (s *Server) returnChecklist(c echo.Context) error {
	cl, school, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	if !canReview(u) {
		return errForbidden
	}
	reason := c.FormValue("reason")
	_, err = s.store.ReturnChecklist(c.Request().Context(), u, cl.ID, reason)
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderChecklist(c, http.StatusUnprocessableEntity, cl, school, u, i18n.T(c.Request().Context(), "review.reason_required"), reason)
	}
	if errors.Is(err, store.ErrConflict) {
		return s.checklistConflict(c, cl.ID, school, u)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "checklist_returned", localPath(c.FormValue("next"), web.ChecklistURL(cl.ID)))
}
