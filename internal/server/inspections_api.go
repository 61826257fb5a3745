package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/store"
)

// apiCreateInspection is POST /api/v1/schools/{code}/inspections
// (inspectors, admins): {"inspected_on","notes"} → 201 {"id"}.
func (s *Server) apiCreateInspection(c echo.Context) error {
	school, u, err := s.inspectableSchool(c)
	if err != nil {
		return err
	}
	var body struct {
		InspectedOn *json.RawMessage `json:"inspected_on"`
		Notes       string           `json:"notes"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	on, err := jsonDate("inspected_on", body.InspectedOn)
	if err != nil {
		return err
	}
	in, err := s.store.CreateInspection(c.Request().Context(), u, school.ID, store.InspectionInput{InspectedOn: on, Notes: body.Notes})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, struct {
		ID int64 `json:"id"`
	}{in.ID})
}
