package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

const hazardPageSize = 50

// listHazards is /hazards: the hazards in the user's scope, filterable by
// division, school, measure, state and overdue.
func (s *Server) listHazards(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	f, q, err := s.hazardFilterOf(c, u)
	if err != nil {
		return err
	}
	items, total, err := s.store.Hazards(ctx, q)
	if err != nil {
		return err
	}
	p := web.HazardsPage{Filter: f, Total: int(total), PageSize: hazardPageSize, Query: web.HazardQuery(f)}
	if p.Divisions, err = s.divisionPicker(ctx, u, "division", f.Division); err != nil {
		return err
	}
	for _, it := range items {
		p.Rows = append(p.Rows, web.HazardRow{Hazard: it.Hazard, School: it.School, DivisionName: it.DivisionName})
	}
	p.List = listBar(c, "/hazards", "/hazards.csv", p.Query, int(total))
	p.Base = s.titledBase(c, "hazards.title", "hazards")
	return render(c, http.StatusOK, web.HazardsView(p))
}

// hazardFilterOf reads the hazard list's filter from the query string and
// checks it against the user's scope.
func (s *Server) hazardFilterOf(c echo.Context, u model.User) (web.HazardFilter, store.HazardQuery, error) {
	ctx := c.Request().Context()
	f := web.HazardFilter{Division: queryText(c, "division"), School: queryText(c, "school"),
		Measure: model.Measure(c.QueryParam("measure")), State: model.HazardStateFilter(c.QueryParam("state")), Overdue: c.QueryParam("overdue") == "1", Page: 1}
	q := store.HazardQuery{Measure: f.Measure, Overdue: f.Overdue, Limit: hazardPageSize}
	var ok bool
	if q.State, ok = model.ParseHazardStateFilter(string(f.State)); !ok {
		return f, q, echo.NewHTTPError(http.StatusBadRequest, "state must be open, answered, closed or all")
	}
	if f.Measure != "" && !f.Measure.Valid() && f.Measure != model.MeasureOther {
		return f, q, echo.NewHTTPError(http.StatusBadRequest, "measure must be a measure key or other")
	}
	var err error
	if f.Page, err = pageParam(c); err != nil {
		return f, q, err
	}
	q.Offset = (f.Page - 1) * hazardPageSize
	switch u.Role {
	case model.SchoolRep:
		f.Division, f.School = "", u.ScopeCode
	case model.Leader, model.Inspector:
		q.Under = u.ScopeCode
	}
	if f.Division != "" {
		if err := s.checkDivisionFilter(ctx, u, f.Division); err != nil {
			return f, q, err
		}
		q.Under = f.Division
	}
	if f.School != "" {
		school, err := s.store.School(ctx, f.School)
		if err != nil {
			return f, q, err
		}
		if err := s.requireSchool(ctx, u, school); err != nil {
			return f, q, err
		}
		q.SchoolID = school.ID
	}
	return f, q, nil
}

// showHazard is one hazard's page.
func (s *Server) showHazard(c echo.Context) error {
	h, school, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	return s.renderHazard(c, http.StatusOK, h, school, u, hazardForm{})
}

// hazardForm is what was typed into a hazard's forms when they come back
// with errors, or the conflict that stopped them.
type hazardForm struct {
	values   map[string]string
	errs     model.FieldErrors
	conflict string
}

func (s *Server) renderHazard(c echo.Context, status int, h model.Hazard, school model.School, u model.User, f hazardForm) error {
	ctx := c.Request().Context()
	loc := s.store.Location()
	if f.values == nil {
		f.values = map[string]string{}
	}
	if f.values["idempotency_key"] == "" {
		f.values["idempotency_key"] = newIdempotencyKey()
	}
	p := web.HazardPage{Hazard: h, School: school, Values: f.values, Errors: f.errs, Conflict: f.conflict, CanUpload: s.files != nil}
	p.Hazard.RaisedAt = h.RaisedAt.In(loc)
	if d, err := s.store.Division(ctx, school.DivisionCode); err == nil {
		p.DivisionName = i18n.DivisionName(ctx, d)
	}
	if h.RaisedBy != 0 {
		if by, err := s.store.User(ctx, h.RaisedBy); err == nil {
			p.RaisedBy = by.Username
		}
	}
	var err error
	if p.Events, err = s.store.HazardEvents(ctx, h.ID); err != nil {
		return err
	}
	for i := range p.Events {
		p.Events[i].At = p.Events[i].At.In(loc)
	}
	if p.Evidence, err = s.store.HazardEvidence(ctx, h.ID); err != nil {
		return err
	}
	p.CanAnswer = canFill(u, school) && h.State == model.HazardOpen
	p.CanClose = canReview(u) && h.State != model.HazardClosed
	p.CanSendBack = canReview(u) && h.State == model.HazardAnswered
	p.Base = s.titledBase(c, "hazard.title", "hazards", map[string]any{"ID": h.ID})
	return render(c, status, web.HazardView(p))
}

// hazardOutcome answers a hazard's form after the store acted on it: the
// hazard again with the form's errors (422), the hazard as it now stands
// when someone else acted first (409), or back to the hazard with a flash.
func (s *Server) hazardOutcome(c echo.Context, err error, h model.Hazard, school model.School, u model.User, values map[string]string, flash string) error {
	var fe model.FieldErrors
	switch {
	case errors.As(err, &fe):
		return s.renderHazard(c, http.StatusUnprocessableEntity, h, school, u, hazardForm{values: values, errs: localizeErrors(c.Request().Context(), "hazard.err_", fe)})
	case errors.Is(err, store.ErrConflict):
		return s.hazardConflict(c, h.ID, u, hazardForm{values: values})
	case err != nil:
		return err
	}
	return s.flash(c, flash, web.HazardURL(h.ID))
}

