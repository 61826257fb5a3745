package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/web"
)

// addDrill logs an emergency drill from the registers page.
func (s *Server) addDrill(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	form, err := formParams(c)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"held_on", "kind", "participants"} {
		values[k] = strings.TrimSpace(form.Get(k))
	}
	var errs model.FieldErrors
	in := model.DrillInput{HeldOn: formDate(values, "held_on", &errs), Kind: model.DrillKind(values["kind"])}
	if v := values["participants"]; v != "" {
		if in.Participants, err = strconv.Atoi(v); err != nil {
			errs = append(errs, model.NewFieldError("participants", "not_whole_number", map[string]any{"Value": v}, "%q is not a whole number", v))
		}
	}
	if len(errs) == 0 {
		_, err = s.store.AddDrill(c.Request().Context(), u, school.ID, in)
		if err == nil {
			return s.flash(c, "drill_added", web.RegistersURL(school.Code)+"#drills")
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderRegisters(c, http.StatusUnprocessableEntity, school, u, registerForms{drill: formState{values, errs}})
}

// apiDrill is a logged drill as the API shows it.
type apiDrill struct {
	ID           int64           `json:"id"`
	HeldOn       model.Date      `json:"held_on"`
	Kind         model.DrillKind `json:"kind"`
	Participants int             `json:"participants"`
}

// apiListDrills is GET /api/v1/schools/{code}/drills: the latest 100
// drills, newest first.
func (s *Server) apiListDrills(c echo.Context) error {
	school, _, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	drills, err := s.store.SchoolDrills(c.Request().Context(), school.ID, 100)
	if err != nil {
		return err
	}
	items := make([]apiDrill, len(drills))
	for i, d := range drills {
		items[i] = apiDrill{d.ID, d.HeldOn, d.Kind, d.Participants}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// apiAddDrill is POST /api/v1/schools/{code}/drills.
func (s *Server) apiAddDrill(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	var body struct {
		HeldOn       *json.RawMessage `json:"held_on"`
		Kind         model.DrillKind  `json:"kind"`
		Participants int              `json:"participants"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	in := model.DrillInput{Kind: body.Kind, Participants: body.Participants}
	if in.HeldOn, err = apiDate("held_on", body.HeldOn); err != nil {
		return err
	}
	d, err := s.store.AddDrill(c.Request().Context(), u, school.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": d.ID})
}
