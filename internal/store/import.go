package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// ImportResult counts what an import did (or would do).
type ImportResult struct {
	Created, Updated int
}

// ImportRoster imports what a roster parser returned: the good rows, and
// the parser's bad lines if any. Rows whose division is unknown are added to
// those, so every bad line is reported at once, and nothing is written
// unless there are none.
func (s *Store) ImportRoster(ctx context.Context, actor model.User, rows []model.SchoolLine, parseErr error, dryRun bool) (_ ImportResult, err error) {
	defer wrap(&err, "import roster")
	var bad model.LineErrors
	if parseErr != nil && !errors.As(parseErr, &bad) {
		return ImportResult{}, parseErr
	}
	res, err := s.ImportSchools(ctx, actor, rows, dryRun || len(bad) > 0)
	if len(bad) == 0 {
		return res, err
	}
	var more model.LineErrors
	if err != nil && !errors.As(err, &more) {
		return ImportResult{}, err
	}
	return ImportResult{}, bad.With(more)
}

// ImportSchools creates or updates schools by code, all or nothing. Rows
// whose division is unknown are reported by line, after the parser's own
// checks; with dryRun nothing is written.
//
// It is the roster import's write path, so it is written for 100,000 rows
// (see README, Performance): the schools, their audit entries and their
// coverage go in bulk (insertRows), the new schools' ids are read back in
// one query, and their coverage is derived from the rows in hand
// (refreshNewSchools) instead of being read back.
func (s *Store) ImportSchools(ctx context.Context, actor model.User, rows []model.SchoolLine, dryRun bool) (_ ImportResult, err error) {
	defer wrap(&err, "import %d schools", len(rows))
	var res ImportResult
	defer s.importCache(ctx, len(rows))()
	err = s.bulkTransaction(ctx, func(tx *gorm.DB) error {
		if bad, err := checkRosterDivisions(tx, rows); err != nil {
			return err
		} else if len(bad) > 0 {
			return bad
		}
		existing, err := existingSchools(tx, rows)
		if err != nil {
			return err
		}
		var changed []int64
		batch := make([]schoolRow, 0, len(rows))
		// One import, one moment: every row and audit entry carries it.
		now := s.now().UTC()
		for _, r := range rows {
			row := schoolRowOf(r.School)
			row.Active = true
			row.CreatedAt, row.UpdatedAt = now, now
			if old, ok := existing[row.Code]; ok {
				res.Updated++
				row.ID, row.Active, row.CreatedAt = old.ID, old.Active, old.CreatedAt
				if old.Students != row.Students || old.Boarders != row.Boarders || old.DivisionCode != row.DivisionCode {
					changed = append(changed, old.ID)
				}
			} else {
				res.Created++
			}
			batch = append(batch, row)
		}
		if dryRun {
			return errDryRun
		}
		if len(batch) == 0 {
			return nil
		}
		// In code order, every index (code, division, the audit's entity
		// and division) grows at its end instead of at random places.
		if !slices.IsSortedFunc(batch, compareCodes) {
			slices.SortFunc(batch, compareCodes)
		}
		// The Go work runs beside SQLite's (README, Performance): the
		// audit entries are made and chained in another goroutine while
		// the schools are written, the new schools' coverage is derived
		// while the audit entries are. The chain's lock comes before the
		// schools' rows: see lockAuditChain.
		head, err := s.auditHead(tx)
		if err != nil {
			return err
		}
		// The entries read a copy: newSchools sets ids in batch meanwhile.
		sorted, origin := slices.Clone(batch), originOf(tx.Statement.Context)
		entries := inBackground(func() []auditRow {
			return s.importEntries(now, actor, sorted, existing, head, origin)
		})
		var lastID int64
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM schools").Scan(&lastID).Error; err != nil {
			return err
		}
		// With no school of the roster there yet (and no code twice),
		// nothing can conflict on SQLite, the only writer: a plain INSERT
		// (see orFail). PostgreSQL may have another writer adding one.
		table := schoolTable
		if len(existing) == 0 && !s.postgres && !hasDuplicateCode(batch) {
			table = table.insertOnly()
		}
		if err := s.insertRows(tx, table, len(batch), func(i int, args []any) []any {
			r := &batch[i]
			return append(args, r.Code, r.Name, r.Type, r.DivisionCode, r.Address, int64(r.Students), int64(r.Boarders),
				r.PoliceStation, r.Ownership, r.Active, r.CreatedAt, r.UpdatedAt)
		}); err != nil {
			return err
		}
		added, err := s.newSchools(tx, batch, existing, lastID)
		if err != nil {
			return err
		}
		fresh, err := s.newSchoolsRefresh(tx, added)
		if err != nil {
			return err
		}
		derived := inBackground(func() error { return fresh.deriveNew(added) })
		if err := s.writeAudit(tx, entries()); err != nil {
			return err
		}
		if err := s.refreshSchools(tx, changed...); err != nil {
			return err
		}
		if err := derived(); err != nil || len(added) == 0 {
			return err
		}
		return s.writeRefresh(tx, fresh)
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// importEntries makes the import's audit entries, one per school of
// batch, chained after head. A new school's entry records it before it has
// an id, as it always has.
func (s *Store) importEntries(now time.Time, actor model.User, batch []schoolRow, existing map[string]schoolRow,
	head string, origin Origin) []auditRow {
	entries := make([]auditRow, len(batch))
	for i, r := range batch {
		var before any
		if old, ok := existing[r.Code]; ok {
			before = old.record()
		}
		entries[i] = s.auditEntryAt(now, actor, "import", "school", r.Code, r.DivisionCode, before, r.record())
	}
	chainAudit(head, entries, origin)
	return entries
}

func compareCodes(a, b schoolRow) int { return strings.Compare(a.Code, b.Code) }

// hasDuplicateCode reports whether a batch sorted by code has a code twice
// (a roster's parser rejects that; ImportSchools's other callers may not).
func hasDuplicateCode(sorted []schoolRow) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Code == sorted[i-1].Code {
			return true
		}
	}
	return false
}