// hazardConflict re-renders the hazard as it now stands, saying that
// someone else acted first and the user's change was not saved.
func (s *Server) hazardConflict(c echo.Context, id int64, u model.User, f hazardForm) error {
	ctx := c.Request().Context()
	h, err := s.store.Hazard(ctx, id)
	if err != nil {
		return err
	}
	school, err := s.store.SchoolByID(ctx, h.SchoolID)
	if err != nil {
		return err
	}
	f.conflict = i18n.T(ctx, "hazard.conflict", map[string]any{"State": i18n.T(ctx, "hazard_state."+string(h.State))})
	return s.renderHazard(c, http.StatusConflict, h, school, u, f)
}

// newHazard is the form to raise a hazard at a school.
func (s *Server) newHazard(c echo.Context) error {
	school, _, err := s.inspectableSchool(c)
	if err != nil {
		return err
	}
	values := map[string]string{"severity": string(model.Medium), "deadline": s.store.Today().AddDays(14).String()}
	if m := model.Measure(c.QueryParam("measure")); m.Valid() || m == model.MeasureOther {
		values["measure"] = string(m)
	}
	return s.renderHazardForm(c, http.StatusOK, school, values, nil)
}

// createHazard raises a hazard from the form.
func (s *Server) createHazard(c echo.Context) error {
	school, u, err := s.inspectableSchool(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	values := formTexts(c, "measure", "description", "severity", "deadline")
	in := store.HazardInput{Measure: model.Measure(values["measure"]), Description: values["description"], Severity: model.Severity(values["severity"])}
	deadlineOK := values["deadline"] != ""
	if deadlineOK {
		d, err := model.ParseDate(values["deadline"])
		in.Deadline, deadlineOK = d, err == nil
	}
	var errs model.FieldErrors
	for _, e := range in.Validate(s.store.Today()) {
		if e.Field != "deadline" || deadlineOK {
			errs = append(errs, e)
		}
	}
	if !deadlineOK {
		errs = append(errs, model.FieldError{Field: "deadline"})
	}
	if len(errs) == 0 {
		h, err := s.store.CreateHazard(ctx, u, school.ID, in)
		if err == nil {
			return s.flash(c, "hazard_raised", web.HazardURL(h.ID))
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderHazardForm(c, http.StatusUnprocessableEntity, school, values, localizeErrors(ctx, "hazard.err_", errs))
}

func (s *Server) renderHazardForm(c echo.Context, status int, school model.School, values map[string]string, errs model.FieldErrors) error {
	p := web.HazardFormPage{School: school, Values: values, Errors: errs}
	p.Base = s.titledBase(c, "hazard.new_title", "hazards")
	return render(c, status, web.HazardFormView(p))
}

// answerHazard records the school's answer with its evidence files.
func (s *Server) answerHazard(c echo.Context) error {
	h, school, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	ctx := c.Request().Context()
	up := s.readUploads(c)
	values := map[string]string{"answer": up.value("answer"), "idempotency_key": up.value("idempotency_key")}
	if up.err != nil {
		return up.err
	}
	if up.problem != "" {
		return s.renderHazard(c, up.status, h, school, u, hazardForm{values: values,
			errs: model.FieldErrors{{Field: "files", Message: up.problem}}})
	}
	saved, cleanup, err := s.saveUploads(up.files)
	if err != nil {
		return err
	}
	_, repeated, err := s.store.AnswerHazardOnce(ctx, u, h.ID, values["answer"], saved, values["idempotency_key"])
	if err != nil || repeated {
		cleanup()
	}
	if status, kerrs, ok := keyProblem(err); ok {
		values["idempotency_key"] = newIdempotencyKey()
		return s.renderHazard(c, status, h, school, u, hazardForm{values: values, errs: kerrs})
	}
	return s.hazardOutcome(c, err, h, school, u, values, "hazard_answered")
}

// closeHazard closes a hazard from its page. The form carries the state
// the inspector saw, so a close never overrides what someone else did
// meanwhile.
func (s *Server) closeHazard(c echo.Context) error {
	h, school, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	if !canReview(u) {
		return errForbidden
	}
	values := map[string]string{"note": c.FormValue("note")}
	from := model.HazardState(c.FormValue("from"))
	if from == "" {
		from = h.State
	}
	_, err = s.store.CloseHazardFrom(c.Request().Context(), u, h.ID, from, values["note"])
	return s.hazardOutcome(c, err, h, school, u, values, "hazard_closed")
}

// sendBackHazard returns an answered hazard to the school with a reason.
func (s *Server) sendBackHazard(c echo.Context) error {
	h, school, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	if !canReview(u) {
		return errForbidden
	}
	values := map[string]string{"reason": c.FormValue("reason")}
	_, err = s.store.SendBackHazard(c.Request().Context(), u, h.ID, values["reason"])
	return s.hazardOutcome(c, err, h, school, u, values, "hazard_sent_back")
}

// markOverdue sets each row's count of overdue hazards, for the badge in
// school lists.
func (s *Server) markOverdue(ctx context.Context, rows []web.SchoolRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.School.ID
	}
	n, err := s.store.OverdueHazardCounts(ctx, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].OverdueHazards = n[rows[i].School.ID]
	}
	return nil
}
