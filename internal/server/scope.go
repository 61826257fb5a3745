package server

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// Scope rules, checked on the server for every record. A school user sees
// only their school; leaders and inspectors their division's subtree.

func (s *Server) canSeeDivision(ctx context.Context, u model.User, code string) (bool, error) {
	switch u.Role {
	case model.Admin:
		return true, nil
	case model.Leader, model.Inspector:
		return s.store.Within(ctx, u.ScopeCode, code)
	}
	return false, nil
}

func (s *Server) canSeeSchool(ctx context.Context, u model.User, school model.School) (bool, error) {
	switch u.Role {
	case model.Admin:
		return true, nil
	case model.SchoolRep:
		return u.ScopeCode == school.Code, nil
	}
	return s.store.Within(ctx, u.ScopeCode, school.DivisionCode)
}

// canFill: admins for any school, school users for their own.
func canFill(u model.User, school model.School) bool {
	return u.Role == model.Admin || (u.Role == model.SchoolRep && u.ScopeCode == school.Code)
}

// canReview: admins anywhere, inspectors in their subtree (the caller has
// already checked that the user can see the school).
func canReview(u model.User) bool { return u.CanReview() }

// currentReviewer is the signed-in user when they may review checklists;
// anyone else gets errForbidden.
func currentReviewer(c echo.Context) (model.User, error) {
	u, _ := currentUser(c)
	if !canReview(u) {
		return u, errForbidden
	}
	return u, nil
}

// reviewerPage is the preamble of the reviewers' paged lists: the user,
// who must be a reviewer, and the page number asked for.
func reviewerPage(c echo.Context) (model.User, int, error) {
	u, err := currentReviewer(c)
	if err != nil {
		return u, 0, err
	}
	page, err := pageParam(c)
	return u, page, err
}

// reviewerForm is the form a reviewer posted; others are refused.
func reviewerForm(c echo.Context) (model.User, url.Values, error) {
	u, err := currentReviewer(c)
	if err != nil {
		return u, nil, err
	}
	form, err := formParams(c)
	return u, form, err
}

// requireSchool is nil when the user may see the school, errForbidden
// when it is outside their scope.
func (s *Server) requireSchool(ctx context.Context, u model.User, school model.School) error {
	ok, err := s.canSeeSchool(ctx, u, school)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	return nil
}

// schoolOf loads the school a record belongs to and checks the user may
// see it.
func (s *Server) schoolOf(ctx context.Context, u model.User, schoolID int64) (model.School, error) {
	school, err := s.store.SchoolByID(ctx, schoolID)
	if err != nil {
		return school, err
	}
	return school, s.requireSchool(ctx, u, school)
}

// visibleSchool loads the school named in the URL and checks the user may
// see it: 404 when it does not exist, 403 when it is outside the scope.
func (s *Server) visibleSchool(c echo.Context) (model.School, model.User, error) {
	u, _ := currentUser(c)
	school, err := s.store.School(c.Request().Context(), c.Param("code"))
	if err != nil {
		return school, u, err
	}
	return school, u, s.requireSchool(c.Request().Context(), u, school)
}

// inspectableSchool is visibleSchool for raising hazards and recording
// inspections: reviewers only, at open schools only.
func (s *Server) inspectableSchool(c echo.Context) (model.School, model.User, error) {
	school, u, err := s.visibleSchool(c)
	if err == nil && (!canReview(u) || !school.Active) {
		err = errForbidden
	}
	return school, u, err
}

// visibleChecklist loads the checklist named in the URL with its school.
func (s *Server) visibleChecklist(c echo.Context) (model.Checklist, model.School, model.User, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.Checklist{}, model.School{}, u, err
	}
	ctx := c.Request().Context()
	cl, err := s.store.Checklist(ctx, id)
	if err != nil {
		return cl, model.School{}, u, err
	}
	school, err := s.schoolOf(ctx, u, cl.SchoolID)
	return cl, school, u, err
}

// visibleHazard loads the hazard named in the URL with its school and
// checks the user may see the school.
func (s *Server) visibleHazard(c echo.Context) (model.Hazard, model.School, model.User, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.Hazard{}, model.School{}, u, err
	}
	ctx := c.Request().Context()
	h, err := s.store.Hazard(ctx, id)
	if err != nil {
		return h, model.School{}, u, err
	}
	school, err := s.schoolOf(ctx, u, h.SchoolID)
	return h, school, u, err
}

// visibleDivision loads the division named in the URL and checks scope.
func (s *Server) visibleDivision(c echo.Context) (model.Division, model.User, error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	d, err := s.store.Division(ctx, c.Param("code"))
	if err != nil {
		return d, u, err
	}
	ok, err := s.canSeeDivision(ctx, u, d.Code)
	if err != nil {
		return d, u, err
	}
	if !ok {
		return d, u, errForbidden
	}
	return d, u, nil
}
