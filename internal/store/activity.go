package store

import (
	"cmp"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The period report's activity counters (table activity_counts, migration
// 00009): per division, kind and pair of days, a count of events. Every
// write that records an inspection, a submission, a verification, or
// raises or closes a hazard adds its change here in its own transaction,
// under every division above the school; RebuildCoverage recounts them
// from the records. A report then reads a few rows per division and day.

type activityKey struct {
	school int64 // resolved to the school's divisions when written
	kind   model.ActivityKind
	day    model.Date
	other  model.Date
}

// activity gathers changes of the counters before they are written.
type activity map[activityKey]int

func (a activity) add(school int64, kind model.ActivityKind, day, other model.Date, n int) {
	a[activityKey{school, kind, day, other}] += n
}

// raise counts a hazard raised (and, for the rebuild, closed).
func (a activity) raise(school int64, raised, deadline model.Date, closed *model.Date) {
	until := model.LastDay
	if closed != nil {
		until = *closed
		a.add(school, model.ActivityClosed, until, model.FirstDay, 1)
	}
	a.add(school, model.ActivityRaised, raised, until, 1)
	a.add(school, model.ActivityOpenUntil, until, deadline, 1)
}

// close moves a hazard raised on raised with the deadline from open to
// closed on day.
func (a activity) close(school int64, raised, deadline, day model.Date) {
	a.add(school, model.ActivityRaised, raised, model.LastDay, -1)
	a.add(school, model.ActivityRaised, raised, day, 1)
	a.add(school, model.ActivityOpenUntil, model.LastDay, deadline, -1)
	a.add(school, model.ActivityOpenUntil, day, deadline, 1)
	a.add(school, model.ActivityClosed, day, model.FirstDay, 1)
}

// dayOf is the deployment's calendar day of an instant.
func (s *Store) dayOf(t time.Time) model.Date { return model.DateOf(t.In(s.loc)) }

// countInspection adds a new inspection of the school on day. The school's
// inspections are ordered by (date, id), each counted with the date of the
// one before it; the new one has the highest id, so it follows every
// inspection up to its date, and the first one after it now follows it.
func (s *Store) countInspection(tx *gorm.DB, a activity, schoolID, newID int64, day model.Date) error {
	prev := model.FirstDay
	var before []model.Date
	if err := tx.Model(&inspectionRow{}).Where("school_id = ? AND inspected_on <= ? AND id <> ?", schoolID, day, newID).
		Order("inspected_on DESC").Limit(1).Pluck("inspected_on", &before).Error; err != nil {
		return err
	}
	if len(before) > 0 {
		prev = before[0]
	}
	a.add(schoolID, model.ActivityInspection, day, prev, 1)
	var after []model.Date
	if err := tx.Model(&inspectionRow{}).Where("school_id = ? AND inspected_on > ?", schoolID, day).
		Order("inspected_on").Limit(1).Pluck("inspected_on", &after).Error; err != nil {
		return err
	}
	if len(after) > 0 {
		a.add(schoolID, model.ActivityInspection, after[0], prev, -1)
		a.add(schoolID, model.ActivityInspection, after[0], day, 1)
	}
	return nil
}

// writeActivity adds the gathered changes to the counters of every division above
// each school, the county included. Inside a group commit they are added
// once for the whole group, at its end.
func (s *Store) writeActivity(tx *gorm.DB, a activity) error {
	if len(a) == 0 {
		return nil
	}
	if w, ok := deferred(tx); ok {
		for k, n := range a {
			w.activity[k] += n
		}
		return nil
	}
	return s.writeActivityAt(tx, a, newPlaces())
}

// writeActivityAt is writeActivity with the places of some schools known
// already (a group commit's refresh has read them): only the others are
// read.
func (s *Store) writeActivityAt(tx *gorm.DB, a activity, pl places) error {
	if len(a) == 0 {
		return nil
	}
	var unknown []int64
	for k := range a {
		if _, ok := pl.county[k.school]; !ok {
			unknown = append(unknown, k.school)
		}
	}
	if len(unknown) > 0 {
		var rows []schoolRow
		if err := tx.Select("id, division_code").Where("id IN ?", uniqueIDs(unknown)).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			pl.county[r.ID] = r.DivisionCode
		}
	}
	counties := map[string]bool{}
	for k := range a {
		counties[pl.county[k.school]] = true
	}
	if err := addPaths(tx, pl.paths, counties); err != nil {
		return err
	}
	paths, countyOf := pl.paths, pl.county
	type row struct {
		division string
		kind     model.ActivityKind
		day      model.Date
		other    model.Date
	}
	sum := map[row]int{}
	for k, n := range a {
		for _, d := range paths[countyOf[k.school]] {
			sum[row{d, k.kind, k.day, k.other}] += n
		}
	}
	rows := make([]row, 0, len(sum))
	for r, n := range sum {
		if n != 0 {
			rows = append(rows, r)
		}
	}
	inLockOrder(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.division, b.division), cmp.Compare(a.kind, b.kind), cmp.Compare(a.day, b.day), cmp.Compare(a.other, b.other))
	})
	return s.insertRows(tx, activityTable, len(rows), func(i int, args []any) []any {
		r := rows[i]
		return append(args, r.division, string(r.kind), r.day, r.other, sum[r])
	})
}

