package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// RebuildCoverage throws the coverage aggregates away and derives them
// again from the raw records by replaying history school by school: the
// checklists (submitted, reviewed), the hazards (raised, closed), the rule
// sets (effective from) and the audit trail of each school (created,
// enrolment changed, closed, reopened). It is the check on the incremental
// ledger, and the repair if it ever drifted. It recounts the period
// report's activity counters (activity.go) from the same records, and the
// inspections. It runs in one transaction.
//
// Incremental writes and the replay agree exactly, except for a rule set
// dated in the future: the replay applies it on its effective day, the
// incremental ledger when the server's maintenance applies it (hourly).
func (s *Store) RebuildCoverage(ctx context.Context) (err error) {
	defer wrap(&err, "rebuild coverage")
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, table := range []string{"coverage_checkpoints", "coverage_checkpoint_days", "coverage_deltas", "school_coverage", "activity_counts"} {
			if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
				return err
			}
		}
		rules, err := ruleBook(tx)
		if err != nil {
			return err
		}
		var ids []int64
		if err := tx.Model(&schoolRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		// The ledger gathers the changes of many batches (the same divisions
		// and days recur in each) and is written when it grows large.
		paths, l := map[string][]string{}, ledger{}
		for start := 0; start < len(ids); start += refreshBatch {
			if err := s.replayBatch(tx, ids[start:min(start+refreshBatch, len(ids))], rules, paths, l); err != nil {
				return err
			}
			if len(l) >= rebuildLedgerKeys {
				if err := s.writeLedger(tx, l); err != nil {
					return err
				}
				clear(l)
			}
		}
		return s.writeLedger(tx, l)
	})
}

// schoolHistory is what the replay knows of one school.
type schoolHistory struct {
	current    schoolRow
	versions   []schoolVersion // from the audit trail, in order
	checklists []checklistRow
	hazards    []hazardRow
}

type schoolVersion struct {
	at     time.Time
	school *model.School // nil: only the active flag changed
	active *bool
}

// rebuildLedgerKeys is how many ledger rows a rebuild gathers before it
// writes them.
const rebuildLedgerKeys = 200_000

func (s *Store) replayBatch(tx *gorm.DB, ids []int64, rules model.RuleBook, ancestors map[string][]string, l ledger) error {
	schools, hist, err := s.loadHistories(tx, ids, ancestors)
	if err != nil {
		return err
	}
	rows := make([]schoolCoverageRow, 0, len(model.Bases)*len(ids))
	for _, sr := range schools {
		final, err := s.replaySchool(hist[sr.ID], rules, ancestors[sr.DivisionCode], l)
		if err != nil {
			return err
		}
		rows = append(rows, final...)
	}
	if err := s.writeCoverage(tx, rows); err != nil {
		return err
	}
	return s.recountActivity(tx, ids, hist)
}

// loadHistories reads what the replay needs of the schools with the given
// ids: the schools and each one's history; the paths of their divisions are
// added to paths.
func (s *Store) loadHistories(tx *gorm.DB, ids []int64, paths map[string][]string) ([]schoolRow, map[int64]*schoolHistory, error) {
	schools, err := s.schoolsWithAncestors(tx, ids, paths)
	if err != nil {
		return nil, nil, err
	}
	hist := map[int64]*schoolHistory{}
	codes := make([]string, len(schools))
	byCode := map[string]*schoolHistory{}
	for i, sr := range schools {
		h := &schoolHistory{current: sr}
		hist[sr.ID], byCode[sr.Code] = h, h
		codes[i] = sr.Code
	}
	var audits []auditRow
	if err := tx.Where("entity = ? AND entity_id IN ?", "school", codes).Order("at, id").Find(&audits).Error; err != nil {
		return nil, nil, err
	}
	for _, a := range audits {
		v, ok, err := schoolVersionOf(a)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			byCode[a.EntityID].versions = append(byCode[a.EntityID].versions, v)
		}
	}
	var checklists []checklistRow
	if err := tx.Where("school_id IN ? AND state <> ?", ids, string(model.Draft)).Order("id").Find(&checklists).Error; err != nil {
		return nil, nil, err
	}
	for _, c := range checklists {
		hist[c.SchoolID].checklists = append(hist[c.SchoolID].checklists, c)
	}
	var hazards []hazardRow
	if err := tx.Where("school_id IN ?", ids).Order("id").Find(&hazards).Error; err != nil {
		return nil, nil, err
	}
	for _, h := range hazards {
		hist[h.SchoolID].hazards = append(hist[h.SchoolID].hazards, h)
	}
	return schools, hist, nil
}

