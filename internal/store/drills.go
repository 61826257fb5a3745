package store

import (
	"context"
	"fmt"
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

// drillGroup is the counties whose schools share their drill intervals.
type drillGroup struct {
	school, kindergarten int // days
	counties             []string
}

// drillGroups groups the counties under a division ("" = all) by the
// drill intervals of the rules in force on day d.
func drillGroups(db *gorm.DB, under string, d model.Date) ([]drillGroup, error) {
	q := db.Model(&divisionRow{}).Where("level = ?", model.LevelCounty)
	if under != "" {
		q = q.Where("code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", under)
	}
	var codes []string
	if err := q.Order("code").Pluck("code", &codes).Error; err != nil {
		return nil, err
	}
	book, err := ruleBook(db)
	if err != nil {
		return nil, err
	}
	var closure []closureRow
	for start := 0; start < len(codes); start += 500 {
		var part []closureRow
		if err := db.Where("descendant_code IN ?", codes[start:min(start+500, len(codes))]).Find(&part).Error; err != nil {
			return nil, err
		}
		closure = append(closure, part...)
	}
	paths := pathsOf(closure)
	var out []drillGroup
	index := map[[2]int]int{}
	for _, c := range codes {
		rs, ok := book.InForce(paths[c], d)
		if !ok {
			return nil, fmt.Errorf("no rule set in force on %s: %w", d, ErrNotFound)
		}
		k := [2]int{rs.DrillInterval(model.Primary), rs.DrillInterval(model.Kindergarten)}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, drillGroup{school: k[0], kindergarten: k[1]})
		}
		out[i].counties = append(out[i].counties, c)
	}
	return out, nil
}

// byDrillGroup is the condition "one of the groups' counties, and the
// bound b of the school's interval": b's two placeholders take the value
// for a kindergarten and for another school, given by each group's
// at(interval).
func byDrillGroup(db *gorm.DB, groups []drillGroup, b drillBound, at func(interval int) any) *gorm.DB {
	out := db.Where("1 = 0")
	for _, g := range groups {
		out = out.Or(db.Where("s.division_code IN ?", g.counties).
			Where(perKind(b), at(g.kindergarten), at(g.school)))
	}
	return out
}

// lastDrills joins each school's last drill day as d.last_on (NULL: none).
func lastDrills(db *gorm.DB) *gorm.DB {
	last := db.Table("drills").Select("school_id, MAX(held_on) AS last_on").Group("school_id")
	return db.Table("schools s").Joins("LEFT JOIN (?) d ON d.school_id = s.id", last)
}

// drillBound is one comparison of a day with a school's drill interval.
type drillBound int

const (
	lastBeforeOrNone drillBound = iota // no drill, or the last one before ?
	lastFrom                           // the last drill on or after ?
	lastUpTo                           // the last drill on or before ?
	addedFrom                          // the school added at or after ?
	addedBefore                        // the school added before ?
)

// perKind is the SQL of bound b for a kindergarten or for another school:
// its two placeholders take the kindergarten's value, then the other's.
// The texts are written out whole (the store never builds SQL text from a
// parameter; see sqlsafety_test.go).
func perKind(b drillBound) string {
	switch b {
	case lastBeforeOrNone:
		return "(d.last_on IS NULL OR ((s.type = 'kindergarten' AND d.last_on < ?) OR (s.type <> 'kindergarten' AND d.last_on < ?)))"
	case lastFrom:
		return "((s.type = 'kindergarten' AND d.last_on >= ?) OR (s.type <> 'kindergarten' AND d.last_on >= ?))"
	case lastUpTo:
		return "((s.type = 'kindergarten' AND d.last_on <= ?) OR (s.type <> 'kindergarten' AND d.last_on <= ?))"
	case addedFrom:
		return "((s.type = 'kindergarten' AND s.created_at >= ?) OR (s.type <> 'kindergarten' AND s.created_at >= ?))"
	case addedBefore:
		return "((s.type = 'kindergarten' AND s.created_at < ?) OR (s.type <> 'kindergarten' AND s.created_at < ?))"
	}
	panic(fmt.Sprintf("store: drill bound %d", b))
}

