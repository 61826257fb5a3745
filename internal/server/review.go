package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// reviewReadCap is how many waiting checklists the queue reads at once to
// filter by failing measure; the oldest come first, so nothing starves.
const reviewReadCap = 5000

// listReview is the inspector's queue of submitted checklists in scope,
// filterable by division, school type and failing measure.
func (s *Server) listReview(c echo.Context) error {
	u, page, err := reviewerPage(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, rows, total, err := s.reviewRowsOf(c, u)
	if err != nil {
		return err
	}
	p := web.ReviewPage{Filter: f, Total: int(total), Page: page, Query: web.ReviewQuery(f), Capped: total > reviewReadCap}
	p.Shown = len(rows)
	if p.Divisions, err = s.divisionPicker(ctx, u, "division", f.Division); err != nil {
		return err
	}
	from := min((page-1)*web.ReviewPageSize, len(rows))
	p.Rows = rows[from:min(from+web.ReviewPageSize, len(rows))]
	p.List = listBar(c, "/review", "/review.csv", p.Query, p.Shown)
	p.Base = s.titledBase(c, "review.title", "review")
	return render(c, http.StatusOK, web.ReviewView(p))
}

// reviewRowsOf reads the queue's filter from the query string, checks it
// against the user's scope and returns the rows it matches (at most
// reviewReadCap are read) and how many checklists wait in all.
func (s *Server) reviewRowsOf(c echo.Context, u model.User) (web.ReviewFilter, []web.ReviewRow, int64, error) {
	ctx := c.Request().Context()
	f := web.ReviewFilter{Division: queryText(c, "division"), Failing: model.Measure(c.QueryParam("failing"))}
	if t := c.QueryParam("type"); t != "" {
		var ok bool
		if f.Type, ok = model.ParseSchoolType(t); !ok {
			return f, nil, 0, echo.NewHTTPError(http.StatusBadRequest, "unknown school type")
		}
	}
	if f.Failing != "" && !f.Failing.Valid() {
		return f, nil, 0, echo.NewHTTPError(http.StatusBadRequest, "failing must be a measure key")
	}
	under := u.ScopeCode
	if f.Division != "" {
		if err := s.checkDivisionFilter(ctx, u, f.Division); err != nil {
			return f, nil, 0, err
		}
		under = f.Division
	}
	items, total, err := s.store.SubmittedChecklists(ctx, store.ReviewFilter{Under: under, Type: f.Type, Limit: reviewReadCap})
	if err != nil {
		return f, nil, 0, err
	}
	rules, err := s.store.RulesToday(ctx, divisionsOf(items, reviewSchool))
	if err != nil {
		return f, nil, 0, err
	}
	var rows []web.ReviewRow
	for _, it := range items {
		row := web.ReviewRow{Checklist: it.Checklist, School: it.School, DivisionName: it.DivisionName,
			Results: rules[it.School.DivisionCode].Evaluate(it.School, it.Checklist.CheckedOn, it.Checklist.Facts)}
		if f.Failing != "" && row.Results[f.Failing.Index()].Met {
			continue
		}
		rows = append(rows, row)
	}
	return f, rows, total, nil
}

// confirmReview shows what verifying the selection will change. Nothing
// changes yet.
func (s *Server) confirmReview(c echo.Context) error {
	_, form, err := reviewerForm(c)
	if err != nil {
		return err
	}
	field := "id"
	if form.Get("all") == "1" {
		field = "shown"
	}
	ids, err := formIDs(form[field])
	if err != nil {
		return err
	}
	return s.renderReviewConfirm(c, http.StatusOK, ids, nil, localPath(form.Get("back"), "/review"))
}

// verifySelection verifies the confirmed selection in one transaction. If
// someone else reviewed any of them meanwhile, nothing is verified and the
// confirmation comes back without those.
func (s *Server) verifySelection(c echo.Context) error {
	u, form, err := reviewerForm(c)
	if err != nil {
		return err
	}
	ids, err := formIDs(form["id"])
	if err != nil {
		return err
	}
	back := localPath(form.Get("back"), "/review")
	ctx := c.Request().Context()
	items, err := s.reviewItems(ctx, u, ids)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return s.renderReviewConfirm(c, http.StatusUnprocessableEntity, nil, nil, back)
	}
	_, err = s.store.VerifyChecklists(ctx, u, ids)
	var ce *store.ConflictError
	switch {
	case errors.As(err, &ce):
		return s.renderReviewConfirm(c, http.StatusConflict, ids, ce.IDs, back)
	case err != nil:
		return err
	}
	return s.flash(c, "batch_verified", back)
}

// renderReviewConfirm lists the selection still waiting for review; the
// others (reviewed meanwhile, or named in conflict) are left out and
// counted in the conflict notice.
func (s *Server) renderReviewConfirm(c echo.Context, status int, ids, conflict []int64, back string) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	items, err := s.reviewItems(ctx, u, ids)
	if err != nil {
		return err
	}
	rules, err := s.store.RulesToday(ctx, divisionsOf(items, reviewSchool))
	if err != nil {
		return err
	}
	p := web.ReviewConfirmPage{Back: back}
	lost := map[int64]bool{}
	for _, id := range conflict {
		lost[id] = true
	}
	for _, it := range items {
		if it.Checklist.State != model.Submitted || lost[it.Checklist.ID] {
			p.Conflict = append(p.Conflict, it.Checklist.ID)
			continue
		}
		p.Rows = append(p.Rows, web.ReviewRow{Checklist: it.Checklist, School: it.School, DivisionName: it.DivisionName,
			Results: rules[it.School.DivisionCode].Evaluate(it.School, it.Checklist.CheckedOn, it.Checklist.Facts)})
	}
	if len(p.Conflict) > 0 && status == http.StatusOK {
		status = http.StatusConflict
	}
	if len(p.Rows) == 0 && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	p.Base = s.titledBase(c, "review.confirm_title", "review")
	return render(c, status, web.ReviewConfirmView(p))
}

// reviewItems loads the checklists named in a review selection, all of
// which must be in the user's scope.
func (s *Server) reviewItems(ctx context.Context, u model.User, ids []int64) ([]store.ReviewItem, error) {
	items, err := s.store.ReviewItems(ctx, ids)
	if err != nil {
		return nil, err
	}
	return items, s.checkReviewScope(ctx, u, items)
}

// checkReviewScope refuses a selection with any checklist outside the
// reviewer's scope.
func (s *Server) checkReviewScope(ctx context.Context, u model.User, items []store.ReviewItem) error {
	seen := map[string]bool{}
	for _, it := range items {
		d := it.School.DivisionCode
		if ok, known := seen[d]; known {
			if !ok {
				return errForbidden
			}
			continue
		}
		ok, err := s.canSeeSchool(ctx, u, it.School)
		if err != nil {
			return err
		}
		seen[d] = ok
		if !ok {
			return errForbidden
		}
	}
	return nil
}

// reviewSchool is the school of a review item.
func reviewSchool(it store.ReviewItem) model.School { return it.School }
