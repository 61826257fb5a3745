package server

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/web"
)

// gridSortOf reads the grid's order from sort= and dir=asc|desc.
func gridSortOf(c echo.Context) (web.GridSort, error) {
	s := web.GridSort{Key: c.QueryParam("sort")}
	if !web.ValidSortKey(s.Key) {
		return s, echo.NewHTTPError(http.StatusBadRequest, "sort must be name, schools, a measure key or all_five")
	}
	switch c.QueryParam("dir") {
	case "", "asc":
	case "desc":
		s.Desc = true
	default:
		return s, echo.NewHTTPError(http.StatusBadRequest, "dir must be asc or desc")
	}
	return s, nil
}

// sortChildren orders the grid's rows by the chosen column: the name as
// shown (name), the number of schools, or a verified percentage. Divisions
// without schools ("—") come last either way; ties keep code order.
func sortChildren(rows []web.ChildRow, s web.GridSort, name func(model.Division) string) {
	if s.Key == "" {
		return
	}
	dir := 1
	if s.Desc {
		dir = -1
	}
	if s.Key == "name" {
		slices.SortStableFunc(rows, func(a, b web.ChildRow) int {
			return dir * cmp.Compare(name(a.Division), name(b.Division))
		})
		return
	}
	value := func(r web.ChildRow) model.Percent {
		switch {
		case s.Key == "schools":
			return model.Percent{Tenths: r.Verified.Schools, Valid: r.Verified.Schools > 0}
		case s.Key == string(model.AllFive):
			return r.Verified.AllFivePercent()
		}
		return r.Verified.Percent(model.Measure(s.Key).Index())
	}
	slices.SortStableFunc(rows, func(a, b web.ChildRow) int {
		pa, pb := value(a), value(b)
		switch {
		case pa.Valid && !pb.Valid:
			return -1
		case !pa.Valid && pb.Valid:
			return 1
		case !pa.Valid:
			return 0
		}
		return dir * cmp.Compare(pa.Tenths, pb.Tenths)
	})
}
