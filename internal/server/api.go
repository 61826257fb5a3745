package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// JSON shapes of /api/v1, as SPEC section 6 fixes them.

type apiDivision struct {
	Code  string      `json:"code"`
	Name  string      `json:"name"`
	Level model.Level `json:"level"`
}

type apiShare struct {
	Covered int           `json:"covered"`
	Percent model.Percent `json:"percent"`
}

type apiCoverage struct {
	Division apiDivision         `json:"division"`
	Basis    model.Basis         `json:"basis"`
	AsOf     model.Date          `json:"as_of"`
	Schools  int                 `json:"schools"`
	Measures map[string]apiShare `json:"measures"`
	AllFive  apiShare            `json:"all_five"`
	Children []apiCoverage       `json:"children,omitzero"` // [] for a county; absent in the children themselves
}

func coverageJSON(d model.Division, basis model.Basis, asOf model.Date, c model.Counts) apiCoverage {
	out := apiCoverage{Division: apiDivision{d.Code, d.Name, d.Level}, Basis: basis, AsOf: asOf, Schools: c.Schools,
		Measures: map[string]apiShare{}, AllFive: apiShare{c.AllFive, c.AllFivePercent()}}
	for i, m := range model.Measures {
		out.Measures[string(m)] = apiShare{c.Measures[i], c.Percent(i)}
	}
	return out
}

// apiCoverage is GET /api/v1/coverage/{division_code}. The encoded answer
// is cached like a dashboard page (pagecache.go): its key names the URL,
// the user and the data generation, and only answers that passed the scope
// check are stored, so a hit may skip the check; a change of the user's
// scope is a write, and a new generation.
func (s *Server) apiCoverage(c echo.Context) error {
	key, gen, err := s.pageKey(c)
	if err != nil {
		return err
	}
	if body, ok := s.pages.get(key); ok {
		return c.JSONBlob(http.StatusOK, body)
	}
	cc, err := s.childCoverageOf(c)
	if err != nil {
		return err
	}
	d, basis, asOf, children, counts := cc.division, cc.basis, cc.asOf, cc.children, cc.counts
	out := coverageJSON(d, basis, asOf, counts[d.Code])
	out.Children = make([]apiCoverage, len(children))
	for i, ch := range children {
		out.Children[i] = coverageJSON(ch, basis, asOf, counts[ch.Code])
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	// As c.JSON would write it: encoding/json's Encoder ends with a newline.
	body = append(body, '\n')
	s.pages.put(key, gen, body)
	return c.JSONBlob(http.StatusOK, body)
}

type apiMeasure struct {
	Covered   bool        `json:"covered"`
	Reason    *string     `json:"reason"`
	CheckedOn *model.Date `json:"checked_on"`
	ExpiresOn *model.Date `json:"expires_on"`
}

type apiHazard struct {
	ID       int64             `json:"id"`
	Measure  model.Measure     `json:"measure"`
	Severity model.Severity    `json:"severity"`
	Deadline model.Date        `json:"deadline"`
	State    model.HazardState `json:"state"`
	Overdue  bool              `json:"overdue"`
}

type apiSchool struct {
	Code         string                `json:"code"`
	Name         string                `json:"name"`
	Type         model.SchoolType      `json:"type"`
	DivisionCode string                `json:"division_code"`
	Students     int                   `json:"students"`
	Boarders     int                   `json:"boarders"`
	Active       bool                  `json:"active"`
	Basis        model.Basis           `json:"basis"`
	Measures     map[string]apiMeasure `json:"measures"`
	AllFive      bool                  `json:"all_five"`
	Hazards      []apiHazard           `json:"hazards"`
	RuleSet      apiRuleRef            `json:"rule_set"` // the rule set that judged the measures
}

// apiSchool is GET /api/v1/schools/{code}.
func (s *Server) apiSchool(c echo.Context) error {
	school, _, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	basis, err := basisParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.store.SchoolStatus(ctx, school, basis)
	if err != nil {
		return err
	}
	hazards, err := s.store.OpenHazards(ctx, school.ID)
	if err != nil {
		return err
	}
	out := apiSchool{Code: school.Code, Name: school.Name, Type: school.Type, DivisionCode: school.DivisionCode,
		Students: school.Students, Boarders: school.Boarders, Active: school.Active, Basis: basis,
		Measures: map[string]apiMeasure{}, AllFive: st.AllFive, Hazards: []apiHazard{}, RuleSet: ruleRefJSON(st.Rules)}
	for _, ms := range st.Measures {
		m := apiMeasure{Covered: ms.Covered, CheckedOn: ms.CheckedOn, ExpiresOn: ms.ExpiresOn}
		if !ms.Covered {
			r := s.i18n.English().Reasons(ms.Reasons)
			m.Reason = &r
		}
		out.Measures[string(ms.Measure)] = m
	}
	today := s.store.Today()
	for _, h := range hazards {
		out.Hazards = append(out.Hazards, apiHazard{h.ID, h.Measure, h.Severity, h.Deadline, h.State, h.Overdue(today)})
	}
	return c.JSON(http.StatusOK, out)
}

// decodeJSON reads a JSON body strictly; an empty body is allowed when
// optional. Malformed JSON is 400, a too-large body 413.
func decodeJSON(c echo.Context, v any, optional bool) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "cannot read the request body")
	}
	if len(body) == 0 && optional {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, jsonProblem(err))
	}
	return nil
}

