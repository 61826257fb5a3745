package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type drillRow struct {
	ID           int64 `gorm:"primaryKey"`
	SchoolID     int64
	HeldOn       model.Date
	Kind         string
	Participants int
	CreatedBy    *int64
	Creator      string
	CreatedAt    time.Time
}

func (drillRow) TableName() string { return "drills" }

func (r drillRow) model() model.Drill {
	return model.Drill{ID: r.ID, SchoolID: r.SchoolID, HeldOn: r.HeldOn, Kind: model.DrillKind(r.Kind), Participants: r.Participants,
		CreatedBy: r.Creator, CreatedAt: r.CreatedAt}
}

// AddDrill logs an emergency drill. A drill in the future and other bad
// values are model.FieldErrors; a closed school ErrSchoolClosed.
func (s *Store) AddDrill(ctx context.Context, actor model.User, schoolID int64, in model.DrillInput) (_ model.Drill, err error) {
	defer wrap(&err, "log drill of school %d", schoolID)
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.Drill{}, errs
	}
	row := drillRow{SchoolID: schoolID, HeldOn: in.HeldOn, Kind: string(in.Kind), Participants: in.Participants,
		CreatedBy: actorID(actor), Creator: actor.Username, CreatedAt: s.now().UTC()}
	err = s.createAudited(ctx, actor, schoolID, "drill", &row, func() int64 { return row.ID }, func(school string) map[string]any {
		return map[string]any{"school": school, "held_on": row.HeldOn, "kind": row.Kind, "participants": row.Participants}
	})
	return row.model(), err
}

// SchoolDrills returns a school's latest drills, newest first.
func (s *Store) SchoolDrills(ctx context.Context, schoolID int64, limit int) (_ []model.Drill, err error) {
	defer wrap(&err, "drills of school %d", schoolID)
	return schoolLog(ctx, s.r, schoolID, "held_on", limit, drillRow.model)
}

// drillDueQuery selects the schools of the due list's subtree and type
// that are due a drill today, in the due list's row shape: the last drill
// is older than the interval of the rule set judging the school (by its
// type), or there was none. The intervals come from the rule profiles of
// the subtree's counties, grouped so that the query has one condition per
// distinct pair of intervals.
func (s *Store) drillDueQuery(ctx context.Context, q DueQuery, today model.Date) (*gorm.DB, error) {
	counties, err := s.Counties(ctx, q.Under)
	if err != nil {
		return nil, err
	}
	if q.Under != "" && len(counties) == 0 {
		counties = []model.Division{{Code: q.Under}} // a county itself
	}
	codes := make([]string, len(counties))
	for i, c := range counties {
		codes[i] = c.Code
	}
	rules, err := s.RulesToday(ctx, codes)
	if err != nil {
		return nil, err
	}
	type pair struct{ school, kindergarten int }
	groups := map[pair][]string{}
	var order []pair
	for _, c := range codes {
		rs := rules[c]
		p := pair{rs.DrillInterval(model.Primary), rs.DrillInterval(model.Kindergarten)}
		if _, ok := groups[p]; !ok {
			order = append(order, p)
		}
		groups[p] = append(groups[p], c)
	}
	db := s.r.WithContext(ctx)
	cond := db.Where("1 = 0")
	for _, p := range order {
		cond = cond.Or(db.Where("s.division_code IN ?", groups[p]).
			Where("(d.last_on IS NULL OR d.last_on < CASE WHEN s.type = ? THEN ? ELSE ? END)",
				string(model.Kindergarten), today.AddDays(-p.kindergarten), today.AddDays(-p.school)))
	}
	last := db.Table("drills").Select("school_id, MAX(held_on) AS last_on").Group("school_id")
	out := db.Table("schools s").Joins("LEFT JOIN (?) d ON d.school_id = s.id", last)
	return dueSchoolFilter(out, q).Where(cond).
		Select("s.id, NULL AS checked_on, NULL AS expires_on, d.last_on AS drill_on, 1 AS drill, s.division_code, s.name"), nil
}
