package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type campaignRow struct {
	ID                     int64 `gorm:"primaryKey"`
	Name                   string
	DivisionCode           string
	StartsOn               model.Date
	EndsOn                 model.Date
	TargetNursingPost      *int
	TargetClosedManagement *int
	TargetSecurityGuards   *int
	TargetOneButtonAlarm   *int
	TargetVideoNetworking  *int
	TargetAllFive          *int
	CreatedBy              string
	CreatedAt              time.Time
}

func (campaignRow) TableName() string { return "campaigns" }

// targets are the row's target columns in model.TargetKeys order.
func (r *campaignRow) targets() [6]**int {
	return [6]**int{&r.TargetNursingPost, &r.TargetClosedManagement, &r.TargetSecurityGuards,
		&r.TargetOneButtonAlarm, &r.TargetVideoNetworking, &r.TargetAllFive}
}

func (r campaignRow) model() model.Campaign {
	c := model.Campaign{ID: r.ID, Name: r.Name, DivisionCode: r.DivisionCode, StartsOn: r.StartsOn, EndsOn: r.EndsOn,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	for i, t := range r.targets() {
		if *t != nil {
			c.Targets[i] = model.Percent{Tenths: **t, Valid: true}
		}
	}
	return c
}

// CreateCampaign launches a campaign. Bad fields and an unknown division
// come back as model.FieldErrors; the caller checks the user's scope.
func (s *Store) CreateCampaign(ctx context.Context, actor model.User, in model.CampaignInput) (_ model.Campaign, err error) {
	defer wrap(&err, "launch campaign %q", in.Name)
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.Campaign{}, errs
	}
	row := campaignRow{Name: strings.TrimSpace(in.Name), DivisionCode: in.DivisionCode, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		CreatedBy: actor.Username, CreatedAt: s.now().UTC()}
	for i, t := range row.targets() {
		if in.Targets[i].Valid {
			v := in.Targets[i].Tenths
			*t = &v
		}
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&divisionRow{}).Where("code = ?", in.DivisionCode).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return model.FieldErrors{{Field: "division_code", Message: fmt.Sprintf("division %q does not exist", in.DivisionCode)}}
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "campaign", itoa(row.ID), row.DivisionCode, nil, map[string]any{
			"name": row.Name, "starts_on": row.StartsOn, "ends_on": row.EndsOn, "targets": row.model().Targets})
	})
	return row.model(), err
}

// Campaign returns one campaign.
func (s *Store) Campaign(ctx context.Context, id int64) (_ model.Campaign, err error) {
	defer wrap(&err, "campaign %d", id)
	var r campaignRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Campaign{}, notFound(err)
	}
	return r.model(), nil
}

