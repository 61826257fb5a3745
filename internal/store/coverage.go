package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The ledger's count columns, in the order of model.Counts: the active
// schools, the five measures, all five.
const ledgerColumns = "schools, nursing_post, closed_management, security_guards, one_button_alarm, video_networking, all_five"

// counts is one ledger row's numbers, ordered as ledgerColumns.
type counts [7]int

// forever marks a contribution with no end (an active school).
var forever = model.NewDate(9999, 12, 31)

// beginning is before any record.
var beginning = model.NewDate(1, 1, 1)

// schoolCoverageRow is a school's derived coverage on one basis.
type schoolCoverageRow struct {
	SchoolID         int64  `gorm:"primaryKey"`
	Basis            string `gorm:"primaryKey"`
	Active           bool
	ChecklistID      *int64
	CheckedOn        *model.Date
	ExpiresOn        *model.Date
	NursingPost      *model.Date
	ClosedManagement *model.Date
	SecurityGuards   *model.Date
	OneButtonAlarm   *model.Date
	VideoNetworking  *model.Date
	AllFive          *model.Date
	Reasons          string
}

func (schoolCoverageRow) TableName() string { return "school_coverage" }

// until returns the row's contribution per ledger column: the last day each
// count includes the school, or nil.
func (r *schoolCoverageRow) until() [7]*model.Date {
	if r == nil || !r.Active {
		return [7]*model.Date{}
	}
	f := forever
	return [7]*model.Date{&f, r.NursingPost, r.ClosedManagement, r.SecurityGuards, r.OneButtonAlarm, r.VideoNetworking, r.AllFive}
}

// status rebuilds the school's status on day today from the stored row.
func (r *schoolCoverageRow) status(today model.Date) model.SchoolStatus {
	st := model.SchoolStatus{Basis: model.Basis(r.Basis), AllFive: true}
	var stored [5][]model.Reason
	if r.Reasons != "" {
		_ = json.Unmarshal([]byte(r.Reasons), &stored)
	}
	u := r.until()
	for i, m := range model.Measures {
		ms := model.MeasureStatus{Measure: m, CheckedOn: r.CheckedOn, ExpiresOn: r.ExpiresOn}
		if r.ChecklistID != nil {
			ms.ChecklistID = *r.ChecklistID
		}
		ms.Covered = u[i+1] != nil && *u[i+1] >= today
		if !ms.Covered {
			switch {
			case !r.Active:
				ms.Reasons = []model.Reason{{Code: model.ReasonSchoolInactive}}
			case r.ExpiresOn == nil:
				ms.Reasons = []model.Reason{{Code: model.ReasonNoCheck}}
			case *r.ExpiresOn < today:
				ms.Reasons = append([]model.Reason{{Code: model.ReasonCheckExpired, Args: map[string]any{
					"CheckedOn": r.CheckedOn.String(), "ExpiresOn": r.ExpiresOn.String()}}}, stored[i]...)
			default:
				ms.Reasons = stored[i]
			}
		}
		st.AllFive = st.AllFive && ms.Covered
		st.Measures[i] = ms
	}
	return st
}

// refreshSchools derives the coverage of the given schools from their
// records as they stand in tx, and writes the change of every count into the
// ledger of each of their divisions. Every write that can change a school's
// status calls it in the same transaction, so aggregates never drift. It
// works in batches with a fixed number of queries per batch, so a roster
// import or a rule change costs a few queries per 500 schools. Inside a
// group commit the schools are only collected, and re-derived once for the
// whole group before it commits (see groupcommit.go).
func (s *Store) refreshSchools(tx *gorm.DB, ids ...int64) error {
	if w, ok := deferred(tx); ok {
		w.refresh = append(w.refresh, ids...)
		return nil
	}
	return s.refreshAt(tx, ids, newPlaces(), nil)
}

// refreshAt is refreshSchools outside a group commit; it records the
// places it reads in pl. known are checklists submitted in the same
// transaction, by id, whose facts need not be read back (see
// latestChecklists).
func (s *Store) refreshAt(tx *gorm.DB, ids []int64, pl places, known map[int64]*model.Checklist) error {
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil
	}
	today := s.Today()
	book, err := ruleBook(tx)
	if err != nil {
		return err
	}
	r := &refresh{book: book, today: today, ledger: ledger{}, places: pl, known: known}
	for start := 0; start < len(ids); start += refreshBatch {
		if err := s.refreshBatch(tx, ids[start:min(start+refreshBatch, len(ids))], r); err != nil {
			return err
		}
	}
	return s.writeRefresh(tx, r)
}

