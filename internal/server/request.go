package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
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

// formReader reads a posted form's fields, keeping each value as sent (to
// show the form again) and the dates that do not parse as field errors.
type formReader struct {
	form   url.Values
	values map[string]string
	errs   model.FieldErrors
}

func newFormReader(form url.Values) *formReader {
	return &formReader{form: form, values: map[string]string{}}
}

// get is the field's value, trimmed.
func (r *formReader) get(k string) string {
	v := strings.TrimSpace(r.form.Get(k))
	r.values[k] = v
	return v
}

// date is the field's date; empty is 0, a bad one a field error.
func (r *formReader) date(k string) model.Date {
	v := r.get(k)
	if v == "" {
		return 0
	}
	d, err := model.ParseDate(v)
	if err != nil {
		r.errs = append(r.errs, model.FieldError{Field: k, Message: err.Error()})
	}
	return d
}
