package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// addDrill logs an emergency drill from the registers page.
func (s *Server) addDrill(c echo.Context) error {
	return s.addToRegister(c, registerEntry{
		fields: []string{"held_on", "kind", "participants"},
		flash:  "drill_added", anchor: "drills",
		save: func(ctx context.Context, u model.User, school model.School, v map[string]string, errs *model.FieldErrors) error {
			in := model.DrillInput{HeldOn: formDate(v, "held_on", errs), Kind: model.DrillKind(v["kind"])}
			if v["participants"] != "" {
				in.Participants = formCount(v, "participants", errs)
			}
			if len(*errs) > 0 {
				return nil
			}
			_, err := s.store.AddDrill(ctx, u, school.ID, in)
			return err
		},
		form: func(f *registerForms, st formState) { f.drill = st },
	})
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
