package store

import (
	"context"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// Lists of hazards: filtered and paged for the hazard pages, and counted
// for the school lists.

// HazardQuery filters the hazard list.
type HazardQuery struct {
	Under    string // division subtree; "" = everywhere
	SchoolID int64  // one school; 0 = any
	Measure  model.Measure
	State    model.HazardStateFilter
	Overdue  bool // only hazards past their deadline and not closed
	Limit    int
	Offset   int
}

// HazardListItem is a hazard with its school.
type HazardListItem struct {
	Hazard       model.Hazard
	School       model.School
	DivisionName string
}

// Hazards lists hazards: the ones still to act on first, by deadline (the
// most overdue first), then closed ones.
func (s *Store) Hazards(ctx context.Context, q HazardQuery) (_ []HazardListItem, _ int64, err error) {
	defer wrap(&err, "hazards")
	today := s.Today()
	db := s.r.WithContext(ctx).Table("hazards h").Joins("JOIN schools s ON s.id = h.school_id")
	if q.Under != "" {
		db = db.Where("s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", q.Under)
	}
	if q.SchoolID != 0 {
		db = db.Where("h.school_id = ?", q.SchoolID)
	}
	if q.Measure != "" {
		db = db.Where("h.measure = ?", string(q.Measure))
	}
	switch q.State {
	case model.HazardsActive:
		db = db.Where("h.state <> ?", string(model.HazardClosed))
	case model.HazardsAll:
	default:
		db = db.Where("h.state = ?", string(q.State))
	}
	if q.Overdue {
		db = db.Where("h.state <> ? AND h.deadline < ?", string(model.HazardClosed), today)
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var rows []hazardRow
	err = db.Session(&gorm.Session{}).Select("h.*").
		Order("CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END, h.deadline, h.id").
		Limit(q.Limit).Offset(q.Offset).Find(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	items, err := s.hazardItems(ctx, rows)
	return items, total, err
}

// hazardItems adds each hazard's school and county name.
func (s *Store) hazardItems(ctx context.Context, rows []hazardRow) ([]HazardListItem, error) {
	return listItems(s.r.WithContext(ctx), rows, func(r hazardRow) int64 { return r.SchoolID },
		func(r hazardRow, sr schoolRow, division string) (HazardListItem, error) {
			return HazardListItem{Hazard: r.model(), School: sr.model(), DivisionName: division}, nil
		})
}

// OverdueHazardCounts returns, for each of the schools with any, how many
// of its hazards are past their deadline and not closed.
func (s *Store) OverdueHazardCounts(ctx context.Context, schoolIDs []int64) (_ map[int64]int, err error) {
	defer wrap(&err, "overdue hazard counts")
	out := map[int64]int{}
	if len(schoolIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SchoolID int64
		N        int
	}
	err = s.r.WithContext(ctx).Raw(`SELECT school_id, COUNT(*) AS n FROM hazards
		WHERE school_id IN ? AND state <> ? AND deadline < ? GROUP BY school_id`,
		schoolIDs, string(model.HazardClosed), s.Today()).Scan(&rows).Error
	for _, r := range rows {
		out[r.SchoolID] = r.N
	}
	return out, err
}
