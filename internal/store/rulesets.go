package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// A change of the rule set's parameters is a new version with the day it
// takes effect (today or later). One effective today re-derives every
// school in the same transaction, so coverage everywhere reflects it when
// the change is acknowledged; one dated later is applied by
// ApplyDueRuleSets, which the server runs at start-up and every hour.

// ruleSetApplied marks when a version was applied to the coverage.
type ruleSetApplied struct {
	ID        int64 `gorm:"primaryKey"`
	AppliedAt *time.Time
}

func (ruleSetApplied) TableName() string { return "rule_sets" }

// RuleSetVersion is a stored rule set with its history.
type RuleSetVersion struct {
	ID        int64
	RuleSet   model.RuleSet
	CreatedBy string // username; "" for the built-in default
	CreatedAt time.Time
	Applied   bool // already applied to every school's coverage
}

// RuleSetVersions returns every version, the latest effective first.
func (s *Store) RuleSetVersions(ctx context.Context) (_ []RuleSetVersion, err error) {
	defer wrap(&err, "rule set versions")
	db := s.r.WithContext(ctx)
	var rows []ruleSetRow
	if err := db.Order("effective_from DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	var creators []int64
	for _, r := range rows {
		if r.CreatedBy != nil {
			creators = append(creators, *r.CreatedBy)
		}
	}
	names := map[int64]string{}
	if len(creators) > 0 {
		var users []userRow
		if err := db.Select("id, username").Where("id IN ?", uniqueIDs(creators)).Find(&users).Error; err != nil {
			return nil, err
		}
		for _, u := range users {
			names[u.ID] = u.Username
		}
	}
	out := make([]RuleSetVersion, len(rows))
	for i, r := range rows {
		rs, err := r.model()
		if err != nil {
			return nil, err
		}
		out[i] = RuleSetVersion{ID: r.ID, RuleSet: rs, CreatedAt: r.CreatedAt, Applied: r.AppliedAt != nil}
		if r.CreatedBy != nil {
			out[i].CreatedBy = names[*r.CreatedBy]
		}
	}
	return out, nil
}

// CreateRuleSet stores a new version for the change's division ("" = the
// national default), effective from its day (today or later). A partial
// parameter set is completed from the rules in force for that division on
// that day: its own previous version, or the rules it inherited from its
// nearest ancestor. Audited with those rules as the old value. Effective
// today, every school the version now judges is re-derived before the
// commit; later, from that day (ApplyDueRuleSets).
func (s *Store) CreateRuleSet(ctx context.Context, actor model.User, change model.RuleChange) (_ model.RuleSet, err error) {
	defer wrap(&err, "create rule set")
	today := s.Today()
	var errs model.FieldErrors
	if change.EffectiveFrom < today {
		errs = append(errs, model.FieldError{Field: "effective_from", Message: "the effective date " + change.EffectiveFrom.String() + " is in the past"})
	}
	var rs model.RuleSet
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		base, err := rulesFor(tx, change.DivisionCode, change.EffectiveFrom)
		if errors.Is(err, ErrNotFound) && change.DivisionCode != "" {
			errs = append(errs, model.FieldError{Field: "division_code", Message: "unknown division " + change.DivisionCode})
			return errs
		}
		if err != nil {
			return err
		}
		var perrs model.FieldErrors
		rs, perrs = base.WithParams(change.Params)
		if errs = append(errs, perrs...); len(errs) > 0 {
			return errs
		}
		var last int
		if err := tx.Model(&ruleSetRow{}).Select("COALESCE(MAX(version), 0)").Scan(&last).Error; err != nil {
			return fmt.Errorf("store: unable to number the rule set: %w", err)
		}
		rs.Name, rs.Version, rs.EffectiveFrom, rs.DivisionCode = "default", last+1, change.EffectiveFrom, change.DivisionCode
		if rs.DivisionCode != "" {
			rs.Name = rs.DivisionCode
		}
		params, _ := json.Marshal(rs)
		row := ruleSetRow{Name: rs.Name, Version: rs.Version, EffectiveFrom: rs.EffectiveFrom, Params: string(params),
			CreatedBy: actorID(actor), CreatedAt: s.now().UTC()}
		if rs.DivisionCode != "" {
			row.DivisionCode = &rs.DivisionCode
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: unable to store the rule set: %w", err)
		}
		rs.ID = row.ID
		if err := s.audit(tx, actor, "create", "rule_set", fmt.Sprintf("%s v%d", rs.Name, rs.Version), rs.DivisionCode,
			base.Params(), rs.Params()); err != nil {
			return err
		}
		if rs.EffectiveFrom > today {
			return nil
		}
		return s.applyRuleSets(tx, []int64{row.ID})
	})
	return rs, err
}