// schoolVersionOf reads a school's audit entry as a version of the school;
// ok is false for entries that do not change it.
func schoolVersionOf(a auditRow) (v schoolVersion, ok bool, err error) {
	v.at = a.At
	switch a.Action {
	case "create", "update", "import":
		var rec schoolRecord
		if err := json.Unmarshal([]byte(a.NewValue), &rec); err != nil {
			return v, false, fmt.Errorf("audit %d: %w", a.ID, err)
		}
		m := rec.model()
		v.school = &m
	case "activate", "deactivate":
		active := a.Action == "activate"
		v.active = &active
	default:
		return v, false, nil
	}
	return v, true, nil
}

// replaySchool walks one school's history day by day, adding each day's
// change of contribution to the ledger under ancestors, and returns its
// final coverage rows.
func (s *Store) replaySchool(h *schoolHistory, rules model.RuleBook, ancestors []string, l ledger) ([]schoolCoverageRow, error) {
	prev := map[model.Basis]*schoolCoverageRow{}
	var rows []schoolCoverageRow
	for _, d := range s.historyDays(h, rules) {
		in, err := s.inputsOn(h, rules, ancestors, d)
		if err != nil {
			return nil, err
		}
		rows = l.derive(in, d, prev, ancestors)
		for i := range rows {
			prev[model.Basis(rows[i].Basis)] = &rows[i]
		}
	}
	return rows, nil
}

// historyDays are the days, in order, on which anything in the school's
// history happened, from the day it was created.
func (s *Store) historyDays(h *schoolHistory, rules model.RuleBook) []model.Date {
	day := func(t time.Time) model.Date { return model.DateOf(t.In(s.loc)) }
	first := day(h.current.CreatedAt)
	days := map[model.Date]bool{first: true}
	for _, v := range h.versions {
		days[day(v.at)] = true
	}
	for _, c := range h.checklists {
		if c.SubmittedAt != nil {
			days[day(*c.SubmittedAt)] = true
		}
		if c.ReviewedAt != nil {
			days[day(*c.ReviewedAt)] = true
		}
	}
	for _, hz := range h.hazards {
		days[day(hz.RaisedAt)] = true
		if hz.ClosedAt != nil {
			days[day(*hz.ClosedAt)] = true
		}
	}
	for _, d := range rules.Days() {
		if d > first {
			days[d] = true
		}
	}
	order := make([]model.Date, 0, len(days))
	for d := range days {
		if d >= first {
			order = append(order, d)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	return order
}

// inputsOn is what the school's coverage derived from at the end of day d,
// as its history tells it, under the rules in force that day for a school
// on path.
func (s *Store) inputsOn(h *schoolHistory, rules model.RuleBook, path []string, d model.Date) (coverageInputs, error) {
	end := d.AddDays(1).Time(s.loc) // the end of day d
	// Versions carry the whole school, active flag included.
	school := h.current.model()
	for _, v := range h.versions {
		if !v.at.Before(end) {
			break
		}
		if v.school != nil {
			school = *v.school
			school.ID = h.current.ID
		}
		if v.active != nil {
			school.Active = *v.active
		}
	}
	rs, ok := rules.InForce(path, d) // path: the school's divisions, nearest first
	if !ok {
		return coverageInputs{}, fmt.Errorf("no rule set in force on %s", d)
	}
	open := map[model.Measure]int64{}
	for _, hz := range h.hazards {
		if hz.RaisedAt.Before(end) && (hz.ClosedAt == nil || !hz.ClosedAt.Before(end)) {
			if _, seen := open[model.Measure(hz.Measure)]; !seen {
				open[model.Measure(hz.Measure)] = hz.ID
			}
		}
	}
	latest := make(map[model.Basis]*model.Checklist, len(model.Bases))
	for _, basis := range model.Bases {
		c, err := latestOn(h.checklists, basis, end)
		if err != nil {
			return coverageInputs{}, err
		}
		latest[basis] = c
	}
	return coverageInputs{school: school, rules: rs, latest: latest, open: open}, nil
}

// latestOn is the checklist that counted on the basis at instant end.
func latestOn(checklists []checklistRow, basis model.Basis, end time.Time) (*model.Checklist, error) {
	var best *checklistRow
	for i := range checklists {
		c := &checklists[i]
		reviewed := c.ReviewedAt != nil && c.ReviewedAt.Before(end)
		var counts bool
		switch basis {
		case model.BasisVerified:
			counts = c.State == string(model.Verified) && reviewed
		case model.BasisReported:
			submitted := c.SubmittedAt != nil && c.SubmittedAt.Before(end)
			counts = submitted && !(c.State == string(model.Returned) && reviewed)
		}
		if !counts {
			continue
		}
		if best == nil || c.CheckedOn > best.CheckedOn || (c.CheckedOn == best.CheckedOn && c.ID > best.ID) {
			best = c
		}
	}
	if best == nil {
		return nil, nil
	}
	m, err := best.model()
	return &m, err
}
