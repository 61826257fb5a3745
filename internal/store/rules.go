package store

import (
	"context"
	"encoding/json"
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
