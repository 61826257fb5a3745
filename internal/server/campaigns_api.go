package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/roster"
)

// apiTargets are a campaign's targets by key ("<measure>|all_five"),
// the ones set only.
type apiTargets map[string]model.Percent

func targetsJSON(t model.Targets) apiTargets {
	out := apiTargets{}
	for i, k := range model.TargetKeys {
		if t[i].Valid {
			out[string(k)] = t[i]
		}
	}
	return out
}

// apiCreateCampaign is POST /api/v1/campaigns (leaders in scope, admins).
func (s *Server) apiCreateCampaign(c echo.Context) error {
	u, _ := currentUser(c)
	var body struct {
		Name         string             `json:"name"`
		DivisionCode string             `json:"division_code"`
		StartsOn     *json.RawMessage   `json:"starts_on"`
		EndsOn       *json.RawMessage   `json:"ends_on"`
		Targets      map[string]float64 `json:"targets"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.checkLaunch(ctx, u, body.DivisionCode); err != nil {
		return err
	}
	in := model.CampaignInput{Name: body.Name, DivisionCode: body.DivisionCode}
	var err error
	if in.StartsOn, err = jsonDate("starts_on", body.StartsOn); err != nil {
		return err
	}
	if in.EndsOn, err = jsonDate("ends_on", body.EndsOn); err != nil {
		return err
	}
	var errs model.FieldErrors
	for k, v := range body.Targets {
		i := targetIndex(k)
		t, ok := model.TargetOf(v)
		switch {
		case i < 0:
			errs = append(errs, model.FieldError{Field: "targets", Message: fmt.Sprintf("%q is not a measure key or all_five", k)})
		case !ok:
			errs = append(errs, model.FieldError{Field: "target." + k, Message: fmt.Sprintf("target %s of %s is not a percentage from 0 to 100 with at most one decimal", jsonNumber(v), k)})
		default:
			in.Targets[i] = t
		}
	}
	if len(errs) > 0 {
		return errs
	}
	camp, err := s.store.CreateCampaign(ctx, u, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, struct {
		ID int64 `json:"id"`
	}{camp.ID})
}

func targetIndex(k string) int {
	for i, t := range model.TargetKeys {
		if string(t) == k {
			return i
		}
	}
	return -1
}

func jsonNumber(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type apiProgress struct {
	Covered int            `json:"covered"`
	Percent model.Percent  `json:"percent"`
	Target  *model.Percent `json:"target"`
	Met     *bool          `json:"met"`
}

type apiCampaignShares struct {
	Division *apiDivision           `json:"division,omitempty"`
	Measures map[string]apiProgress `json:"measures"`
	AllFive  apiProgress            `json:"all_five"`
}

func progressJSON(c model.Counts, t model.Targets) apiCampaignShares {
	one := func(covered int, p, target model.Percent) apiProgress {
		out := apiProgress{Covered: covered, Percent: p}
		if target.Valid {
			met := model.Met(p, target)
			out.Target, out.Met = &target, &met
		}
		return out
	}
	out := apiCampaignShares{Measures: map[string]apiProgress{}, AllFive: one(c.AllFive, c.AllFivePercent(), t[5])}
	for i, m := range model.Measures {
		out.Measures[string(m)] = one(c.Measures[i], c.Percent(i), t[i])
	}
	return out
}

// apiShowCampaign is GET /api/v1/campaigns/{id}?as_of=.
func (s *Server) apiShowCampaign(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	camp := v.campaign
	sum := model.Summarize(v.ledger)
	out := struct {
		ID           int64               `json:"id"`
		Name         string              `json:"name"`
		DivisionCode string              `json:"division_code"`
		StartsOn     model.Date          `json:"starts_on"`
		EndsOn       model.Date          `json:"ends_on"`
		Targets      apiTargets          `json:"targets"`
		AsOf         model.Date          `json:"as_of"`
		Children     []apiCampaignShares `json:"children"`
		Ledger       map[string]int      `json:"ledger"`
		apiCampaignShares
	}{ID: camp.ID, Name: camp.Name, DivisionCode: camp.DivisionCode, StartsOn: camp.StartsOn, EndsOn: camp.EndsOn,
		Targets: targetsJSON(camp.Targets), AsOf: v.asOf, Children: []apiCampaignShares{},
		Ledger:            map[string]int{"open_at_start": sum.OpenAtStart, "closed": sum.Closed, "opened": sum.Opened, "remaining": sum.Remaining},
		apiCampaignShares: progressJSON(v.progress.End, camp.Targets)}
	for _, ch := range v.progress.Children {
		p := progressJSON(ch.End, camp.Targets)
		p.Division = &apiDivision{ch.Division.Code, ch.Division.Name, ch.Division.Level}
		out.Children = append(out.Children, p)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) exportLedgerCSV(c echo.Context) error  { return s.exportLedger(c, "csv") }
func (s *Server) exportLedgerXLSX(c echo.Context) error { return s.exportLedger(c, "xlsx") }

// exportLedger is the campaign's ledger (台账) as of the day: one line per
// (school, measure), with the day it opened and the day it was closed.
func (s *Server) exportLedger(c echo.Context, format string) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	header := []string{"school_code", "school", "division_code", "measure", "open_at_start", "opened_on", "closed_on"}
	rows := make([][]roster.Cell, len(v.ledger))
	for i, e := range v.ledger {
		closed := roster.Empty()
		if e.ClosedOn != nil {
			closed = roster.Text(e.ClosedOn.String())
		}
		rows[i] = []roster.Cell{roster.Text(e.School.Code), roster.Text(e.School.Name), roster.Text(e.School.DivisionCode),
			roster.Text(string(e.Measure)), roster.Int(b2i(e.AtStart)), roster.Text(e.OpenedOn.String()), closed}
	}
	name := fmt.Sprintf("ledger-%d-%s.%s", v.campaign.ID, v.asOf, format)
	return writeTable(c, format, name, "ledger", header, rows)
}
