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

type ruleSetRow struct {
	ID            int64 `gorm:"primaryKey"`
	Name          string
	Version       int
	DivisionCode  *string // nil: the national default
	EffectiveFrom model.Date
	Params        string
	CreatedBy     *int64
	CreatedAt     time.Time
	AppliedAt     *time.Time // when every school's coverage was derived under it
}

func (ruleSetRow) TableName() string { return "rule_sets" }

func (r ruleSetRow) model() (model.RuleSet, error) {
	rs, err := model.DecodeRuleSet([]byte(r.Params))
	if err != nil {
		return rs, fmt.Errorf("store: rule set %d: %w", r.ID, err)
	}
	rs.ID, rs.Name, rs.Version, rs.EffectiveFrom = r.ID, r.Name, r.Version, r.EffectiveFrom
	rs.DivisionCode = ptrString(r.DivisionCode)
	return rs, nil
}

// ensureDefaultRuleSet stores rule set v2 on a new database. A database
// that already holds versions keeps them.
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

// ruleBook loads every stored version.
func ruleBook(db *gorm.DB) (model.RuleBook, error) {
	var rows []ruleSetRow
	if err := db.Order("effective_from, id").Find(&rows).Error; err != nil {
		return model.RuleBook{}, fmt.Errorf("store: unable to load rule sets: %w", err)
	}
	all := make([]model.RuleSet, len(rows))
	for i, r := range rows {
		rs, err := r.model()
		if err != nil {
			return model.RuleBook{}, err
		}
		all[i] = rs
	}
	return model.NewRuleBook(all), nil
}

// RuleBook returns every stored version, for the rules page.
func (s *Store) RuleBook(ctx context.Context) (model.RuleBook, error) {
	return ruleBook(s.r.WithContext(ctx))
}

// pathsOf orders each division's ancestors (itself included) nearest
// first, as model.RuleBook.InForce takes them.
func pathsOf(closure []closureRow) map[string][]string {
	sort.SliceStable(closure, func(i, j int) bool { return closure[i].Depth < closure[j].Depth })
	out := map[string][]string{}
	for _, c := range closure {
		out[c.DescendantCode] = append(out[c.DescendantCode], c.AncestorCode)
	}
	return out
}

// divisionPath is one division's path, itself first; nil for "" (national).
func divisionPath(db *gorm.DB, code string) ([]string, error) {
	if code == "" {
		return nil, nil
	}
	var closure []closureRow
	if err := db.Where("descendant_code = ?", code).Find(&closure).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load the path of %s: %w", code, err)
	}
	if len(closure) == 0 {
		return nil, ErrNotFound
	}
	return pathsOf(closure)[code], nil
}

// RuleSet returns the national default in force today.
func (s *Store) RuleSet(ctx context.Context) (_ model.RuleSet, err error) {
	defer wrap(&err, "rule set")
	return s.RulesFor(ctx, "", s.Today())
}

// RulesFor returns the rule set that judges a school of the division on
// day d; its DivisionCode names the division it comes from ("" = the
// national default). ErrNotFound for an unknown division.
func (s *Store) RulesFor(ctx context.Context, division string, d model.Date) (_ model.RuleSet, err error) {
	defer wrap(&err, "rules for %q on %s", division, d)
	return rulesFor(s.r.WithContext(ctx), division, d)
}

func rulesFor(db *gorm.DB, division string, d model.Date) (model.RuleSet, error) {
	path, err := divisionPath(db, division)
	if err != nil {
		return model.RuleSet{}, err
	}
	book, err := ruleBook(db)
	if err != nil {
		return model.RuleSet{}, err
	}
	rs, ok := book.InForce(path, d)
	if !ok {
		return rs, fmt.Errorf("store: no rule set in force on %s: %w", d, ErrNotFound)
	}
	return rs, nil
}

// SchoolRules returns the rule set judging the school today.
func (s *Store) SchoolRules(ctx context.Context, school model.School) (model.RuleSet, error) {
	return s.RulesFor(ctx, school.DivisionCode, s.Today())
}

// RulesToday returns the rule set judging today the schools of each given
// division, in two queries whatever their number (the review queue).
func (s *Store) RulesToday(ctx context.Context, divisions []string) (map[string]model.RuleSet, error) {
	db := s.r.WithContext(ctx)
	book, err := ruleBook(db)
	if err != nil {
		return nil, err
	}
	var closure []closureRow
	if len(divisions) > 0 {
		if err := db.Where("descendant_code IN ?", divisions).Find(&closure).Error; err != nil {
			return nil, fmt.Errorf("store: unable to load division paths: %w", err)
		}
	}
	paths, today := pathsOf(closure), s.Today()
	out := make(map[string]model.RuleSet, len(divisions))
	for _, d := range divisions {
		rs, ok := book.InForce(paths[d], today)
		if !ok {
			return nil, fmt.Errorf("store: no rule set in force on %s: %w", today, ErrNotFound)
		}
		out[d] = rs
	}
	return out, nil
}
