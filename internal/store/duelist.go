package store

import (
	"context"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// DueQuery filters the reminder list of a division.
type DueQuery struct {
	Under  string // division subtree; "" = everywhere
	Basis  model.Basis
	Kind   model.DueKind // "" = all kinds
	Type   model.SchoolType
	Limit  int
	Offset int
}

// DueItem is a school on the reminder list. DaysLate counts from the
// last valid day: 1 for a check that expired yesterday, 0 for one valid
// through today, −30 for one valid for 30 more days; it is unset for a
// school never checked.
type DueItem struct {
	School       model.School
	DivisionName string
	Kind         model.DueKind
	CheckedOn    *model.Date
	ExpiresOn    *model.Date
	DaysLate     int
	LastDrillOn  *model.Date // for DueDrill: the last drill, nil = never
}

// DueSchools returns the active schools of the subtree with no current
// check on the basis, or one that ends within model.SoonDueDays, the latest
// first: never checked, then by last valid day (the longest expired
// first), then by county and name; then the schools due a drill (never
// drilled first, then the oldest drill). A school due for both reasons has
// a row for each.
func (s *Store) DueSchools(ctx context.Context, q DueQuery) (_ []DueItem, _ int64, err error) {
	defer wrap(&err, "due schools")
	if q.Basis == "" {
		q.Basis = model.BasisReported
	}
	today := s.Today()
	soon := today.AddDays(model.SoonDueDays)
	db := s.r.WithContext(ctx).Table("schools s").
		Joins("JOIN school_coverage sc ON sc.school_id = s.id AND sc.basis = ?", string(q.Basis))
	db = dueSchoolFilter(db, q)
	switch q.Kind {
	case model.DueNever:
		db = db.Where("sc.expires_on IS NULL")
	case model.DueExpired:
		db = db.Where("sc.expires_on < ?", today)
	case model.DueSoon:
		db = db.Where("sc.expires_on >= ? AND sc.expires_on <= ?", today, soon)
	default:
		db = db.Where("(sc.expires_on IS NULL OR sc.expires_on <= ?)", soon)
	}
	// Coverage rows first, then drill rows (drills.go): one row per school
	// and reason.
	db = db.Select("s.id, sc.checked_on, sc.expires_on, NULL AS drill_on, 0 AS drill, s.division_code, s.name")
	drills, err := s.drillDueQuery(ctx, q, today)
	if err != nil {
		return nil, 0, err
	}
	switch q.Kind {
	case model.DueDrill:
		db = drills
	case "":
		db = s.r.WithContext(ctx).Table("(SELECT * FROM (?) a UNION ALL SELECT * FROM (?) b) v", db, drills)
	}
	db = s.r.WithContext(ctx).Table("(?) u", db)
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var rows []dueRow
	err = db.Session(&gorm.Session{}).Select("u.id, u.checked_on, u.expires_on, u.drill_on, u.drill").
		Order("u.drill, CASE WHEN u.expires_on IS NULL THEN 0 ELSE 1 END, u.expires_on, " +
			"CASE WHEN u.drill_on IS NULL THEN 0 ELSE 1 END, u.drill_on, u.division_code, u.name, u.id").
		Limit(q.Limit).Offset(q.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	items, err := listItems(s.r.WithContext(ctx), rows, func(r dueRow) int64 { return r.ID },
		func(r dueRow, sr schoolRow, division string) (DueItem, error) {
			it := DueItem{School: sr.model(), DivisionName: division, CheckedOn: r.CheckedOn, ExpiresOn: r.ExpiresOn, Kind: model.DueNever}
			switch {
			case r.Drill == 1:
				it.Kind, it.LastDrillOn = model.DueDrill, r.DrillOn
			case r.ExpiresOn != nil:
				it.DaysLate = today.DaysSince(*r.ExpiresOn)
				it.Kind = model.DueSoon
				if it.DaysLate > 0 {
					it.Kind = model.DueExpired
				}
			}
			return it, nil
		})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// dueRow is a due school's id and the dates of its counting checklist, or
// (Drill = 1) of its last drill.
type dueRow struct {
	ID        int64
	CheckedOn *model.Date
	ExpiresOn *model.Date
	DrillOn   *model.Date
	Drill     int
}

// dueSchoolFilter keeps the active schools of the query's subtree and type.
func dueSchoolFilter(db *gorm.DB, q DueQuery) *gorm.DB {
	db = db.Where("s.active = ?", true)
	if q.Under != "" {
		db = db.Where("s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", q.Under)
	}
	if q.Type != "" {
		db = db.Where("s.type = ?", string(q.Type))
	}
	return db
}
