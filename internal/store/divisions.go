package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"safecampus/internal/model"
)

type divisionRow struct {
	Code       string `gorm:"primaryKey"`
	Name       string
	NameEn     string
	ParentCode *string
	Level      string
}

func (divisionRow) TableName() string { return "divisions" }

func (r divisionRow) model() model.Division {
	d := model.Division{Code: r.Code, Name: r.Name, NameEn: r.NameEn, Level: model.Level(r.Level)}
	if r.ParentCode != nil {
		d.ParentCode = *r.ParentCode
	}
	return d
}

type closureRow struct {
	AncestorCode   string
	DescendantCode string
	Depth          int
}

func (closureRow) TableName() string { return "division_closure" }

// ImportDivisions adds divisions and renames existing ones, all or nothing.
// A division may not move to another parent: its schools' coverage history
// is counted under its old ancestors.
func (s *Store) ImportDivisions(ctx context.Context, divs []model.Division) (err error) {
	defer wrap(&err, "import %d divisions", len(divs))
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing []divisionRow
		if err := tx.Find(&existing).Error; err != nil {
			return err
		}
		known := make(map[string]divisionRow, len(existing)+len(divs))
		for _, r := range existing {
			known[r.Code] = r
		}
		rows := make([]divisionRow, 0, len(divs))
		for _, d := range divs {
			r := divisionRow{Code: d.Code, Name: d.Name, NameEn: d.NameEn, Level: string(d.Level)}
			if d.ParentCode != "" {
				p := d.ParentCode
				r.ParentCode = &p
			}
			if old, ok := known[d.Code]; ok && ptrString(old.ParentCode) != d.ParentCode {
				return fmt.Errorf("division %s already exists under %q, cannot move it under %q", d.Code, ptrString(old.ParentCode), d.ParentCode)
			}
			known[d.Code] = r
			rows = append(rows, r)
		}
		for _, r := range rows {
			if r.ParentCode != nil {
				if _, ok := known[*r.ParentCode]; !ok {
					return fmt.Errorf("division %s: parent %s does not exist", r.Code, *r.ParentCode)
				}
			}
		}
		// Parents first, so foreign keys hold row by row.
		order := map[string]int{"province": 0, "prefecture": 1, "county": 2}
		for lvl := 0; lvl < 3; lvl++ {
			var batch []divisionRow
			for _, r := range rows {
				if order[r.Level] == lvl {
					batch = append(batch, r)
				}
			}
			if len(batch) == 0 {
				continue
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "code"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "name_en"}),
			}).CreateInBatches(batch, 500).Error
			if err != nil {
				return err
			}
		}
		if err := rebuildClosure(tx, known); err != nil {
			return err
		}
		// Divisions are cached per generation (Division).
		return s.bumpGeneration(tx)
	})
}

func rebuildClosure(tx *gorm.DB, all map[string]divisionRow) error {
	if err := tx.Exec("DELETE FROM division_closure").Error; err != nil {
		return err
	}
	var rows []closureRow
	for code := range all {
		depth := 0
		for cur := code; cur != ""; depth++ {
			rows = append(rows, closureRow{AncestorCode: cur, DescendantCode: code, Depth: depth})
			cur = ptrString(all[cur].ParentCode)
			if depth > 5 {
				return fmt.Errorf("division %s: parent chain loops", code)
			}
		}
	}
	return tx.CreateInBatches(rows, 1000).Error
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Division returns one division.
func (s *Store) Division(ctx context.Context, code string) (_ model.Division, err error) {
	defer wrap(&err, "division %s", code)
	// A hot read: every dashboard view names its division. Divisions
	// change only by ImportDivisions, which bumps the generation.
	gen, err := s.Generation(ctx)
	if err != nil {
		return model.Division{}, err
	}
	if d, ok := s.hot.divisions.get(gen, code); ok {
		return d, nil
	}
	var r divisionRow
	if err := s.queryRow(ctx, "SELECT code, name, name_en, parent_code, level FROM divisions WHERE code = ?", []any{code},
		&r.Code, &r.Name, &r.NameEn, &r.ParentCode, &r.Level); err != nil {
		return model.Division{}, notFound(err)
	}
	s.hot.divisions.put(gen, code, r.model())
	return r.model(), nil
}

// Children returns the divisions directly under code, or the provinces
// when code is "".
func (s *Store) Children(ctx context.Context, code string) (_ []model.Division, err error) {
	defer wrap(&err, "children of division %q", code)
	q := s.r.WithContext(ctx).Order("code")
	if code == "" {
		q = q.Where("parent_code IS NULL")
	} else {
		q = q.Where("parent_code = ?", code)
	}
	var rows []divisionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	return divisionModels(rows), nil
}

// Ancestors returns the divisions above code, the province first.
func (s *Store) Ancestors(ctx context.Context, code string) (_ []model.Division, err error) {
	defer wrap(&err, "ancestors of division %s", code)
	var rows []divisionRow
	err = s.r.WithContext(ctx).Raw(`
		SELECT d.* FROM division_closure c JOIN divisions d ON d.code = c.ancestor_code
		WHERE c.descendant_code = ? AND c.depth > 0
		ORDER BY c.depth DESC`, code).Scan(&rows).Error
	return divisionModels(rows), err
}

// Counties returns the county-level divisions under code ("" for all).
func (s *Store) Counties(ctx context.Context, under string) (_ []model.Division, err error) {
	defer wrap(&err, "counties under %q", under)
	var rows []divisionRow
	q := s.r.WithContext(ctx).Where("level = ?", model.LevelCounty).Order("code")
	if under != "" {
		q = q.Where("code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", under)
	}
	err = q.Find(&rows).Error
	return divisionModels(rows), err
}

// Within reports whether division descendant lies in ancestor's subtree
// (a division is within itself).
func (s *Store) Within(ctx context.Context, ancestor, descendant string) (_ bool, err error) {
	defer wrap(&err, "is %s within %s", descendant, ancestor)
	var n int64
	err = s.r.WithContext(ctx).Model(&closureRow{}).
		Where("ancestor_code = ? AND descendant_code = ?", ancestor, descendant).Count(&n).Error
	return n > 0, err
}

// DivisionCount returns how many divisions are loaded.
func (s *Store) DivisionCount(ctx context.Context) (_ int64, err error) {
	defer wrap(&err, "count divisions")
	var n int64
	err = s.r.WithContext(ctx).Model(&divisionRow{}).Count(&n).Error
	return n, err
}

func divisionModels(rows []divisionRow) []model.Division {
	out := make([]model.Division, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out
}

// divisionNames maps each of the division codes to its name.
func divisionNames(db *gorm.DB, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	var rows []divisionRow
	if err := db.Select("code, name").Where("code IN ?", codes).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, d := range rows {
		out[d.Code] = d.Name
	}
	return out, nil
}

// AllDivisions returns every division in code order, which is tree order
// (a province, its prefectures, each followed by its counties).
func (s *Store) AllDivisions(ctx context.Context) ([]model.Division, error) {
	var rows []divisionRow
	if err := s.r.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list divisions: %w", err)
	}
	return divisionModels(rows), nil
}
