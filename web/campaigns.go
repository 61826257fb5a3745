package web

import (
	"net/url"
	"strconv"

	"safecampus/internal/model"
)

// CampaignsPage is the list of campaigns in the user's scope and the
// launch form (Values and Errors: the form as sent, re-shown on error).
type CampaignsPage struct {
	Base
	Campaigns []model.Campaign
	CanLaunch bool
	Divisions []model.Division // the launch form's choices
	Values    map[string]string
	Errors    model.FieldErrors
	Today     model.Date
}

// CampaignPage is one campaign as of a day: progress against its targets
// for its division and each child (ranked), what was done in it, the trend
// since the day before it started, and its ledger.
type CampaignPage struct {
	Base
	Campaign   model.Campaign
	Breadcrumb []model.Division
	AsOf       model.Date
	Progress   model.Report
	Trend      Trend
	Ledger     []model.LedgerEntry
	Summary    model.LedgerSummary
}

// CampaignURL is a campaign's page.
func CampaignURL(id int64) string { return "/campaigns/" + strconv.FormatInt(id, 10) }

// campaignExportURL is the campaign's ledger export as of the day.
func campaignExportURL(id int64, format string, asOf model.Date) string {
	return WithQuery(CampaignURL(id)+"/ledger."+format, url.Values{"as_of": {asOf.String()}})
}

// ledgerShown bounds the ledger rows on the page; the export has them all.
const ledgerShown = 50

func shownLedger(entries []model.LedgerEntry) []model.LedgerEntry {
	return entries[:min(len(entries), ledgerShown)]
}

// campaignState is "running", "upcoming" or "finished" on day.
func campaignState(c model.Campaign, day model.Date) string {
	switch {
	case day < c.StartsOn:
		return "upcoming"
	case day > c.EndsOn:
		return "finished"
	}
	return "running"
}

// targetCell is one measure's progress: its share, target and whether met.
type targetCell struct {
	Key     model.Measure
	Share   model.Percent
	Covered int
	Target  model.Percent
}

func targetCells(c model.Counts, t model.Targets) []targetCell {
	out := make([]targetCell, 0, len(model.TargetKeys))
	for i, k := range model.TargetKeys {
		share, covered := c.AllFivePercent(), c.AllFive
		if i < len(model.Measures) {
			share, covered = c.Percent(i), c.Measures[i]
		}
		out = append(out, targetCell{Key: k, Share: share, Covered: covered, Target: t[i]})
	}
	return out
}