// activityTable adds counter changes to the counts already there.
var activityTable = bulkTable{name: "activity_counts", cols: []string{"division_code", "kind", "day", "other_day", "n"},
	suffix: "ON CONFLICT (division_code, kind, day, other_day) DO UPDATE SET n = activity_counts.n + excluded.n"}

// recountActivity adds the counters of one batch of schools from their
// records, for RebuildCoverage (which has emptied the table).
func (s *Store) recountActivity(tx *gorm.DB, ids []int64, hist map[int64]*schoolHistory) error {
	a := activity{}
	for _, id := range ids {
		h := hist[id]
		for _, c := range h.checklists {
			if c.SubmittedAt != nil {
				a.add(id, model.ActivitySubmitted, s.dayOf(*c.SubmittedAt), model.FirstDay, 1)
			}
			if c.State == string(model.Verified) && c.ReviewedAt != nil {
				a.add(id, model.ActivityVerified, s.dayOf(*c.ReviewedAt), model.FirstDay, 1)
			}
		}
		for _, hz := range h.hazards {
			var closed *model.Date
			if hz.ClosedAt != nil {
				d := s.dayOf(*hz.ClosedAt)
				closed = &d
			}
			a.raise(id, s.dayOf(hz.RaisedAt), hz.Deadline, closed)
		}
	}
	var inspections []inspectionRow
	if err := tx.Select("id, school_id, inspected_on").Where("school_id IN ?", ids).
		Order("school_id, inspected_on, id").Find(&inspections).Error; err != nil {
		return err
	}
	for i, in := range inspections {
		prev := model.FirstDay
		if i > 0 && inspections[i-1].SchoolID == in.SchoolID {
			prev = inspections[i-1].InspectedOn
		}
		a.add(in.SchoolID, model.ActivityInspection, in.InspectedOn, prev, 1)
	}
	return s.writeActivity(tx, a)
}

// countChecklists counts one submission or verification, today, for each
// of the schools (a school given twice counts twice).
func (s *Store) countChecklists(tx *gorm.DB, kind model.ActivityKind, schoolIDs ...int64) error {
	a := activity{}
	today := s.Today()
	for _, id := range schoolIDs {
		a.add(id, kind, today, model.FirstDay, 1)
	}
	return s.writeActivity(tx, a)
}

// countRaised counts hazards raised today.
func (s *Store) countRaised(tx *gorm.DB, hazards ...hazardRow) error {
	a := activity{}
	for _, h := range hazards {
		a.raise(h.SchoolID, s.dayOf(h.RaisedAt), h.Deadline, nil)
	}
	return s.writeActivity(tx, a)
}

// countClosed counts a hazard closed today.
func (s *Store) countClosed(tx *gorm.DB, h hazardRow) error {
	a := activity{}
	a.close(h.SchoolID, s.dayOf(h.RaisedAt), h.Deadline, s.Today())
	return s.writeActivity(tx, a)
}
