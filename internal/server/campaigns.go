package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/web"
)

// canLaunch reports whether the user's role may launch campaigns (leaders
// in their scope, admins anywhere).
func canLaunch(u model.User) bool { return u.Role == model.Admin || u.Role == model.Leader }

// checkLaunch refuses a launch outside the user's role or scope (403).
func (s *Server) checkLaunch(ctx context.Context, u model.User, code string) error {
	if !canLaunch(u) {
		return errForbidden
	}
	if code == "" || u.Role == model.Admin {
		return nil
	}
	ok, err := s.canSeeDivision(ctx, u, code)
	if err == nil && !ok {
		err = errForbidden
	}
	return err
}

// listCampaigns is /campaigns: the campaigns within the user's scope and,
// for those who may, the launch form.
func (s *Server) listCampaigns(c echo.Context) error {
	u, _ := currentUser(c)
	today := s.store.Today()
	values := map[string]string{"starts_on": today.String(), "ends_on": today.AddDays(90).String(), "division_code": u.ScopeCode}
	return s.renderCampaigns(c, http.StatusOK, values, nil)
}

func (s *Server) renderCampaigns(c echo.Context, status int, values map[string]string, errs model.FieldErrors) error {
	u, _ := currentUser(c)
	if u.Role != model.Admin && u.Role != model.Leader && u.Role != model.Inspector {
		return errForbidden
	}
	ctx := c.Request().Context()
	under := u.ScopeCode
	if u.Role == model.Admin {
		under = ""
	}
	list, err := s.store.Campaigns(ctx, under)
	if err != nil {
		return err
	}
	p := web.CampaignsPage{Campaigns: list, CanLaunch: canLaunch(u), Values: values, Errors: errs, Today: s.store.Today()}
	if p.CanLaunch {
		if p.Divisions, err = s.divisionChoices(ctx, u); err != nil {
			return err
		}
	}
	p.Base = s.titledBase(c, "campaign.list_title", "campaigns")
	return render(c, status, web.CampaignsView(p))
}

