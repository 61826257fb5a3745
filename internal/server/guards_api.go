package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// apiGuard is a register entry as the API shows it: never the whole ID.
type apiGuard struct {
	ID             int64       `json:"id"`
	Name           string      `json:"name"`
	IDNumberMasked string      `json:"id_number_masked"`
	LicenceNo      string      `json:"licence_no"`
	Employer       string      `json:"employer"`
	HiredOn        model.Date  `json:"hired_on"`
	TrainedOn      *model.Date `json:"trained_on"`
	LeftOn         *model.Date `json:"left_on"`
	Active         bool        `json:"active"`
	Conflict       bool        `json:"conflict"`
}

// apiListGuards is GET /api/v1/schools/{code}/guards.
func (s *Server) apiListGuards(c echo.Context) error {
	school, _, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	guards, err := s.store.SchoolGuards(c.Request().Context(), school.ID)
	if err != nil {
		return err
	}
	today := s.store.Today()
	items := make([]apiGuard, len(guards))
	for i, g := range guards {
		items[i] = apiGuard{ID: g.ID, Name: g.Name, IDNumberMasked: g.IDMasked, LicenceNo: g.LicenceNo, Employer: g.Employer,
			HiredOn: g.HiredOn, TrainedOn: datePtr(g.TrainedOn), LeftOn: datePtr(g.LeftOn), Active: g.ActiveOn(today), Conflict: g.Conflict}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func datePtr(d model.Date) *model.Date {
	if d == 0 {
		return nil
	}
	return &d
}

// apiDate reads an optional date of a JSON body: absent or null is 0, a
// value that is not a date is a 422 naming the field.
func apiDate(field string, raw *json.RawMessage) (model.Date, error) {
	if raw == nil || string(*raw) == "null" {
		return 0, nil
	}
	var d model.Date
	if err := json.Unmarshal(*raw, &d); err != nil {
		return 0, echo.NewHTTPError(http.StatusUnprocessableEntity, field+" must be a date YYYY-MM-DD")
	}
	return d, nil
}

// apiAddGuard is POST /api/v1/schools/{code}/guards.
func (s *Server) apiAddGuard(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	var body struct {
		Name      string           `json:"name"`
		IDNumber  string           `json:"id_number"`
		LicenceNo string           `json:"licence_no"`
		Employer  string           `json:"employer"`
		HiredOn   *json.RawMessage `json:"hired_on"`
		TrainedOn *json.RawMessage `json:"trained_on"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	in := model.GuardInput{Name: body.Name, IDNumber: body.IDNumber, LicenceNo: body.LicenceNo, Employer: body.Employer}
	if in.HiredOn, err = apiDate("hired_on", body.HiredOn); err != nil {
		return err
	}
	if in.TrainedOn, err = apiDate("trained_on", body.TrainedOn); err != nil {
		return err
	}
	g, err := s.store.AddGuard(c.Request().Context(), u, school.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": g.ID})
}

// apiLeaveGuard is POST /api/v1/guards/{id}/leave with {"left_on"}.
func (s *Server) apiLeaveGuard(c echo.Context) error {
	g, _, err := s.keptGuard(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	var body struct {
		LeftOn *json.RawMessage `json:"left_on"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	on, err := apiDate("left_on", body.LeftOn)
	if err != nil {
		return err
	}
	out, err := s.store.LeaveGuard(c.Request().Context(), u, g.ID, on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": out.ID, "left_on": out.LeftOn})
}