// writeRefresh writes what a refresh gathered: the coverage rows, and the
// ledger's changes.
func (s *Store) writeRefresh(tx *gorm.DB, r *refresh) error {
	t := coverageTable
	if r.created {
		t = t.insertOnly()
	}
	if err := s.writeCoverageTo(tx, t, r.rows); err != nil || len(r.ledger) == 0 {
		return err
	}
	if err := s.dropCheckpointsFrom(tx, r.today); err != nil {
		return err
	}
	return s.writeLedger(tx, r.ledger)
}

const refreshBatch = 500

// refresh is one re-derivation of schools' coverage, read in batches: the
// rule book and day it derives with, the ledger changes and the new
// coverage rows it gathers (written once, at its end), and the schools'
// places read so far.
type refresh struct {
	book   model.RuleBook
	today  model.Date
	ledger ledger
	places
	rows  []schoolCoverageRow
	rules map[string]model.RuleSet // by division, see rulesFor
	// created: the schools are new in the transaction, so their coverage
	// rows are inserted, with nothing to replace (newSchoolsRefresh).
	created bool
	// known: checklists submitted in this transaction, by id, whose facts
	// need no reading back (latestChecklists).
	known map[int64]*model.Checklist
}

// rulesFor returns the rule set in force today in a division whose path
// was read, each division's looked up once.
func (r *refresh) rulesFor(division string) (model.RuleSet, error) {
	if rs, ok := r.rules[division]; ok {
		return rs, nil
	}
	rs, ok := r.book.InForce(r.paths[division], r.today)
	if !ok {
		return model.RuleSet{}, fmt.Errorf("store: no rule set in force on %s", r.today)
	}
	if r.rules == nil {
		r.rules = map[string]model.RuleSet{}
	}
	r.rules[division] = rs
	return rs, nil
}

type ledgerKey struct {
	division string
	basis    model.Basis
	day      model.Date
}

// ledger gathers changes of the coverage counts before they are written.
type ledger map[ledgerKey]counts

// coverageInputs is everything a school's coverage on a day derives from.
type coverageInputs struct {
	school model.School
	rules  model.RuleSet
	// latest is the checklist that counts on each basis (nil: none).
	latest map[model.Basis]*model.Checklist
	// open maps each measure with an open hazard to its oldest one.
	open map[model.Measure]int64
}

