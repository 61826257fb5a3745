package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// addAlarmTest logs a test of the school's alarm from the registers page.
func (s *Server) addAlarmTest(c echo.Context) error {
	return s.addToRegister(c, registerEntry{
		fields: []string{"tested_on", "ok", "police_notified", "response_minutes"},
		flash:  "alarm_test_added", anchor: "alarm-tests",
		save: func(ctx context.Context, u model.User, school model.School, v map[string]string, errs *model.FieldErrors) error {
			in := model.AlarmTestInput{TestedOn: formDate(v, "tested_on", errs), OK: v["ok"] == "yes", PoliceNotified: v["police_notified"] == "yes"}
			if v["response_minutes"] != "" {
				n := formCount(v, "response_minutes", errs)
				in.ResponseMinutes = &n
			}
			if len(*errs) > 0 {
				return nil
			}
			_, err := s.store.AddAlarmTest(ctx, u, school.ID, in)
			return err
		},
		form: func(f *registerForms, st formState) { f.alarm = st },
	})
}

// apiAlarmTest is a logged test as the API shows it.
type apiAlarmTest struct {
	ID              int64      `json:"id"`
	TestedOn        model.Date `json:"tested_on"`
	OK              bool       `json:"ok"`
	PoliceNotified  bool       `json:"police_notified"`
	ResponseMinutes *int       `json:"response_minutes"`
}

// apiListAlarmTests is GET /api/v1/schools/{code}/alarm-tests: the latest
// 100 tests, newest first.
func (s *Server) apiListAlarmTests(c echo.Context) error {
	school, _, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	tests, err := s.store.SchoolAlarmTests(c.Request().Context(), school.ID, 100)
	if err != nil {
		return err
	}
	items := make([]apiAlarmTest, len(tests))
	for i, t := range tests {
		items[i] = apiAlarmTest{t.ID, t.TestedOn, t.OK, t.PoliceNotified, t.ResponseMinutes}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// apiAddAlarmTest is POST /api/v1/schools/{code}/alarm-tests.
func (s *Server) apiAddAlarmTest(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	var body struct {
		TestedOn        *json.RawMessage `json:"tested_on"`
		OK              bool             `json:"ok"`
		PoliceNotified  bool             `json:"police_notified"`
		ResponseMinutes *int             `json:"response_minutes"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	in := model.AlarmTestInput{OK: body.OK, PoliceNotified: body.PoliceNotified, ResponseMinutes: body.ResponseMinutes}
	if in.TestedOn, err = apiDate("tested_on", body.TestedOn); err != nil {
		return err
	}
	t, err := s.store.AddAlarmTest(c.Request().Context(), u, school.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": t.ID})
}