var errDryRun = errors.New("dry run")

// schoolTable writes imported schools: a known code is updated, keeping
// its id, its open or closed state and its creation time.
var schoolTable = upsertTable("schools", []string{"code", "name", "type", "division_code", "address", "students",
	"boarders", "police_station", "ownership", "active", "created_at", "updated_at"}, []string{"code"}, "active", "created_at")

// checkRosterDivisions lists the rows whose division is unknown or not a
// county.
func checkRosterDivisions(tx *gorm.DB, rows []model.SchoolLine) (model.LineErrors, error) {
	var counties []divisionRow
	if err := tx.Select("code, name, level").Find(&counties).Error; err != nil {
		return nil, err
	}
	level := make(map[string]string, len(counties))
	for _, d := range counties {
		level[d.Code] = d.Level
	}
	var bad model.LineErrors
	for _, r := range rows {
		switch lv, ok := level[r.School.DivisionCode]; {
		case !ok:
			bad = append(bad, model.LineError{Line: r.Line, Message: fmt.Sprintf("division_code %s does not exist", r.School.DivisionCode)})
		case lv != string(model.LevelCounty):
			bad = append(bad, model.LineError{Line: r.Line, Message: fmt.Sprintf("division_code %s is %s level, not county", r.School.DivisionCode, lv)})
		}
	}
	return bad, nil
}

// existingSchools maps the codes of rows already in the database to their
// schools.
func existingSchools(tx *gorm.DB, rows []model.SchoolLine) (map[string]schoolRow, error) {
	existing := map[string]schoolRow{}
	var n int64
	if err := tx.Model(&schoolRow{}).Count(&n).Error; err != nil || n == 0 {
		return existing, err
	}
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.School.Code
	}
	for start := 0; start < len(codes); start += 500 {
		var found []schoolRow
		if err := tx.Where("code IN ?", codes[start:min(start+500, len(codes))]).Find(&found).Error; err != nil {
			return nil, err
		}
		for _, f := range found {
			existing[f.Code] = f
		}
	}
	return existing, nil
}

