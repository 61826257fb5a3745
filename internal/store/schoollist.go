package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// SchoolQuery filters a school list. Columns named from a request go
// through the allow-list in uncoveredColumn, never into SQL directly.
type SchoolQuery struct {
	Under     string // division subtree; "" = everywhere
	Search    string // part of the name or code
	Type      model.SchoolType
	Uncovered string // a measure key or "all_five": only schools not covered on it
	Due       bool   // only schools with no current reported check
	Basis     model.Basis
	Inactive  bool // include closed schools
	Limit     int
	Offset    int
}

// SchoolListItem is a school with its coverage on the query's basis.
type SchoolListItem struct {
	School       model.School
	DivisionName string
	Status       model.SchoolStatus
	Due          bool
}

var uncoveredColumn = map[string]string{
	"nursing_post":      "sc.nursing_post",
	"closed_management": "sc.closed_management",
	"security_guards":   "sc.security_guards",
	"one_button_alarm":  "sc.one_button_alarm",
	"video_networking":  "sc.video_networking",
	"all_five":          "sc.all_five",
}

// ValidUncovered reports whether key may be used as SchoolQuery.Uncovered.
func ValidUncovered(key string) bool { _, ok := uncoveredColumn[key]; return ok || key == "" }

// Schools lists schools with their coverage, ordered by division and name.
func (s *Store) Schools(ctx context.Context, q SchoolQuery) ([]SchoolListItem, int64, error) {
	if q.Basis == "" {
		q.Basis = model.BasisVerified
	}
	today := s.Today()
	db := s.r.WithContext(ctx).Table("schools s").
		Joins("JOIN school_coverage sc ON sc.school_id = s.id AND sc.basis = ?", string(q.Basis)).
		Joins("JOIN school_coverage rc ON rc.school_id = s.id AND rc.basis = ?", string(model.BasisReported))
	if q.Under != "" {
		db = db.Where("s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", q.Under)
	}
	if !q.Inactive {
		db = db.Where("s.active = ?", true)
	}
	if term := strings.TrimSpace(q.Search); term != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(term) + "%"
		db = db.Where(`(s.name LIKE ? ESCAPE '\' OR s.code LIKE ? ESCAPE '\')`, like, like)
	}
	if q.Type != "" {
		db = db.Where("s.type = ?", string(q.Type))
	}
	if col, ok := uncoveredColumn[q.Uncovered]; ok {
		db = db.Where("("+col+" IS NULL OR "+col+" < ?)", today)
	}
	if q.Due {
		db = db.Where("(rc.expires_on IS NULL OR rc.expires_on < ?)", today)
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var rows []struct {
		schoolRow
		DivisionName string
		RCExpiresOn  *model.Date
	}
	err := db.Session(&gorm.Session{}).
		Select("s.*, d.name AS division_name, rc.expires_on AS rc_expires_on").
		Joins("JOIN divisions d ON d.code = s.division_code").
		Order("s.division_code, s.name, s.id").Limit(q.Limit).Offset(q.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var cov []schoolCoverageRow
	if len(ids) > 0 {
		if err := s.r.WithContext(ctx).Where("school_id IN ? AND basis = ?", ids, string(q.Basis)).Find(&cov).Error; err != nil {
			return nil, 0, err
		}
	}
	byID := make(map[int64]*schoolCoverageRow, len(cov))
	for i := range cov {
		byID[cov[i].SchoolID] = &cov[i]
	}
	items := make([]SchoolListItem, len(rows))
	for i, r := range rows {
		items[i] = SchoolListItem{School: r.schoolRow.model(), DivisionName: r.DivisionName,
			Due: r.RCExpiresOn == nil || *r.RCExpiresOn < today}
		if c := byID[r.ID]; c != nil {
			items[i].Status = c.status(today)
		}
	}
	return items, total, nil
}

// SchoolStatus derives a school's coverage on the basis today, with the
// reasons in full (the school page and the API).
func (s *Store) SchoolStatus(ctx context.Context, school model.School, basis model.Basis) (model.SchoolStatus, error) {
	db := s.r.WithContext(ctx)
	rules, err := s.ruleSet(db)
	if err != nil {
		return model.SchoolStatus{}, err
	}
	latest, err := latestChecklist(db, school.ID, basis)
	if err != nil {
		return model.SchoolStatus{}, err
	}
	hazards, err := openHazardsByMeasure(db, school.ID)
	if err != nil {
		return model.SchoolStatus{}, err
	}
	return model.Derive(rules, school, basis, latest, hazards, s.Today()), nil
}
