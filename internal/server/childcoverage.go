package server

import (
	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// childCoverage is a division's coverage and its children's, on the basis
// and day the request asks for (?basis=, ?as_of=), as the API and the
// coverage exports give it.
type childCoverage struct {
	division model.Division
	basis    model.Basis
	asOf     model.Date
	children []model.Division
	counts   map[string]model.Counts // by division code, the division's own included
}

// childCoverageOf reads the division in the URL (checking scope) and its
// children's coverage.
func (s *Server) childCoverageOf(c echo.Context) (childCoverage, error) {
	var cc childCoverage
	var err error
	if cc.division, _, err = s.visibleDivision(c); err != nil {
		return cc, err
	}
	if cc.basis, err = basisParam(c); err != nil {
		return cc, err
	}
	if cc.asOf, err = asOfParam(c, s.store.Today()); err != nil {
		return cc, err
	}
	ctx := c.Request().Context()
	if cc.children, err = s.store.Children(ctx, cc.division.Code); err != nil {
		return cc, err
	}
	codes := []string{cc.division.Code}
	for _, ch := range cc.children {
		codes = append(codes, ch.Code)
	}
	cc.counts, err = s.store.Coverage(ctx, codes, cc.basis, cc.asOf)
	return cc, err
}
