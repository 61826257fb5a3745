package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The gap list: which active schools are not covered today, and why. It
// reads school_coverage (the derived status of every school, with expiry
// computed against today) and the open hazards, never the checklists.

// openHazardColumns is a subquery with one row per school that has an open
// hazard, and a column per measure that is 1 when one of its hazards is on
// that measure.
const openHazardColumns = `(SELECT school_id,
		MAX(CASE WHEN measure = 'nursing_post' THEN 1 ELSE 0 END) AS nursing_post,
		MAX(CASE WHEN measure = 'closed_management' THEN 1 ELSE 0 END) AS closed_management,
		MAX(CASE WHEN measure = 'security_guards' THEN 1 ELSE 0 END) AS security_guards,
		MAX(CASE WHEN measure = 'one_button_alarm' THEN 1 ELSE 0 END) AS one_button_alarm,
		MAX(CASE WHEN measure = 'video_networking' THEN 1 ELSE 0 END) AS video_networking
	FROM hazards WHERE state <> 'closed' GROUP BY school_id)`

// GapCounts counts the active schools under the division (everywhere for
// "") that are not covered today on the basis, by kind of gap. It is one
// aggregate query over the subtree's schools.
func (s *Store) GapCounts(ctx context.Context, under string, basis model.Basis) (_ model.GapCounts, err error) {
	defer wrap(&err, "gap counts under %q", under)
	today := s.Today()
	args := []any{today}
	sel := "COUNT(*) AS schools, " +
		"COALESCE(SUM(CASE WHEN sc.expires_on IS NULL THEN 1 ELSE 0 END), 0) AS no_check, " +
		"COALESCE(SUM(CASE WHEN sc.expires_on < ? THEN 1 ELSE 0 END), 0) AS expired"
	for _, m := range model.Measures {
		col, _ := coverageColumn("sc", string(m))
		open := "sc.expires_on >= ? AND (" + col + " IS NULL OR " + col + " < ?)"
		sel += fmt.Sprintf(", COALESCE(SUM(CASE WHEN %s AND hz.%s = 1 THEN 1 ELSE 0 END), 0) AS hazard_%s", open, m, m)
		sel += fmt.Sprintf(", COALESCE(SUM(CASE WHEN %s AND (hz.%s IS NULL OR hz.%s = 0) THEN 1 ELSE 0 END), 0) AS rule_%s", open, m, m, m)
		args = append(args, today, today, today, today)
	}
	query := "SELECT " + sel + ` FROM schools s
		JOIN school_coverage sc ON sc.school_id = s.id AND sc.basis = ?
		LEFT JOIN ` + openHazardColumns + ` hz ON hz.school_id = s.id
		WHERE s.active = ?`
	args = append(args, string(basis), true)
	if under != "" {
		query += " AND s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)"
		args = append(args, under)
	}
	var row struct {
		Schools, NoCheck, Expired                                                                                    int
		HazardNursingPost, HazardClosedManagement, HazardSecurityGuards, HazardOneButtonAlarm, HazardVideoNetworking int
		RuleNursingPost, RuleClosedManagement, RuleSecurityGuards, RuleOneButtonAlarm, RuleVideoNetworking           int
	}
	if err := s.r.WithContext(ctx).Raw(query, args...).Scan(&row).Error; err != nil {
		return model.GapCounts{}, err
	}
	return model.GapCounts{
		Schools: row.Schools, NoCheck: row.NoCheck, Expired: row.Expired,
		Hazard: [5]int{row.HazardNursingPost, row.HazardClosedManagement, row.HazardSecurityGuards, row.HazardOneButtonAlarm, row.HazardVideoNetworking},
		Rule:   [5]int{row.RuleNursingPost, row.RuleClosedManagement, row.RuleSecurityGuards, row.RuleOneButtonAlarm, row.RuleVideoNetworking},
	}, nil
}

// ValidGap reports whether a school list may be filtered by gap kind k on
// measure m: the kinds that depend on the measure need one of the five.
func ValidGap(k model.GapKind, m model.Measure) bool {
	if k == "" {
		return true
	}
	if k.PerMeasure() {
		return m.Valid()
	}
	return m == "" || m.Valid() || m == model.AllFive
}

// whereGap narrows a school list (schools s joined with school_coverage sc
// on the list's basis) to the schools whose gap on measure m is of kind k
// today. Column names come from model.Measures, never from the request.
func whereGap(db *gorm.DB, k model.GapKind, m model.Measure, today model.Date) *gorm.DB {
	switch k {
	case model.GapNoCheck:
		return db.Where("sc.expires_on IS NULL")
	case model.GapExpired:
		return db.Where("sc.expires_on < ?", today)
	}
	col, ok := coverageColumn("sc", string(m))
	if !ok || !m.Valid() {
		return db.Where("1 = 0")
	}
	db = db.Where("sc.expires_on >= ? AND ("+col+" IS NULL OR "+col+" < ?)", today, today)
	open := "EXISTS (SELECT 1 FROM hazards h WHERE h.school_id = s.id AND h.measure = ? AND h.state <> 'closed')"
	if k == model.GapHazard {
		return db.Where(open, string(m))
	}
	return db.Where("NOT "+open, string(m))
}