// createCampaign launches a campaign from the form; bad values come back
// beside their fields, a division outside the scope as 403, the values kept.
func (s *Server) createCampaign(c echo.Context) error {
	u, _ := currentUser(c)
	form, err := formParams(c)
	if err != nil {
		return err
	}
	in, values, errs := parseCampaignForm(form, s.store.Today())
	ctx := c.Request().Context()
	if err := s.checkLaunch(ctx, u, in.DivisionCode); err != nil {
		if !errors.Is(err, errForbidden) || !canLaunch(u) {
			return err
		}
		errs = append(errs, model.FieldError{Field: "division_code", Message: i18n.T(ctx, "campaign.err_scope")})
		return s.renderCampaigns(c, http.StatusForbidden, values, errs)
	}
	if len(errs) == 0 {
		camp, err := s.store.CreateCampaign(ctx, u, in)
		if err == nil {
			return s.flash(c, "campaign_launched", web.CampaignURL(camp.ID))
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderCampaigns(c, http.StatusUnprocessableEntity, values, localizeErrors(ctx, "campaign.err_", errs))
}

// parseCampaignForm reads the launch form: dates and targets that do not
// parse are field errors; the rest is the store's to validate.
func parseCampaignForm(form url.Values, today model.Date) (model.CampaignInput, map[string]string, model.FieldErrors) {
	names := []string{"name", "division_code", "starts_on", "ends_on"}
	for _, k := range model.TargetKeys {
		names = append(names, "target."+string(k))
	}
	values := trimmedValues(form, names...)
	get := func(k string) string { return values[k] }
	var errs model.FieldErrors
	date := func(k string) model.Date { return formDate(values, k, &errs) }
	in := model.CampaignInput{Name: get("name"), DivisionCode: get("division_code"), StartsOn: date("starts_on"), EndsOn: date("ends_on")}
	for i, k := range model.TargetKeys {
		field := "target." + string(k)
		v := get(field)
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		t, ok := model.TargetOf(f)
		if err != nil || !ok {
			errs = append(errs, model.FieldError{Field: field, Message: fmt.Sprintf("target %s must be a percentage from 0 to 100", v)})
			continue
		}
		in.Targets[i] = t
	}
	return in, values, append(errs, in.Validate(today)...)
}

// visibleCampaign loads the campaign in the URL and its division, and
// checks the user may see that division.
func (s *Server) visibleCampaign(c echo.Context) (model.Campaign, model.Division, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.Campaign{}, model.Division{}, err
	}
	ctx := c.Request().Context()
	camp, err := s.store.Campaign(ctx, id)
	if err != nil {
		return camp, model.Division{}, err
	}
	ok, err := s.canSeeDivision(ctx, u, camp.DivisionCode)
	if err == nil && !ok {
		err = errForbidden
	}
	if err != nil {
		return camp, model.Division{}, err
	}
	d, err := s.store.Division(ctx, camp.DivisionCode)
	return camp, d, err
}

// campaignView is a campaign's progress as of a day (?as_of=, default
// its last day or today, whichever is first).
type campaignView struct {
	campaign model.Campaign
	asOf     model.Date
	progress model.Report // activity over the campaign up to asOf; End = coverage as of asOf
	ledger   []model.LedgerEntry
}

func (s *Server) campaignOf(c echo.Context) (campaignView, error) {
	var v campaignView
	camp, d, err := s.visibleCampaign(c)
	if err != nil {
		return v, err
	}
	today := s.store.Today()
	v.campaign = camp
	if v.asOf, err = asOfParam(c, today); err != nil {
		return v, err
	}
	if c.QueryParam("as_of") == "" {
		v.asOf = min(today, camp.EndsOn)
	}
	ctx := c.Request().Context()
	children, err := s.store.Children(ctx, d.Code)
	if err != nil {
		return v, err
	}
	from, to := camp.StartsOn, min(v.asOf, camp.EndsOn)
	if to < from {
		// Not started by then: coverage as of the day, nothing counted.
		from, to = v.asOf, v.asOf
	}
	if v.progress, err = s.store.Report(ctx, d, children, from, to); err != nil {
		return v, err
	}
	if to != v.asOf || from != camp.StartsOn {
		if err := s.progressAsOf(ctx, &v.progress, v.asOf, from != camp.StartsOn); err != nil {
			return v, err
		}
	}
	v.ledger, err = s.store.CampaignLedger(ctx, camp, v.asOf)
	return v, err
}

// progressAsOf sets the report's end coverage to the day asOf (after the
// campaign's end), and with none clears the activity of a campaign not
// yet started; then ranks the children again.
func (s *Server) progressAsOf(ctx context.Context, rep *model.Report, asOf model.Date, none bool) error {
	codes := []string{rep.Division.Code}
	for _, ch := range rep.Children {
		codes = append(codes, ch.Division.Code)
	}
	counts, err := s.store.Coverage(ctx, codes, model.BasisVerified, asOf)
	if err != nil {
		return err
	}
	clear := func(f *model.ReportFigures, code string) {
		if none {
			*f = model.ReportFigures{Start: counts[code]}
		}
		f.End = counts[code]
	}
	clear(&rep.ReportFigures, rep.Division.Code)
	for i := range rep.Children {
		clear(&rep.Children[i].ReportFigures, rep.Children[i].Division.Code)
	}
	model.RankRows(rep.Children)
	return nil
}

// showCampaign is /campaigns/{id}: progress against the targets per measure
// and per child, the trend since the start, and the ledger. Printed, it is
// the 通报 ranking the children.
func (s *Server) showCampaign(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := web.CampaignPage{Campaign: v.campaign, AsOf: v.asOf, Progress: v.progress, Ledger: v.ledger, Summary: model.Summarize(v.ledger)}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, v.campaign.DivisionCode); err != nil {
		return err
	}
	if p.Trend, err = s.trendOn(ctx, v.progress.Division, nil, campaignDays(v.campaign.StartsOn.AddDays(-1), v.asOf)); err != nil {
		return err
	}
	p.Base = s.base(c, v.campaign.Name, "campaigns")
	return render(c, http.StatusOK, web.CampaignView(p))
}

// campaignDays are the trend's days: the day before the start, then up to
// seven more evenly spaced to asOf.
func campaignDays(start, asOf model.Date) []model.Date {
	if asOf <= start {
		return []model.Date{asOf}
	}
	n := min(7, asOf.DaysSince(start))
	days := make([]model.Date, 0, n+1)
	for k := 0; k <= n; k++ {
		days = append(days, start.AddDays(asOf.DaysSince(start)*k/n))
	}
	return days
}