// jsonProblem words a JSON decoding error for the client, naming the field
// and the kind of value wanted but none of the server's Go types.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := "a different kind of value"
		switch te.Type.Kind() {
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a whole number"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.String:
			want = "a string"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Map, reflect.Struct:
			want = "an object"
		}
		field := te.Field
		if field == "" {
			return fmt.Sprintf("malformed JSON: the body must be %s, not %s", want, te.Value)
		}
		return fmt.Sprintf("malformed JSON: %s must be %s, not %s", field, want, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	}
	return "malformed JSON"
}

type apiState struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
}

// apiCreateChecklist is POST /api/v1/schools/{code}/checklists.
func (s *Server) apiCreateChecklist(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	if !canFill(u, school) {
		return errForbidden
	}
	if !school.Active {
		return echo.NewHTTPError(http.StatusConflict, "school "+school.Code+" is closed")
	}
	key, err := apiIdempotencyKey(c)
	if err != nil {
		return err
	}
	var req struct {
		CheckedOn *json.RawMessage `json:"checked_on"`
		Submit    bool             `json:"submit"`
		Facts     json.RawMessage  `json:"facts"`
	}
	if err := decodeJSON(c, &req, false); err != nil {
		return err
	}
	if req.CheckedOn == nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "checked_on is required")
	}
	var on model.Date
	if err := json.Unmarshal(*req.CheckedOn, &on); err != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "checked_on: "+err.Error())
	}
	facts, err := model.DecodeFacts(req.Facts)
	if err != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, err.Error())
	}
	cl, err := s.store.CreateChecklist(c.Request().Context(), u, school.ID, store.ChecklistInput{CheckedOn: on, Facts: facts, Submit: req.Submit, Key: key})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiState{cl.ID, string(cl.State)})
}

// reviewerBody refuses users who cannot review, then decodes the JSON
// body (which may be empty) into v.
func reviewerBody(c echo.Context, u model.User, v any) error {
	if !canReview(u) {
		return errForbidden
	}
	return decodeJSON(c, v, true)
}

// apiVerifyChecklist is POST /api/v1/checklists/{id}/verify.
func (s *Server) apiVerifyChecklist(c echo.Context) error {
	cl, _, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	var body struct{}
	if err := reviewerBody(c, u, &body); err != nil {
		return err
	}
	out, err := s.store.VerifyChecklist(c.Request().Context(), u, cl.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiState{out.ID, string(out.State)})
}

// apiReturnChecklist is POST /api/v1/checklists/{id}/return.
func (s *Server) apiReturnChecklist(c echo.Context) error {
	cl, _, u, err := s.visibleChecklist(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := reviewerBody(c, u, &body); err != nil {
		return err
	}
	out, err := s.store.ReturnChecklist(c.Request().Context(), u, cl.ID, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiState{out.ID, string(out.State)})
}

// apiCreateHazard is POST /api/v1/schools/{code}/hazards.
func (s *Server) apiCreateHazard(c echo.Context) error {
	school, u, err := s.visibleSchool(c)
	if err != nil {
		return err
	}
	if !canReview(u) {
		return errForbidden
	}
	var body struct {
		Measure      model.Measure    `json:"measure"`
		Description  string           `json:"description"`
		Severity     model.Severity   `json:"severity"`
		Deadline     *json.RawMessage `json:"deadline"`
		InspectionID int64            `json:"inspection_id"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	deadline, err := jsonDate("deadline", body.Deadline)
	if err != nil {
		return err
	}
	h, err := s.store.CreateHazard(c.Request().Context(), u, school.ID, store.HazardInput{
		Measure: body.Measure, Description: body.Description, Severity: body.Severity, Deadline: deadline,
		InspectionID: body.InspectionID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiState{h.ID, string(h.State)})
}

// apiCloseHazard is POST /api/v1/hazards/{id}/close.
func (s *Server) apiCloseHazard(c echo.Context) error {
	h, _, u, err := s.visibleHazard(c)
	if err != nil {
		return err
	}
	var body struct{}
	if err := reviewerBody(c, u, &body); err != nil {
		return err
	}
	out, err := s.store.CloseHazard(c.Request().Context(), u, h.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiState{out.ID, fmt.Sprint(out.State)})
}

// jsonDate reads a required date field of a JSON body: missing, or not a
// date YYYY-MM-DD, is a bad value (422), not bad JSON.
func jsonDate(field string, raw *json.RawMessage) (model.Date, error) {
	if raw == nil {
		return 0, echo.NewHTTPError(http.StatusUnprocessableEntity, field+" is required")
	}
	var d model.Date
	if err := json.Unmarshal(*raw, &d); err != nil {
		return 0, echo.NewHTTPError(http.StatusUnprocessableEntity, field+" must be a date YYYY-MM-DD")
	}
	return d, nil
}
