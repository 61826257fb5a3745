package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// apiRules is the rule set that judges a school of a division on a day,
// as SPEC §7 fixes it.
type apiRules struct {
	DivisionCode       string         `json:"division_code"`
	SourceDivisionCode *string        `json:"source_division_code"` // null: the national default
	ID                 int64          `json:"id"`
	Version            int            `json:"version"`
	EffectiveFrom      model.Date     `json:"effective_from"`
	Params             map[string]any `json:"params"`
}

// apiRuleRef names the rule set that judged a status.
type apiRuleRef struct {
	ID           int64   `json:"id"`
	Version      int     `json:"version"`
	DivisionCode *string `json:"division_code"`
}

func ruleRefJSON(r model.RuleRef) apiRuleRef {
	out := apiRuleRef{ID: r.ID, Version: r.Version}
	if r.DivisionCode != "" {
		out.DivisionCode = &r.DivisionCode
	}
	return out
}

// apiShowRules is GET /api/v1/rules/{division_code}?as_of=. A day to come
// is allowed: it shows a scheduled version.
func (s *Server) apiShowRules(c echo.Context) error {
	ctx := c.Request().Context()
	code := c.Param("code")
	if ok, err := s.canSeeRules(c, code); err != nil || !ok {
		if err == nil {
			err = errForbidden
		}
		return err
	}
	day := s.store.Today()
	if v := c.QueryParam("as_of"); v != "" {
		d, err := model.ParseDate(v)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "as_of: "+err.Error())
		}
		day = d
	}
	rs, err := s.store.RulesFor(ctx, code, day)
	if err != nil {
		return err
	}
	out := apiRules{DivisionCode: code, ID: rs.ID, Version: rs.Version, EffectiveFrom: rs.EffectiveFrom, Params: rs.Params()}
	if rs.DivisionCode != "" {
		out.SourceDivisionCode = &rs.DivisionCode
	}
	return c.JSON(http.StatusOK, out)
}

// canSeeRules: admins everywhere, leaders and inspectors in their
// subtree, a school's users for their school's county. An unknown
// division is 404.
func (s *Server) canSeeRules(c echo.Context, code string) (bool, error) {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	if _, err := s.store.Division(ctx, code); err != nil {
		return false, err
	}
	if u.Role == model.SchoolRep {
		school, err := s.store.School(ctx, u.ScopeCode)
		if err != nil {
			return false, err
		}
		return school.DivisionCode == code, nil
	}
	return s.canSeeDivision(ctx, u, code)
}

// apiCreateRules is POST /api/v1/rules (administrators).
func (s *Server) apiCreateRules(c echo.Context) error {
	u, _ := currentUser(c)
	var req struct {
		DivisionCode  *string                    `json:"division_code"`
		EffectiveFrom *string                    `json:"effective_from"`
		Params        map[string]json.RawMessage `json:"params"`
	}
	if err := decodeJSON(c, &req, false); err != nil {
		return err
	}
	var errs model.FieldErrors
	change := model.RuleChange{Params: req.Params}
	if req.DivisionCode != nil {
		change.DivisionCode = *req.DivisionCode
	}
	if req.EffectiveFrom == nil {
		errs = append(errs, model.FieldError{Field: "effective_from", Message: "is required (YYYY-MM-DD, today or later)"})
	} else if d, err := model.ParseDate(*req.EffectiveFrom); err != nil {
		errs = append(errs, model.FieldError{Field: "effective_from", Message: "must be a date YYYY-MM-DD"})
	} else {
		change.EffectiveFrom = d
	}
	if len(errs) > 0 {
		// Name every bad parameter too, not only the date.
		if _, perrs := model.DefaultRuleSet().WithParams(req.Params); len(perrs) > 0 {
			errs = append(errs, perrs...)
		}
		return errs
	}
	rs, err := s.store.CreateRuleSet(c.Request().Context(), u, change)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": rs.ID, "version": rs.Version})
}
