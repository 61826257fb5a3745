package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/web"
)

// showRules is the administrators' rule settings page.
func (s *Server) showRules(c echo.Context) error {
	ctx := c.Request().Context()
	current, err := s.store.RuleSet(ctx)
	if err != nil {
		return err
	}
	values := web.RuleValues(current)
	values["effective_from"] = s.store.Today().String()
	return s.renderRules(c, http.StatusOK, values, nil)
}

// createRuleSet stores new parameters from the stated day. Effective today,
// coverage everywhere reflects them when the page comes back.
func (s *Server) createRuleSet(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	values := map[string]string{}
	var errs model.FieldErrors
	num := func(field string) int {
		v := strings.TrimSpace(c.FormValue(field))
		values[field] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, model.FieldError{Field: field, Message: i18n.T(ctx, "rules.err_number")})
		}
		return n
	}
	rs := model.RuleSet{ValidityDays: num("validity_days"), AlarmTestDays: num("alarm_test_days"), MinRetentionDays: num("min_retention_days"),
		Guards: model.GuardRule{SmallBelow: num("guards.small_below"), SmallGuards: num("guards.small_guards"), MediumGuards: num("guards.medium_guards"),
			LargeFrom: num("guards.large_from"), LargeGuards: num("guards.large_guards"), LargeStep: num("guards.large_step"),
			BoardersPerGuard: num("guards.boarders_per_guard")}}
	values["effective_from"] = strings.TrimSpace(c.FormValue("effective_from"))
	if d, err := model.ParseDate(values["effective_from"]); err != nil {
		errs = append(errs, model.FieldError{Field: "effective_from", Message: i18n.T(ctx, "rules.err_effective_from")})
	} else {
		rs.EffectiveFrom = d
	}
	// Check what parsed as the store will, so every problem shows at once.
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.Field] = true
	}
	for _, e := range rs.Validate() {
		if !bad[e.Field] {
			errs = append(errs, e)
		}
	}
	if !bad["effective_from"] && rs.EffectiveFrom < s.store.Today() {
		errs = append(errs, model.FieldError{Field: "effective_from"})
	}
	if len(errs) == 0 {
		_, err := s.store.CreateRuleSet(ctx, u, rs)
		if err == nil {
			key := "rules_saved_today"
			if rs.EffectiveFrom > s.store.Today() {
				key = "rules_scheduled"
			}
			return s.flash(c, key, "/admin/rules")
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	for i, e := range errs {
		switch {
		case bad[e.Field]:
		case e.Field == "effective_from", e.Field == "validity_days", e.Field == "guards.large_step", e.Field == "guards.large_from":
			errs[i].Message = i18n.T(ctx, "rules.err_"+strings.TrimPrefix(e.Field, "guards."))
		default:
			errs[i].Message = i18n.T(ctx, "rules.err_negative")
		}
	}
	return s.renderRules(c, http.StatusUnprocessableEntity, values, errs)
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

func (s *Server) renderRules(c echo.Context, status int, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	versions, err := s.store.RuleSetVersions(ctx)
	if err != nil {
		return err
	}
	current, err := s.store.RuleSet(ctx)
	if err != nil {
		return err
	}
	today := s.store.Today()
	p := web.RulesPage{Values: values, Errors: errs}
	for _, v := range versions {
		rv := web.RuleVersion{ID: v.ID, RuleSet: v.RuleSet, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.In(s.store.Location()),
			Future: v.RuleSet.EffectiveFrom > today, Current: v.RuleSet.Version == current.Version}
		if rv.Current {
			p.Current = rv
		}
		p.Versions = append(p.Versions, rv)
	}
	for _, e := range [][2]int{{50, 0}, {500, 0}, {999, 0}, {1000, 0}, {1500, 0}, {2400, 0}, {800, 200}, {2000, 600}} {
		p.Examples = append(p.Examples, web.GuardExample{Students: e[0], Boarders: e[1], Guards: current.Guards.Required(e[0], e[1])})
	}
	p.Base = s.base(c, i18n.T(ctx, "rules.title"), "admin")
	return render(c, status, web.RulesView(p))
}
