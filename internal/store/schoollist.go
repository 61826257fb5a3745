package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// SchoolQuery filters a school list. Columns named from a request go
// through the allow-list in coverageColumn, never into SQL directly.
type SchoolQuery struct {
	Under     string // division subtree; "" = everywhere
	Search    string // part of the name or code
	Type      model.SchoolType
	Uncovered string        // a measure key or "all_five": only schools not covered on it
	Gap       model.GapKind // only schools whose gap on Uncovered is of this kind (see ValidGap)
	Due       bool          // only schools with no current reported check
	Basis     model.Basis
	Inactive  bool // include closed schools
	Limit     int
	Offset    int
	// Total, when set, is the number of schools the query matches, known
	// to the caller (the coverage ledger counts active and uncovered
	// schools); the list then skips counting them, which at national scale
	// is the expensive part.
	Total *int64
}

// SchoolListItem is a school with its coverage on the query's basis.
type SchoolListItem struct {
	School       model.School
	DivisionName string
	Status       model.SchoolStatus
	Due          bool
}

// ValidUncovered reports whether key may be used as SchoolQuery.Uncovered.
func ValidUncovered(key string) bool { _, ok := coverageColumn("sc", key); return ok || key == "" }

// MaxSearchLength is the longest search term accepted, in characters.
const MaxSearchLength = 100

// Schools lists schools with their coverage, ordered by division and name.
func (s *Store) Schools(ctx context.Context, q SchoolQuery) (_ []SchoolListItem, _ int64, err error) {
	defer wrap(&err, "schools")
	if n := utf8.RuneCountInString(q.Search); n > MaxSearchLength {
		// A pattern that long is no search a person makes, and SQLite
		// refuses LIKE patterns past 50,000 bytes.
		return nil, 0, model.FieldErrors{{Field: "q", Message: fmt.Sprintf("the search term is %d characters long; at most %d are searched", n, MaxSearchLength)}}
	}
	if q.Basis == "" {
		q.Basis = model.BasisVerified
	}
	today := s.Today()
	// Coverage is joined only when a filter needs it: the plain list is
	// an ordered walk of the schools index, county by county.
	db := s.r.WithContext(ctx).Table("schools s")
	if _, ok := coverageColumn("sc", q.Uncovered); ok || q.Gap != "" {
		db = db.Joins("JOIN school_coverage sc ON sc.school_id = s.id AND sc.basis = ?", string(q.Basis))
	}
	if q.Due {
		db = db.Joins("JOIN school_coverage rc ON rc.school_id = s.id AND rc.basis = ?", string(model.BasisReported))
	}
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
	if col, ok := coverageColumn("sc", q.Uncovered); ok {
		db = db.Where("("+col+" IS NULL OR "+col+" < ?)", today)
	}
	if q.Gap != "" {
		db = whereGap(db, q.Gap, model.Measure(q.Uncovered), today)
	}
	if q.Due {
		db = db.Where("(rc.expires_on IS NULL OR rc.expires_on < ?)", today)
	}
	var total int64
	if q.Total != nil {
		total = *q.Total
	} else if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var ids []int64
	if err := db.Session(&gorm.Session{}).Order("s.division_code, s.name, s.id").
		Limit(q.Limit).Offset(q.Offset).Pluck("s.id", &ids).Error; err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	read := s.r.WithContext(ctx)
	var cov []schoolCoverageRow
	if err := read.Where("school_id IN ?", ids).Find(&cov).Error; err != nil {
		return nil, 0, err
	}
	type coverageKey struct {
		id    int64
		basis string
	}
	byKey := make(map[coverageKey]*schoolCoverageRow, len(cov))
	for i := range cov {
		byKey[coverageKey{cov[i].SchoolID, cov[i].Basis}] = &cov[i]
	}
	items, err := listItems(read, ids, func(id int64) int64 { return id },
		func(id int64, r schoolRow, division string) (SchoolListItem, error) {
			it := SchoolListItem{School: r.model(), DivisionName: division, Due: true}
			if c := byKey[coverageKey{id, string(q.Basis)}]; c != nil {
				it.Status = c.status(today)
			}
			if rc := byKey[coverageKey{id, string(model.BasisReported)}]; rc != nil && rc.ExpiresOn != nil {
				it.Due = *rc.ExpiresOn < today
			}
			return it, nil
		})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// SchoolStatus derives a school's coverage on the basis today, with the
// reasons in full (the school page and the API).
func (s *Store) SchoolStatus(ctx context.Context, school model.School, basis model.Basis) (_ model.SchoolStatus, err error) {
	defer wrap(&err, "status of school %d", school.ID)
	db := s.r.WithContext(ctx)
	rules, err := rulesFor(db, school.DivisionCode, s.Today())
	if err != nil {
		return model.SchoolStatus{}, err
	}
	latest, err := s.latestChecklists(db, []int64{school.ID}, nil)
	if err != nil {
		return model.SchoolStatus{}, err
	}
	hazards, err := openHazardsOf(db, []int64{school.ID})
	if err != nil {
		return model.SchoolStatus{}, err
	}
	return model.Derive(rules, school, basis, latest[school.ID][basis], hazards[school.ID], s.Today()), nil
}
