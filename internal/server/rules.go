package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/web"
)

// showRules is the administrators' rules page: the national default and
// the profiles, and for the chosen division (?division=) which rules apply
// and where they come from.
func (s *Server) showRules(c echo.Context) error {
	return s.renderRules(c, http.StatusOK, c.QueryParam("division"), nil, nil, false)
}

// ruleForm is the rules form as typed: the division, the day and the
// parameters filled in (a blank one is inherited).
type ruleForm struct {
	change model.RuleChange
	values map[string]string
	errs   model.FieldErrors
	v2     bool // the "adopt the v2 defaults" form
}

func (s *Server) parseRuleForm(c echo.Context) ruleForm {
	ctx := c.Request().Context()
	f := ruleForm{values: map[string]string{}, change: model.RuleChange{Params: map[string]json.RawMessage{}}}
	f.change.DivisionCode = formText(c, "division_code")
	f.v2 = c.FormValue("preset") == "v2"
	if f.v2 {
		f.change.Params = model.V2Defaults()
	} else {
		for _, name := range model.RuleParamNames {
			v := formText(c, name)
			f.values[name] = v
			switch {
			case v == "":
			case name == "guard_basis":
				f.change.Params[name], _ = json.Marshal(v)
			case name == "anti_ramming_required":
				if v != "true" && v != "false" {
					f.errs = append(f.errs, model.FieldError{Field: name, Message: i18n.T(ctx, "rules.err_choice")})
					continue
				}
				f.change.Params[name] = json.RawMessage(v)
			default:
				if _, err := strconv.Atoi(v); err != nil {
					f.errs = append(f.errs, model.FieldError{Field: name, Message: i18n.T(ctx, "rules.err_number")})
					continue
				}
				f.change.Params[name] = json.RawMessage(v)
			}
		}
	}
	f.values["effective_from"] = formText(c, "effective_from")
	if d, err := model.ParseDate(f.values["effective_from"]); err != nil || d < s.store.Today() {
		f.errs = append(f.errs, model.FieldError{Field: "effective_from", Message: i18n.T(ctx, "rules.err_effective_from")})
	} else {
		f.change.EffectiveFrom = d
	}
	return f
}

// createRuleSet stores a new version for the chosen division from the
// stated day. Effective today, coverage everywhere reflects it when the
// page comes back.
func (s *Server) createRuleSet(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	f := s.parseRuleForm(c)
	if len(f.errs) > 0 {
		// Check what parsed as the store would, so every problem shows at once.
		if base, err := s.store.RulesFor(ctx, f.change.DivisionCode, s.store.Today()); err == nil {
			_, perrs := base.WithParams(f.change.Params)
			f.errs = append(f.errs, perrs...)
		}
	} else {
		_, err := s.store.CreateRuleSet(ctx, u, f.change)
		if err == nil {
			key := "rules_saved_today"
			if f.change.EffectiveFrom > s.store.Today() {
				key = "rules_scheduled"
			}
			return s.flash(c, key, "/admin/rules"+divisionQuery(f.change.DivisionCode))
		}
		if !errors.As(err, &f.errs) {
			return err
		}
	}
	f.errs = localizeRuleErrors(c, f.errs)
	if f.v2 {
		return s.renderRules(c, http.StatusUnprocessableEntity, f.change.DivisionCode, nil, f.errs, true, f.values["effective_from"])
	}
	return s.renderRules(c, http.StatusUnprocessableEntity, f.change.DivisionCode, f.values, f.errs, false)
}

// previewRules shows the guard table of the parameters in the form
// without saving them.
func (s *Server) previewRules(c echo.Context) error {
	f := s.parseRuleForm(c)
	return s.renderRules(c, http.StatusOK, f.change.DivisionCode, f.values, localizeRuleErrors(c, f.errs), false)
}

