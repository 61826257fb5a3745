package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type ruleSetRow struct {
	ID            int64 `gorm:"primaryKey"`
	Name          string
	Version       int
	EffectiveFrom model.Date
	Params        string
	CreatedBy     *int64
	CreatedAt     time.Time
	AppliedAt     *time.Time // when every school's coverage was derived under it
}

func (ruleSetRow) TableName() string { return "rule_sets" }

// ensureDefaultRuleSet stores rule set v1 on a new database.
func (s *Store) ensureDefaultRuleSet(ctx context.Context) error {
	var n int64
	if err := s.w.WithContext(ctx).Model(&ruleSetRow{}).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	rs := model.DefaultRuleSet()
	b, _ := json.Marshal(rs)
	now := s.now().UTC()
	return s.w.WithContext(ctx).Create(&ruleSetRow{Name: rs.Name, Version: rs.Version, EffectiveFrom: rs.EffectiveFrom, Params: string(b),
		CreatedAt: now, AppliedAt: &now}).Error
}

// RuleSet returns the rule set in force today.
func (s *Store) RuleSet(ctx context.Context) (_ model.RuleSet, err error) {
	defer wrap(&err, "rule set")
	return s.ruleSet(s.r.WithContext(ctx))
}

func (s *Store) ruleSet(db *gorm.DB) (model.RuleSet, error) {
	var r ruleSetRow
	err := db.Where("effective_from <= ?", s.Today()).Order("effective_from DESC, id DESC").Take(&r).Error
	if err != nil {
		return model.RuleSet{}, notFound(err)
	}
	var rs model.RuleSet
	if err := json.Unmarshal([]byte(r.Params), &rs); err != nil {
		return rs, err
	}
	rs.Name, rs.Version, rs.EffectiveFrom = r.Name, r.Version, r.EffectiveFrom
	return rs, nil
}

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

func (r ruleSetRow) model() (model.RuleSet, error) {
	var rs model.RuleSet
	if err := json.Unmarshal([]byte(r.Params), &rs); err != nil {
		return rs, fmt.Errorf("rule set %d: %w", r.ID, err)
	}
	rs.Name, rs.Version, rs.EffectiveFrom = r.Name, r.Version, r.EffectiveFrom
	return rs, nil
}

// CreateRuleSet stores new parameters as the next version of the rule set,
// effective from the given day (today or later), audited with the version
// in force as the old value. Effective today, every school's coverage is
// re-derived before the commit.
func (s *Store) CreateRuleSet(ctx context.Context, actor model.User, rs model.RuleSet) (_ model.RuleSet, err error) {
	defer wrap(&err, "create rule set")
	errs := rs.Validate()
	if rs.EffectiveFrom < s.Today() {
		errs = append(model.FieldErrors{{Field: "effective_from", Message: "the effective date " + rs.EffectiveFrom.String() + " is in the past"}}, errs...)
	}
	if len(errs) > 0 {
		return rs, errs
	}
	today := s.Today()
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := s.ruleSet(tx)
		if err != nil {
			return err
		}
		var last ruleSetRow
		if err := tx.Order("version DESC").Take(&last).Error; err != nil {
			return notFound(err)
		}
		rs.Name, rs.Version = last.Name, last.Version+1
		params, _ := json.Marshal(rs)
		row := ruleSetRow{Name: rs.Name, Version: rs.Version, EffectiveFrom: rs.EffectiveFrom, Params: string(params),
			CreatedBy: actorID(actor), CreatedAt: s.now().UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "create", "rule_set", fmt.Sprintf("%s v%d", rs.Name, rs.Version), "", old, rs); err != nil {
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
		return s.audit(tx, actor, "cancel", "rule_set", fmt.Sprintf("%s v%d", rs.Name, rs.Version), "", rs, nil)
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

// applyRuleSets re-derives every school and marks the versions applied.
// The conditional update lets one of two servers doing it at once win.
func (s *Store) applyRuleSets(tx *gorm.DB, ids []int64) error {
	now := s.now().UTC()
	res := tx.Model(&ruleSetApplied{}).Where("id IN ? AND applied_at IS NULL", ids).Update("applied_at", now)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	var schools []int64
	if err := tx.Model(&schoolRow{}).Order("id").Pluck("id", &schools).Error; err != nil {
		return err
	}
	return s.refreshSchools(tx, schools...)
}
