package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/web"
)

// showSchool is a school's page: each measure's status on both bases, open
// hazards and the checklist history.
func (s *Server) showSchool(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := web.SchoolPage{School: school, CanFill: canFill(u, school) && school.Active, CanReview: canReview(u), CanEdit: u.Role == model.Admin,
		CanInspect: canReview(u)}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, school.DivisionCode); err != nil {
		return err
	}
	county, err := s.store.Division(ctx, school.DivisionCode)
	if err != nil {
		return err
	}
	p.Breadcrumb = append(p.Breadcrumb, county)
	if p.Verified, err = s.store.SchoolStatus(ctx, school, model.BasisVerified); err != nil {
		return err
	}
	if p.Reported, err = s.store.SchoolStatus(ctx, school, model.BasisReported); err != nil {
		return err
	}
	if p.Checklists, err = s.store.SchoolChecklists(ctx, school.ID, 100); err != nil {
		return err
	}
	if p.Hazards, err = s.store.OpenHazards(ctx, school.ID); err != nil {
		return err
	}
	if p.Inspections, err = s.store.SchoolInspections(ctx, school.ID, 20); err != nil {
		return err
	}
	guards, err := s.store.SchoolGuards(ctx, school.ID)
	if err != nil {
		return err
	}
	p.Registers = web.SummarizeRegisters(guards, s.store.Today())
	nav := "dashboard"
	p.Base = s.base(c, school.Name, nav)
	return render(c, http.StatusOK, web.SchoolView(p))
}