// newSchools sets the ids of the rows of batch that were not in existing,
// inserted with ids above lastID, and returns those rows: one query for all
// of them. A row inserted meanwhile by another writer (PostgreSQL) is not
// one of batch's codes, or was in existing, and is skipped. Written in
// batch's order, the rows usually come back in it and are matched as they
// come; a map finds the others.
func (s *Store) newSchools(tx *gorm.DB, batch []schoolRow, existing map[string]schoolRow, lastID int64) ([]schoolRow, error) {
	if len(existing) == len(batch) {
		return nil, nil
	}
	pending := make([]int, 0, len(batch)-len(existing))
	for i, r := range batch {
		// A code twice (hasDuplicateCode; batch is sorted by code) is one
		// school, its last row's values: match that row only.
		if _, ok := existing[r.Code]; !ok && (i+1 == len(batch) || batch[i+1].Code != r.Code) {
			pending = append(pending, i)
		}
	}
	var index map[string]int // of pending's rows not matched in order, made when needed
	rows, err := tx.Raw("SELECT id, code FROM schools WHERE id > ? ORDER BY id", lastID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	added := make([]schoolRow, 0, len(pending))
	next := 0 // the first row of pending not matched in order
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		i, ok := -1, false
		if index == nil && next < len(pending) && batch[pending[next]].Code == code {
			i, ok = pending[next], true
			next++
		} else {
			if index == nil {
				index = make(map[string]int, len(pending)-next)
				for _, j := range pending[next:] {
					index[batch[j].Code] = j
				}
			}
			if i, ok = index[code]; ok {
				delete(index, code)
			}
		}
		if ok {
			batch[i].ID = id
			added = append(added, batch[i])
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(added) != len(pending) {
		return nil, fmt.Errorf("store: %d imported schools not found after insert", len(pending)-len(added))
	}
	return added, nil
}

// importPageBytes is about what a school adds to a SQLite database with its
// audit entry, coverage rows and their indexes (139 MB for 100,000).
const importPageBytes = 1536

// importCache lets the SQLite writer keep every page an import of n
// schools writes (up to 2 GiB), so that its transaction does not spill
// pages to the log half-way only to write and read them again (a profile
// showed 170,000 page writes and 38,000 reads for 100,000 schools, against
// 70,000 writes without spilling). The returned function puts the usual
// size back.
func (s *Store) importCache(ctx context.Context, n int) func() {
	db := s.w.WithContext(ctx)
	var was int64
	if s.postgres || db.Raw("PRAGMA cache_size").Scan(&was).Error != nil {
		return func() {}
	}
	want := -min(int64(n)*importPageBytes*2/1024, 2<<20)
	if want >= was || (was > 0 && -want <= was*4) {
		return func() {}
	}
	if db.Exec(cacheSizePragma(want)).Error != nil {
		return func() {}
	}
	return func() { _ = db.Exec(cacheSizePragma(was)).Error }
}

// cacheSizePragma sets SQLite's page cache: pages if positive, KiB if
// negative. An integer is all it splices into the statement.
func cacheSizePragma(n int64) string { return "PRAGMA cache_size = " + strconv.FormatInt(n, 10) }

// inBackground runs f in a goroutine of its own and returns the function
// that waits for its result. A panic in f is raised again in the goroutine
// that waits, where it would have been raised had f run there: the
// transaction rolls back and the server's recovery answers 500, instead
// of the whole process ending. A caller that returns early without waiting
// leaves nothing blocked (the result's channel has room for it).
func inBackground[T any](f func() T) func() T {
	result := make(chan func() T, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				result <- func() T { panic(p) }
			}
		}()
		v := f()
		result <- func() T { return v }
	}()
	return func() T { return (<-result)() }
}