// drillDueQuery selects the schools of the due list's subtree and type
// that are due a drill today, in the due list's row shape: the last drill
// is older than the interval of the rule set judging the school (by its
// type), or there was none.
func (s *Store) drillDueQuery(ctx context.Context, q DueQuery, today model.Date) (*gorm.DB, error) {
	db := s.r.WithContext(ctx)
	groups, err := drillGroups(db, q.Under, today)
	if err != nil {
		return nil, err
	}
	cond := byDrillGroup(db, groups, lastBeforeOrNone,
		func(interval int) any { return today.AddDays(-interval) })
	return dueSchoolFilter(lastDrills(db), q).Where(cond).
		Select("s.id, NULL AS checked_on, NULL AS expires_on, d.last_on AS drill_on, 1 AS drill, s.division_code, s.name"), nil
}

// dueDrill is a school whose drill fell due in the daily job's window.
type dueDrill struct {
	SchoolID     int64
	Code         string
	Name         string
	DivisionCode string
	Type         string
	LastOn       *model.Date
}

// drillsDue reads the active schools whose drill fell due on a day in
// (P, D]: the day after their last drill's interval ended, or, for a
// school that never logged one, the interval's last day after it was
// added. Each becomes one drill_due notice per lapse: its stage is the
// day it fell due ("never" for none logged).
func (j *dailyJob) drillsDue() ([]dueDrill, []drillGroup, error) {
	groups, err := drillGroups(j.tx, "", j.day)
	if err != nil {
		return nil, nil, fmt.Errorf("drill intervals: %w", err)
	}
	// Due on last + interval + 1 within (P, D]: last in [P − interval, D − interval − 1].
	lapsed := db2(j.tx).Where(byDrillGroup(j.tx, groups, lastFrom, func(i int) any { return j.from.AddDays(-i) })).
		Where(byDrillGroup(j.tx, groups, lastUpTo, func(i int) any { return j.day.AddDays(-i - 1) }))
	// Never drilled, added on a day whose interval-th day after is in (P, D].
	added := func(d model.Date, i int) any { return d.AddDays(1 - i).Time(j.s.loc).UTC() }
	never := db2(j.tx).Where("d.last_on IS NULL").
		Where(byDrillGroup(j.tx, groups, addedFrom, func(i int) any { return added(j.from, i) })).
		Where(byDrillGroup(j.tx, groups, addedBefore, func(i int) any { return added(j.day, i) }))
	var out []dueDrill
	err = lastDrills(j.tx).Where("s.active = ?", true).Where(j.tx.Where(lapsed).Or(never)).
		Select("s.id AS school_id, s.code, s.name, s.division_code, s.type, d.last_on").Scan(&out).Error
	if err != nil {
		return nil, nil, fmt.Errorf("schools due a drill: %w", err)
	}
	return out, groups, nil
}

// db2 is a fresh condition builder on the job's transaction.
func db2(tx *gorm.DB) *gorm.DB { return tx.Session(&gorm.Session{NewDB: true}) }

// notifyDrills adds a drill_due notice for each school to its users.
func (j *dailyJob) notifyDrills(drills []dueDrill, groups []drillGroup) {
	interval := map[string][2]int{}
	for _, g := range groups {
		for _, c := range g.counties {
			interval[c] = [2]int{g.school, g.kindergarten}
		}
	}
	for _, d := range drills {
		ref := schoolRef{ID: d.SchoolID, Code: d.Code, Name: d.Name, Division: d.DivisionCode}
		stage, params := model.StageNever, map[string]any{}
		if d.LastOn != nil {
			i := interval[d.DivisionCode][0]
			if d.Type == string(model.Kindergarten) {
				i = interval[d.DivisionCode][1]
			}
			stage = d.LastOn.AddDays(i + 1).String()
			params["last_drill_on"] = d.LastOn.String()
		}
		j.add(model.KindDrillDue, d.SchoolID, stage, ref, params, j.schoolUsers[d.Code])
	}
}
