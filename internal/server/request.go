package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// Request chores every handler shares: reading the page number and the
// record id, and checking a division filter against the user's scope.

// maxPage bounds ?page=; past it a list is empty anyway.
const maxPage = 100000

// pageParam reads ?page= (default 1); anything but 1..maxPage is a 400.
func pageParam(c echo.Context) (int, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "page must be a positive number")
	}
	return n, nil
}

// idParam reads the record id in the URL; one that is not a number names
// no record, so it is a 404.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

// basisParam reads ?basis= (default verified).
func basisParam(c echo.Context) (model.Basis, error) {
	basis, ok := model.ParseBasis(c.QueryParam("basis"))
	if !ok {
		return basis, echo.NewHTTPError(http.StatusBadRequest, "basis must be verified or reported")
	}
	return basis, nil
}

// schoolTypeParam reads ?type= ("" when absent); an unknown type is a 400.
func schoolTypeParam(c echo.Context) (model.SchoolType, error) {
	t := c.QueryParam("type")
	if t == "" {
		return "", nil
	}
	st, ok := model.ParseSchoolType(t)
	if !ok {
		return "", echo.NewHTTPError(http.StatusBadRequest, "unknown school type "+strconv.Quote(t))
	}
	return st, nil
}

// formParams reads the posted form; a form that cannot be parsed is a 400.
func formParams(c echo.Context) (url.Values, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "malformed form")
	}
	return form, nil
}

// checkDivisionFilter checks a division named in a filter: store.ErrNotFound
// when it does not exist, errForbidden when it is outside the user's scope.
func (s *Server) checkDivisionFilter(ctx context.Context, u model.User, code string) error {
	if _, err := s.store.Division(ctx, code); err != nil {
		return err
	}
	ok, err := s.canSeeDivision(ctx, u, code)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	return nil
}

// queryText reads a query parameter as typed, trimmed.
func queryText(c echo.Context, name string) string {
	return strings.TrimSpace(c.QueryParam(name))
}

// formText reads a posted field as typed, trimmed.
func formText(c echo.Context, name string) string {
	return strings.TrimSpace(c.FormValue(name))
}

// trimmedValues reads the named fields of a parsed form as typed,
// trimmed: the values a form is re-rendered with.
func trimmedValues(form url.Values, names ...string) map[string]string {
	values := make(map[string]string, len(names))
	for _, k := range names {
		values[k] = strings.TrimSpace(form.Get(k))
	}
	return values
}

// formTexts reads the posted fields named, trimmed: the values as typed,
// kept to re-render the form.
func formTexts(c echo.Context, names ...string) map[string]string {
	values := make(map[string]string, len(names))
	for _, k := range names {
		values[k] = formText(c, k)
	}
	return values
}

// formDate reads an optional date field of a form; one that does not
// parse is a field error.
func formDate(values map[string]string, k string, errs *model.FieldErrors) model.Date {
	v := values[k]
	if v == "" {
		return 0
	}
	d, err := model.ParseDate(v)
	if err != nil {
		*errs = append(*errs, model.NewFieldError(k, "not_date", map[string]any{"Value": v}, "%s %q is not a date (YYYY-MM-DD)", k, v))
	}
	return d
}

// formIDs reads checklist ids from a form, at most store.MaxBatch.
func formIDs(vs []string) ([]int64, error) {
	if len(vs) > store.MaxBatch {
		return nil, echo.NewHTTPError(http.StatusUnprocessableEntity, "at most "+strconv.Itoa(store.MaxBatch)+" checklists at once")
	}
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "checklist ids must be numbers")
		}
		ids = append(ids, id)
	}
	return ids, nil
}