// localizeRuleErrors words the store's and the model's errors for people.
func localizeRuleErrors(c echo.Context, errs model.FieldErrors) model.FieldErrors {
	ctx := c.Request().Context()
	out := make(model.FieldErrors, len(errs))
	for i, e := range errs {
		out[i] = e
		switch e.Field {
		case "effective_from", "validity_days", "students_per_extra_guard", "large_school_from", "guard_basis":
			out[i].Message = i18n.T(ctx, "rules.err_"+e.Field)
		default:
			if strings.HasPrefix(e.Message, "must be at least") {
				out[i].Message = i18n.T(ctx, "rules.err_negative")
			}
		}
	}
	return out
}

// cancelRuleSet deletes a version that has not taken effect.
func (s *Server) cancelRuleSet(c echo.Context) error {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.CancelRuleSet(c.Request().Context(), u, id); err != nil {
		return err
	}
	return s.flash(c, "rules_cancelled", "/admin/rules")
}

func divisionQuery(code string) string {
	if code == "" {
		return ""
	}
	return "?division=" + code
}

// renderRules builds the rules page for the division ("" = national).
// values are the form as typed (nil: the rules in force, to edit); with
// values, the guard table previews them. v2 marks errors of the v2 form,
// whose date is v2Date.
func (s *Server) renderRules(c echo.Context, status int, division string, values map[string]string, errs model.FieldErrors, v2 bool, v2Date ...string) error {
	ctx := c.Request().Context()
	today := s.store.Today()
	p := web.RulesPage{Errors: errs, V2Date: today.String()}
	if division != "" {
		d, err := s.store.Division(ctx, division)
		if err != nil {
			return err
		}
		p.Division = d
	}
	divisions, err := s.store.AllDivisions(ctx)
	if err != nil {
		return err
	}
	p.Divisions = divisions
	names := map[string]string{}
	for _, d := range divisions {
		names[d.Code] = d.Name
	}
	if p.InForce, err = s.store.RulesFor(ctx, division, today); err != nil {
		return err
	}
	p.SourceName = names[p.InForce.DivisionCode]
	p.OfferV2 = p.InForce.Guards.Basis == model.GuardBasisAllStudents
	if v2 && len(v2Date) > 0 {
		p.V2Date = v2Date[0]
		if e, ok := errs.Get("effective_from"); ok {
			p.V2DateError = e.Message
		}
		p.Errors = nil
	}
	p.Examples = web.GuardTable(p.InForce)
	if values == nil {
		values = web.RuleValues(p.InForce)
		values["effective_from"] = today.String()
	} else if preview, perrs := p.InForce.WithParams(filled(values)); len(perrs) == 0 {
		p.Examples, p.Previewing = web.GuardTable(preview), true
	}
	p.Values = values

	book, err := s.store.RuleBook(ctx)
	if err != nil {
		return err
	}
	for _, code := range book.Divisions() {
		pr := web.RuleProfile{DivisionCode: code, DivisionName: names[code]}
		if cur, ok := book.Own(code, today); ok {
			pr.Current = &cur
		}
		for _, v := range book.Versions(code) {
			if v.EffectiveFrom > today {
				pr.Next = &v
				break
			}
		}
		p.Profiles = append(p.Profiles, pr)
	}
	versions, err := s.store.RuleSetVersions(ctx)
	if err != nil {
		return err
	}
	for _, v := range versions {
		cur, _ := book.Own(v.RuleSet.DivisionCode, today)
		p.Versions = append(p.Versions, web.RuleVersion{ID: v.ID, RuleSet: v.RuleSet, DivisionName: names[v.RuleSet.DivisionCode],
			CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.In(s.store.Location()),
			Future: v.RuleSet.EffectiveFrom > today, Current: cur.ID == v.ID})
	}
	p.Base = s.titledBase(c, "rules.title", "admin")
	return render(c, status, web.RulesView(p))
}

// filled turns the typed parameters into the change they make (blank
// ones inherited; ones that do not parse left out).
func filled(values map[string]string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, name := range model.RuleParamNames {
		v := values[name]
		switch {
		case v == "":
		case name == "guard_basis":
			out[name], _ = json.Marshal(v)
		default:
			if json.Valid([]byte(v)) {
				out[name] = json.RawMessage(v)
			}
		}
	}
	return out
}