// Campaigns lists the campaigns over divisions within under ("" = all),
// the latest first.
func (s *Store) Campaigns(ctx context.Context, under string) (_ []model.Campaign, err error) {
	defer wrap(&err, "campaigns within %q", under)
	q := s.r.WithContext(ctx).Model(&campaignRow{})
	if under != "" {
		q = q.Where("division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", under)
	}
	var rows []campaignRow
	if err := q.Order("starts_on DESC, id DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	return campaignModels(rows), nil
}

// RunningCampaigns lists the campaigns over the division under way on day.
func (s *Store) RunningCampaigns(ctx context.Context, code string, day model.Date) (_ []model.Campaign, err error) {
	defer wrap(&err, "running campaigns of %q", code)
	var rows []campaignRow
	if err := s.r.WithContext(ctx).Where("division_code = ? AND starts_on <= ? AND ends_on >= ?", code, day, day).
		Order("ends_on, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return campaignModels(rows), nil
}

func campaignModels(rows []campaignRow) []model.Campaign {
	out := make([]model.Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out
}

// CampaignLedger is the campaign's ledger (台账) as of asOf: every
// (school, measure) not covered on the verified basis the day before the
// campaign starts, and every one that stopped being covered during it up to
// asOf, each with the day it was covered again. It replays the history of
// each school in the campaign's division, with the one derivation the
// rebuild uses, so its cost follows the schools of that division and their
// records. Before the campaign starts the ledger is empty.
func (s *Store) CampaignLedger(ctx context.Context, c model.Campaign, asOf model.Date) (_ []model.LedgerEntry, err error) {
	defer wrap(&err, "ledger of campaign %d", c.ID)
	start := c.StartsOn.AddDays(-1)
	end := min(asOf, c.EndsOn)
	if end < start {
		return nil, nil
	}
	db := s.r.WithContext(ctx)
	rules, err := ruleBook(db)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := db.Model(&schoolRow{}).Where("division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", c.DivisionCode).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	var out []model.LedgerEntry
	ancestors := map[string][]string{}
	for from := 0; from < len(ids); from += refreshBatch {
		schools, hist, err := s.loadHistories(db, ids[from:min(from+refreshBatch, len(ids))], ancestors)
		if err != nil {
			return nil, err
		}
		for _, sr := range schools {
			t, err := s.timeline(hist[sr.ID], rules, ancestors[sr.DivisionCode])
			if err != nil {
				return nil, err
			}
			out = append(out, t.ledger(sr.model(), start, end)...)
		}
	}
	return out, nil
}

// timeline is a school's verified coverage row after each day of its
// history, in order.
type timeline struct {
	days []model.Date
	rows []schoolCoverageRow
}

func (s *Store) timeline(h *schoolHistory, rules model.RuleBook, path []string) (timeline, error) {
	var t timeline
	for _, d := range s.historyDays(h, rules) {
		in, err := s.inputsOn(h, rules, path, d)
		if err != nil {
			return t, err
		}
		for _, r := range (ledger{}).derive(in, d, nil, nil) {
			if r.Basis == string(model.BasisVerified) {
				t.days, t.rows = append(t.days, d), append(t.rows, r)
			}
		}
	}
	return t, nil
}

// state is whether the school is active and which measures are covered at
// the end of day x.
func (t timeline) state(x model.Date) (active bool, covered [5]bool) {
	k := sort.Search(len(t.days), func(i int) bool { return t.days[i] > x }) - 1
	if k < 0 || !t.rows[k].Active {
		return false, covered
	}
	u := t.rows[k].until()
	for i := range covered {
		covered[i] = u[i+1] != nil && *u[i+1] >= x
	}
	return true, covered
}

// ledger walks the days on which the school's coverage can change, from
// start (the day before the campaign) to end.
func (t timeline) ledger(school model.School, start, end model.Date) []model.LedgerEntry {
	changes := map[model.Date]bool{}
	for k, d := range t.days {
		if d > start && d <= end {
			changes[d] = true
		}
		for _, u := range t.rows[k].until() {
			if u != nil && *u >= start && *u < end {
				changes[u.AddDays(1)] = true // the first day after coverage lapses
			}
		}
	}
	days := make([]model.Date, 0, len(changes))
	for d := range changes {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	var out []model.LedgerEntry
	open := [5]int{-1, -1, -1, -1, -1} // index in out of each measure's open entry
	active, covered := t.state(start)
	if active {
		for i, ok := range covered {
			if !ok {
				open[i] = len(out)
				out = append(out, model.LedgerEntry{School: school, Measure: model.Measures[i], AtStart: true, OpenedOn: start})
			}
		}
	}
	for _, d := range days {
		active, covered := t.state(d)
		if !active {
			continue
		}
		for i, ok := range covered {
			switch {
			case ok && open[i] >= 0:
				closed := d
				out[open[i]].ClosedOn = &closed
				open[i] = -1
			case !ok && open[i] < 0:
				open[i] = len(out)
				out = append(out, model.LedgerEntry{School: school, Measure: model.Measures[i], OpenedOn: d})
			}
		}
	}
	return out
}
