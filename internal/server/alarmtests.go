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

// addAlarmTest logs a test of the school's alarm from the registers page.
func (s *Server) addAlarmTest(c echo.Context) error {
	school, u, err := s.registerKeeper(c)
	if err != nil {
		return err
	}
	form, err := formParams(c)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"tested_on", "ok", "police_notified", "response_minutes"} {
		values[k] = strings.TrimSpace(form.Get(k))
	}
	var errs model.FieldErrors
	in := model.AlarmTestInput{TestedOn: formDate(values, "tested_on", &errs), OK: values["ok"] == "yes", PoliceNotified: values["police_notified"] == "yes"}
	if v := values["response_minutes"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, model.NewFieldError("response_minutes", "not_whole_number", map[string]any{"Value": v}, "%q is not a whole number", v))
		}
		in.ResponseMinutes = &n
	}
	if len(errs) == 0 {
		_, err = s.store.AddAlarmTest(c.Request().Context(), u, school.ID, in)
		if err == nil {
			return s.flash(c, "alarm_test_added", web.RegistersURL(school.Code)+"#alarm-tests")
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderRegisters(c, http.StatusUnprocessableEntity, school, u, registerForms{alarm: formState{values, errs}})
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
