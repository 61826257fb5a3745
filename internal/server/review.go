package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// listReview is the inspector's queue of submitted checklists in scope.
func (s *Server) listReview(c echo.Context) error {
	u, _ := currentUser(c)
	if !u.CanReview() {
		return errForbidden
	}
	ctx := c.Request().Context()
	f := web.ReviewFilter{Division: c.QueryParam("division"), Failing: model.Measure(c.QueryParam("failing"))}
	if t := c.QueryParam("type"); t != "" {
		var ok bool
		if f.Type, ok = model.ParseSchoolType(t); !ok {
			return echo.NewHTTPError(http.StatusBadRequest, "unknown school type")
		}
	}
	if f.Failing != "" && !f.Failing.Valid() {
		return echo.NewHTTPError(http.StatusBadRequest, "failing must be a measure key")
	}
	under := u.ScopeCode
	if f.Division != "" {
		ok, err := s.canSeeDivision(ctx, u, f.Division)
		if err != nil {
			return err
		}
		if !ok {
			return errForbidden
		}
		under = f.Division
	}
	items, total, err := s.store.ReviewQueue(ctx, store.ReviewFilter{Under: under, Type: f.Type, Limit: 200})
	if err != nil {
		return err
	}
	rules, err := s.store.RuleSet(ctx)
	if err != nil {
		return err
	}
	p := web.ReviewPage{Filter: f, Total: int(total)}
	for _, it := range items {
		row := web.ReviewRow{Checklist: it.Checklist, School: it.School, DivisionName: it.DivisionName,
			Results: rules.Evaluate(it.School, it.Checklist.CheckedOn, it.Checklist.Facts)}
		if f.Failing != "" && row.Results[f.Failing.Index()].Met {
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	p.Base = s.base(c, i18n.T(ctx, "review.title"), "review")
	return render(c, http.StatusOK, web.ReviewView(p))
}