// CancelRuleSet deletes a version that has not taken effect yet.
func (s *Store) CancelRuleSet(ctx context.Context, actor model.User, id int64) (err error) {
	defer wrap(&err, "cancel rule set %d", id)
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row ruleSetRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		if row.EffectiveFrom <= s.Today() {
			return ErrConflict
		}
		rs, err := row.model()
		if err != nil {
			return err
		}
		if err := tx.Delete(&ruleSetRow{}, id).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "cancel", "rule_set", fmt.Sprintf("%s v%d", rs.Name, rs.Version), rs.DivisionCode, rs.Params(), nil)
	})
}

// ApplyDueRuleSets applies the versions whose day has come: every school's
// coverage is re-derived under the rule set now in force. It is cheap when
// there is none, and safe to run on several servers at once.
func (s *Store) ApplyDueRuleSets(ctx context.Context) (_ bool, err error) {
	defer wrap(&err, "apply due rule sets")
	var due []int64
	err = s.r.WithContext(ctx).Model(&ruleSetRow{}).Where("applied_at IS NULL AND effective_from <= ?", s.Today()).
		Pluck("id", &due).Error
	if err != nil || len(due) == 0 {
		return false, err
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.applyRuleSets(tx, due)
	})
	return err == nil, err
}

// applyRuleSets re-derives the schools the versions now judge (only
// those: a school under a nearer profile keeps its rules) and marks the
// versions applied. The conditional update lets one of two servers doing it
// at once win.
func (s *Store) applyRuleSets(tx *gorm.DB, ids []int64) error {
	now := s.now().UTC()
	res := tx.Model(&ruleSetApplied{}).Where("id IN ? AND applied_at IS NULL", ids).Update("applied_at", now)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	schools, err := s.judgedBy(tx, ids)
	if err != nil {
		return err
	}
	return s.refreshSchools(tx, schools...)
}

// judgedBy returns the schools that one of the versions judges today.
func (s *Store) judgedBy(tx *gorm.DB, ids []int64) ([]int64, error) {
	var rows []ruleSetRow
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load rule sets: %w", err)
	}
	national, under := false, map[string]bool{}
	for _, r := range rows {
		if r.DivisionCode == nil {
			national = true
		} else {
			under[*r.DivisionCode] = true
		}
	}
	var schools []struct {
		ID           int64
		DivisionCode string
	}
	q := tx.Model(&schoolRow{}).Select("id, division_code").Order("id")
	if !national {
		if len(under) == 0 {
			return nil, nil
		}
		q = q.Where("division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code IN ?)", keys(under))
	}
	if err := q.Scan(&schools).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the schools under the rule sets: %w", err)
	}
	counties := map[string]bool{}
	for _, sc := range schools {
		counties[sc.DivisionCode] = true
	}
	var closure []closureRow
	if err := tx.Where("descendant_code IN ?", keys(counties)).Find(&closure).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load division paths: %w", err)
	}
	paths := pathsOf(closure)
	book, err := ruleBook(tx)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	today := s.Today()
	var out []int64
	for _, sc := range schools {
		if rs, ok := book.InForce(paths[sc.DivisionCode], today); ok && want[rs.ID] {
			out = append(out, sc.ID)
		}
	}
	return out, nil
}