// derive is the one coverage derivation: it computes the school's rows on
// every basis on day from in, and adds to l the change from prev (the rows
// as they stood before, by basis; nil for none) under each of the divisions
// in ancestors. The incremental refresh calls it for today, the rebuild for
// each day of a school's history.
func (l ledger) derive(in coverageInputs, day model.Date, prev map[model.Basis]*schoolCoverageRow, ancestors []string) []schoolCoverageRow {
	rows := make([]schoolCoverageRow, 0, len(model.Bases))
	var changes [2 * len(counts{})]dayCounts
	for _, basis := range model.Bases {
		latest := in.latest[basis]
		st := model.Derive(in.rules, in.school, basis, latest, in.open, day)
		row := coverageRowOf(in.school, basis, latest, st, in.rules)
		for _, c := range ledgerChanges(changes[:0], prev[basis].until(), row.until(), day) {
			for _, d := range ancestors {
				k := ledgerKey{d, basis, c.day}
				l[k] = l[k].add(c.counts)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// schoolsWithAncestors loads the schools with the given ids and maps each
// of their divisions to itself and every division above it, nearest first
// (as model.RuleBook.InForce takes them), into paths: divisions already
// there are not read again, so one map serves every batch of a refresh. A
// missing school is ErrNotFound.
func (s *Store) schoolsWithAncestors(tx *gorm.DB, ids []int64, paths map[string][]string) ([]schoolRow, error) {
	schools, err := s.schoolsOf(tx, ids)
	if err != nil {
		return nil, err
	}
	if len(schools) != len(ids) {
		return nil, ErrNotFound
	}
	return schools, readPaths(tx, schools, paths)
}

// schoolsOf reads the schools with the given ids, in id order; in a group
// commit on SQLite by a kept statement (see coverageRowsOf), its columns
// those the bulk writes name (schoolTable), in their order.
func (s *Store) schoolsOf(tx *gorm.DB, ids []int64) ([]schoolRow, error) {
	return groupRows(s, tx, "SELECT id, "+strings.Join(schoolTable.cols, ", ")+
		" FROM schools WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", ids,
		func(out *[]schoolRow) error { return tx.Where("id IN ?", ids).Order("id").Find(out).Error },
		func(r *schoolRow) []any {
			return []any{&r.ID, &r.Code, &r.Name, &r.Type, &r.DivisionCode, &r.Address, &r.Students, &r.Boarders,
				&r.PoliceStation, &r.Ownership, &r.Active, &r.CreatedAt, &r.UpdatedAt}
		})
}

// checklistsOf reads the checklists with the given ids; in a group commit
// on SQLite by a kept statement (see coverageRowsOf), its columns those
// of checklistTable, in their order.
func (s *Store) checklistsOf(tx *gorm.DB, ids []int64) ([]checklistRow, error) {
	return groupRows(s, tx, "SELECT id, "+strings.Join(checklistTable.cols, ", ")+
		" FROM checklists WHERE id IN (SELECT value FROM json_each(?))", ids,
		func(out *[]checklistRow) error { return tx.Where("id IN ?", ids).Find(out).Error },
		func(r *checklistRow) []any {
			return []any{&r.ID, &r.SchoolID, &r.CheckedOn, &r.State, &r.SchemaVersion, &r.Facts, &r.Notes, &r.ReturnReason,
				&r.CreatedBy, &r.CreatedAt, &r.UpdatedAt, &r.SubmittedAt, &r.ReviewedBy, &r.ReviewedAt, &r.MadeAt}
		})
}

// readPaths adds to paths those of the schools' divisions not there yet.
func readPaths(tx *gorm.DB, schools []schoolRow, paths map[string][]string) error {
	counties := map[string]bool{}
	for _, sr := range schools {
		counties[sr.DivisionCode] = true
	}
	return addPaths(tx, paths, counties)
}

// addPaths adds to paths those of the counties it does not hold yet.
func addPaths(tx *gorm.DB, paths map[string][]string, counties map[string]bool) error {
	missing := map[string]bool{}
	for c := range counties {
		if _, ok := paths[c]; !ok {
			missing[c] = true
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var closure []closureRow
	if err := tx.Where("descendant_code IN ?", keys(missing)).Find(&closure).Error; err != nil {
		return err
	}
	maps.Copy(paths, pathsOf(closure))
	return nil
}

// places are schools' counties and the counties' paths (see
// schoolsWithAncestors), read once for a group commit's refresh and its
// activity counters.
type places struct {
	county map[int64]string
	paths  map[string][]string
}

func newPlaces() places { return places{county: map[int64]string{}, paths: map[string][]string{}} }

func (s *Store) refreshBatch(tx *gorm.DB, ids []int64, r *refresh) error {
	// Two servers refreshing one school at once would both read the same
	// old status and count its change twice. On PostgreSQL the school rows
	// are locked, in id order so that writers never deadlock; SQLite has a
	// single writer and needs no lock. NO KEY UPDATE, not UPDATE: the
	// transaction's own foreign-key checks hold KEY SHARE locks on the same
	// rows, and FOR UPDATE would deadlock two of them against each other.
	if s.postgres {
		var locked []int64
		if err := tx.Raw("SELECT id FROM schools WHERE id IN ? ORDER BY id FOR NO KEY UPDATE", ids).Scan(&locked).Error; err != nil {
			return err
		}
	}
	schools, err := s.schoolsWithAncestors(tx, ids, r.paths)
	if err != nil {
		return err
	}
	for _, sr := range schools {
		r.county[sr.ID] = sr.DivisionCode
	}
	openHazards, err := openHazardsOf(tx, ids)
	if err != nil {
		return err
	}
	old, err := s.coverageRowsOf(tx, ids)
	if err != nil {
		return err
	}
	prev := map[int64]map[model.Basis]*schoolCoverageRow{}
	for i := range old {
		if prev[old[i].SchoolID] == nil {
			prev[old[i].SchoolID] = map[model.Basis]*schoolCoverageRow{}
		}
		prev[old[i].SchoolID][model.Basis(old[i].Basis)] = &old[i]
	}
	latest, err := s.latestChecklists(tx, ids, r.known)
	if err != nil {
		return err
	}
	for _, sr := range schools {
		rules, err := r.rulesFor(sr.DivisionCode)
		if err != nil {
			return err
		}
		in := coverageInputs{school: sr.model(), rules: rules, latest: latest[sr.ID], open: openHazards[sr.ID]}
		for _, row := range r.ledger.derive(in, r.today, prev[sr.ID], r.paths[sr.DivisionCode]) {
			// A row that did not change is not written again: a submission
			// changes the "reported" row, rarely the "verified" one.
			if p := prev[sr.ID][model.Basis(row.Basis)]; p == nil || !p.same(&row) {
				r.rows = append(r.rows, row)
			}
		}
	}
	return nil
}

// coverageRowsOf reads the schools' coverage rows. In a group commit on
// SQLite the query is one kept statement whatever the number of schools
// (the ids go as one JSON array), scanned without reflection; GORM built,
// compiled and scanned it anew for every group.
func (s *Store) coverageRowsOf(tx *gorm.DB, ids []int64) ([]schoolCoverageRow, error) {
	return groupRows(s, tx, "SELECT "+strings.Join(coverageTable.cols, ", ")+
		" FROM school_coverage WHERE school_id IN (SELECT value FROM json_each(?))", ids,
		func(out *[]schoolCoverageRow) error { return tx.Where("school_id IN ?", ids).Find(out).Error },
		func(c *schoolCoverageRow) []any {
			return []any{&c.SchoolID, &c.Basis, &c.Active, &c.ChecklistID, &c.CheckedOn, &c.ExpiresOn, &c.NursingPost,
				&c.ClosedManagement, &c.SecurityGuards, &c.OneButtonAlarm, &c.VideoNetworking, &c.AllFive, &c.Reasons}
		})
}

// same reports whether two coverage rows hold the same values.
func (r *schoolCoverageRow) same(o *schoolCoverageRow) bool {
	return r.SchoolID == o.SchoolID && r.Basis == o.Basis && r.Active == o.Active && samePtr(r.ChecklistID, o.ChecklistID) &&
		samePtr(r.CheckedOn, o.CheckedOn) && samePtr(r.ExpiresOn, o.ExpiresOn) && samePtr(r.NursingPost, o.NursingPost) &&
		samePtr(r.ClosedManagement, o.ClosedManagement) && samePtr(r.SecurityGuards, o.SecurityGuards) &&
		samePtr(r.OneButtonAlarm, o.OneButtonAlarm) && samePtr(r.VideoNetworking, o.VideoNetworking) &&
		samePtr(r.AllFive, o.AllFive) && r.Reasons == o.Reasons
}

// samePtr reports whether two optional values are equal.
func samePtr[T comparable](a, b *T) bool { return a == b || (a != nil && b != nil && *a == *b) }

// writeCoverage writes schools' coverage rows, replacing the old ones.
func (s *Store) writeCoverage(tx *gorm.DB, rows []schoolCoverageRow) error {
	return s.writeCoverageTo(tx, coverageTable, rows)
}

// writeCoverageTo writes coverage rows as t does.
func (s *Store) writeCoverageTo(tx *gorm.DB, t bulkTable, rows []schoolCoverageRow) error {
	return s.insertRows(tx, t, len(rows), func(i int, args []any) []any {
		c := &rows[i]
		return append(args, c.SchoolID, c.Basis, c.Active, c.ChecklistID, c.CheckedOn, c.ExpiresOn, c.NursingPost,
			c.ClosedManagement, c.SecurityGuards, c.OneButtonAlarm, c.VideoNetworking, c.AllFive, c.Reasons)
	})
}

// coverageTable is the columns of school_coverage.
var coverageTable = upsertTable("school_coverage", []string{"school_id", "basis", "active", "checklist_id", "checked_on",
	"expires_on", "nursing_post", "closed_management", "security_guards", "one_button_alarm", "video_networking",
	"all_five", "reasons"}, []string{"school_id", "basis"})

// latestChecklists returns, per school and basis, the checklist that
// counts: the latest verified one, or for "reported" the latest submitted
// or verified one. Which ones count is read from the index alone (school,
// state, date, id); only those are then read whole, not every checklist's
// facts, and not those in known: checklists submitted in this transaction,
// by id, as they were created. A submitted checklist's date and facts never
// change (only drafts can be edited), so the refresh after a submission
// does not read back and decode what the write had in hand; its state is
// the one the index says.
func (s *Store) latestChecklists(tx *gorm.DB, ids []int64, known map[int64]*model.Checklist) (map[int64]map[model.Basis]*model.Checklist, error) {
	heads, ok, err := s.groupRowsOfIDs(tx, "SELECT id, school_id, state FROM checklists WHERE school_id IN (SELECT value FROM json_each(?)) "+
		"AND state IN ('"+string(model.Submitted)+"', '"+string(model.Verified)+"') ORDER BY school_id, checked_on DESC, id DESC", ids)
	if !ok {
		heads, err = tx.Model(&checklistRow{}).Select("id, school_id, state").
			Where("school_id IN ? AND state IN ?", ids, []string{string(model.Submitted), string(model.Verified)}).
			Order("school_id, checked_on DESC, id DESC").Rows()
	}
	if err != nil {
		return nil, err
	}
	defer heads.Close()
	type pick struct{ reported, verified int64 }
	picks := map[int64]*pick{}
	var want []int64
	byID := map[int64]*model.Checklist{}
	wanted := func(id int64, state string) {
		if k := known[id]; k != nil {
			c := *k
			c.State = model.ChecklistState(state)
			byID[id] = &c
			return
		}
		want = append(want, id)
	}
	for heads.Next() {
		var id, school int64
		var state string
		if err := heads.Scan(&id, &school, &state); err != nil {
			return nil, err
		}
		p := picks[school]
		if p == nil {
			p = &pick{reported: id}
			picks[school] = p
			wanted(id, state)
		}
		if p.verified == 0 && state == string(model.Verified) {
			if p.verified = id; id != p.reported {
				wanted(id, state)
			}
		}
	}
	if err := heads.Err(); err != nil {
		return nil, err
	}
	out := map[int64]map[model.Basis]*model.Checklist{}
	if len(picks) == 0 {
		return out, nil
	}
	var rows []checklistRow
	if len(want) > 0 {
		if rows, err = s.checklistsOf(tx, want); err != nil {
			return nil, err
		}
	}
	for _, r := range rows {
		c, err := r.model()
		if err != nil {
			return nil, err
		}
		byID[r.ID] = &c
	}
	for school, p := range picks {
		m := map[model.Basis]*model.Checklist{model.BasisReported: byID[p.reported]}
		if p.verified != 0 {
			m[model.BasisVerified] = byID[p.verified]
		}
		out[school] = m
	}
	return out, nil
}

// write adds the ledger's changes to the stored ledger.
func (s *Store) writeLedger(tx *gorm.DB, l ledger) error {
	keys := make([]ledgerKey, 0, len(l))
	for k, c := range l {
		if c != (counts{}) {
			keys = append(keys, k)
		}
	}
	inLockOrder(keys, func(a, b ledgerKey) int {
		return cmp.Or(cmp.Compare(a.division, b.division), cmp.Compare(a.basis, b.basis), cmp.Compare(a.day, b.day))
	})
	return s.insertRows(tx, deltaTable, len(keys), func(i int, args []any) []any {
		k := keys[i]
		c := l[k]
		return append(args, k.division, string(k.basis), k.day, c[0], c[1], c[2], c[3], c[4], c[5], c[6])
	})
}

// deltaTable adds ledger changes to the counts already there.
var deltaTable = func() bulkTable {
	cols := strings.Split(ledgerColumns, ", ")
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = coverage_deltas." + c + " + excluded." + c
	}
	return bulkTable{name: "coverage_deltas", cols: append([]string{"division_code", "basis", "day"}, cols...),
		suffix: "ON CONFLICT (division_code, basis, day) DO UPDATE SET " + strings.Join(sets, ", ")}
}()

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c counts) add(d counts) counts {
	for i := range c {
		c[i] += d[i]
	}
	return c
}

// ledgerChanges turns a change of contribution, effective today, into
// ledger rows: the old contribution ends today, the new one starts today,
// and each ends the day after its last covered day. Contributions that
// already ended before today are history and stay as they are. The rows
// are appended to out, a few at most (today and a day after each of the
// seven ends): a caller's buffer, instead of a map per school and basis
// (100 MB of garbage for a 100,000-school import).
func ledgerChanges(out []dayCounts, old, next [7]*model.Date, today model.Date) []dayCounts {
	out = out[:0]
	bump := func(day model.Date, i, n int) {
		for j := range out {
			if out[j].day == day {
				out[j].counts[i] += n
				return
			}
		}
		out = append(out, dayCounts{day: day})
		out[len(out)-1].counts[i] = n
	}
	for i := range old {
		if u := old[i]; u != nil && *u >= today {
			bump(today, i, -1)
			if *u != forever {
				bump(u.AddDays(1), i, +1)
			}
		}
		if u := next[i]; u != nil && *u >= today {
			bump(today, i, +1)
			if *u != forever {
				bump(u.AddDays(1), i, -1)
			}
		}
	}
	kept := out[:0]
	for _, d := range out {
		if d.counts != (counts{}) {
			kept = append(kept, d)
		}
	}
	return kept
}

// dayCounts is a change of the ledger's counts on a day.
type dayCounts struct {
	day model.Date
	counts
}

func coverageRowOf(school model.School, basis model.Basis, latest *model.Checklist, st model.SchoolStatus, rules model.RuleSet) schoolCoverageRow {
	row := schoolCoverageRow{SchoolID: school.ID, Basis: string(basis), Active: school.Active}
	if latest != nil {
		id, on, exp := latest.ID, latest.CheckedOn, latest.ExpiresOn(rules)
		row.ChecklistID, row.CheckedOn, row.ExpiresOn = &id, &on, &exp
	}
	until, all := st.CoveredUntil()
	row.NursingPost, row.ClosedManagement, row.SecurityGuards = until[0], until[1], until[2]
	row.OneButtonAlarm, row.VideoNetworking, row.AllFive = until[3], until[4], all
	if latest == nil || !school.Active {
		// status gives a closed or never-checked school its one reason
		// without reading stored ones: none are stored (a roster import
		// writes 200,000 such rows).
		return row
	}
	var reasons [5][]model.Reason
	for i, ms := range st.Measures {
		for _, r := range ms.Reasons {
			if r.Code != model.ReasonCheckExpired {
				reasons[i] = append(reasons[i], r)
			}
		}
	}
	b, _ := json.Marshal(reasons)
	row.Reasons = string(b)
	return row
}

// dropCheckpointsFrom removes checkpoints on or after day. Checkpoints are
// only taken for past days, so this finds none unless the clock went back.
func (s *Store) dropCheckpointsFrom(tx *gorm.DB, day model.Date) error {
	var latest *model.Date
	if err := s.queryRowW(tx, "SELECT MAX(day) FROM coverage_checkpoint_days", nil, &latest); err != nil {
		return err
	}
	if latest == nil || *latest < day {
		return nil
	}
	if err := tx.Exec("DELETE FROM coverage_checkpoints WHERE day >= ?", day).Error; err != nil {
		return err
	}
	return tx.Exec("DELETE FROM coverage_checkpoint_days WHERE day >= ?", day).Error
}

// Coverage returns the counts of each division in codes on the basis, as
// the dashboard showed them at the end of day asOf. The cost depends on the
// number of divisions and days since the last checkpoint, not on schools.
func (s *Store) Coverage(ctx context.Context, codes []string, basis model.Basis, asOf model.Date) (_ map[string]model.Counts, err error) {
	defer wrap(&err, "coverage on %s", asOf)
	out := make(map[string]model.Counts, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	db := s.r.WithContext(ctx)
	var cp *model.Date
	if err := db.Raw("SELECT MAX(day) FROM coverage_checkpoint_days WHERE day <= ?", asOf).Scan(&cp).Error; err != nil {
		return nil, err
	}
	from := beginning
	if cp != nil {
		from = *cp
	}
	var rows []struct {
		DivisionCode     string
		Schools          int
		NursingPost      int
		ClosedManagement int
		SecurityGuards   int
		OneButtonAlarm   int
		VideoNetworking  int
		AllFive          int
	}
	sum := "SUM(schools) AS schools, SUM(nursing_post) AS nursing_post, SUM(closed_management) AS closed_management, " +
		"SUM(security_guards) AS security_guards, SUM(one_button_alarm) AS one_button_alarm, " +
		"SUM(video_networking) AS video_networking, SUM(all_five) AS all_five"
	err = db.Raw(`
		SELECT division_code, `+sum+` FROM (
			SELECT division_code, `+ledgerColumns+` FROM coverage_checkpoints
			WHERE division_code IN ? AND basis = ? AND day = ?
			UNION ALL
			SELECT division_code, `+ledgerColumns+` FROM coverage_deltas
			WHERE division_code IN ? AND basis = ? AND day > ? AND day <= ?
		) t GROUP BY division_code`,
		codes, string(basis), from, codes, string(basis), from, asOf).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.DivisionCode] = model.Counts{
			Schools:  r.Schools,
			Measures: [5]int{r.NursingPost, r.ClosedManagement, r.SecurityGuards, r.OneButtonAlarm, r.VideoNetworking},
			AllFive:  r.AllFive,
		}
	}
	return out, nil
}

// Checkpoint stores the running totals of every division as of day, which
// must be in the past. Reads then sum deltas only from day on.
func (s *Store) Checkpoint(ctx context.Context, day model.Date) (err error) {
	defer wrap(&err, "checkpoint %s", day)
	if day >= s.Today() {
		return errors.New("only past days can be checkpointed")
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prev *model.Date
		if err := tx.Raw("SELECT MAX(day) FROM coverage_checkpoint_days WHERE day < ?", day).Scan(&prev).Error; err != nil {
			return err
		}
		from := beginning
		if prev != nil {
			from = *prev
		}
		if err := tx.Exec("DELETE FROM coverage_checkpoints WHERE day >= ?", day).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM coverage_checkpoint_days WHERE day >= ?", day).Error; err != nil {
			return err
		}
		err := tx.Exec(`
			INSERT INTO coverage_checkpoints (division_code, basis, day, `+ledgerColumns+`)
			SELECT division_code, basis, ?, SUM(schools), SUM(nursing_post), SUM(closed_management),
			       SUM(security_guards), SUM(one_button_alarm), SUM(video_networking), SUM(all_five)
			FROM (
				SELECT division_code, basis, `+ledgerColumns+` FROM coverage_checkpoints WHERE day = ?
				UNION ALL
				SELECT division_code, basis, `+ledgerColumns+` FROM coverage_deltas WHERE day > ? AND day <= ?
			) t GROUP BY division_code, basis`, day, from, from, day).Error
		if err != nil {
			return err
		}
		return tx.Exec("INSERT INTO coverage_checkpoint_days (day) VALUES (?)", day).Error
	})
}

// MaintainCheckpoints takes the month-end checkpoints that are due: one for
// every finished month since the ledger began. It is cheap when none is due.
func (s *Store) MaintainCheckpoints(ctx context.Context) (err error) {
	defer wrap(&err, "maintain checkpoints")
	var first, last *model.Date
	if err := s.r.WithContext(ctx).Raw("SELECT MIN(day) FROM coverage_deltas").Scan(&first).Error; err != nil {
		return err
	}
	if first == nil {
		return nil
	}
	if err := s.r.WithContext(ctx).Raw("SELECT MAX(day) FROM coverage_checkpoint_days").Scan(&last).Error; err != nil {
		return err
	}
	day := first.MonthEnd()
	if last != nil {
		day = last.AddDays(1).MonthEnd()
	}
	for today := s.Today(); day < today; day = day.AddDays(1).MonthEnd() {
		if err := s.Checkpoint(ctx, day); err != nil {
			return err
		}
	}
	return nil
}
