package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The guard register. The whole resident ID number reaches the store only
// to be checked and hashed: it is never written to a table, the audit log
// or a log line; rows keep the keyed hash and the masked form.

type guardRow struct {
	ID        int64 `gorm:"primaryKey"`
	SchoolID  int64
	Name      string
	IDHash    string
	IDMasked  string
	LicenceNo string
	Employer  string
	HiredOn   model.Date
	TrainedOn *model.Date
	LeftOn    *model.Date
	CreatedBy *int64
	CreatedAt time.Time
}

func (guardRow) TableName() string { return "guards" }

func (r guardRow) model() model.Guard {
	g := model.Guard{ID: r.ID, SchoolID: r.SchoolID, Name: r.Name, IDMasked: r.IDMasked, LicenceNo: r.LicenceNo,
		Employer: r.Employer, HiredOn: r.HiredOn, CreatedAt: r.CreatedAt}
	if r.TrainedOn != nil {
		g.TrainedOn = *r.TrainedOn
	}
	if r.LeftOn != nil {
		g.LeftOn = *r.LeftOn
	}
	return g
}

// auditValue is what the audit log keeps of an entry: never the whole ID.
func (r guardRow) auditValue(schoolCode string) map[string]any {
	v := map[string]any{"school": schoolCode, "name": r.Name, "id_number_masked": r.IDMasked, "licence_no": r.LicenceNo,
		"employer": r.Employer, "hired_on": r.HiredOn}
	if r.TrainedOn != nil {
		v["trained_on"] = *r.TrainedOn
	}
	if r.LeftOn != nil {
		v["left_on"] = *r.LeftOn
	}
	return v
}

func optionalDate(d model.Date) *model.Date {
	if d == 0 {
		return nil
	}
	return &d
}

// activeGuards restricts a guards query to the entries active on day d;
// alias is how the query names the guards table ("" or "g.", "g2.", "g3.").
func activeGuards(db *gorm.DB, alias string, d model.Date) *gorm.DB {
	return db.Where(activeOn(alias), d, d)
}

// activeOn is the "active on day ?" condition under one of the aliases the
// store's queries give the guards table, written out whole (the store never
// builds SQL text from a parameter; see sqlsafety_test.go).
func activeOn(alias string) string {
	switch alias {
	case "":
		return "hired_on <= ? AND (left_on IS NULL OR left_on > ?)"
	case "g.":
		return "g.hired_on <= ? AND (g.left_on IS NULL OR g.left_on > ?)"
	case "g2.":
		return "g2.hired_on <= ? AND (g2.left_on IS NULL OR g2.left_on > ?)"
	case "g3.":
		return "g3.hired_on <= ? AND (g3.left_on IS NULL OR g3.left_on > ?)"
	}
	panic("store: guards alias " + alias)
}

// newGuardRows checks and hashes the entries for a school, reporting each
// entry's problems under its index; duplicates of a person already active
// at the school, or twice among the entries, are problems too.
func (s *Store) newGuardRows(ctx context.Context, actor model.User, schoolID int64, ins []model.GuardInput) ([]guardRow, map[int]model.FieldErrors, error) {
	today := s.Today()
	rows := make([]guardRow, len(ins))
	problems := map[int]model.FieldErrors{}
	seen := map[string]int{}
	var hashes []string
	for i, in := range ins {
		in = in.Normalize()
		errs := in.Validate(today)
		if errs.For("id_number") == "" {
			h, err := s.residentHash(ctx, in.IDNumber)
			if err != nil {
				return nil, nil, err
			}
			if first, dup := seen[h]; dup {
				errs = append(errs, duplicateGuard(first))
			} else {
				seen[h] = i
				hashes = append(hashes, h)
			}
			rows[i].IDHash = h
		}
		if len(errs) > 0 {
			problems[i] = errs
			continue
		}
		rows[i] = guardRow{SchoolID: schoolID, Name: in.Name, IDHash: rows[i].IDHash, IDMasked: model.MaskResidentID(in.IDNumber),
			LicenceNo: in.LicenceNo, Employer: in.Employer, HiredOn: in.HiredOn, TrainedOn: optionalDate(in.TrainedOn),
			CreatedBy: actorID(actor), CreatedAt: s.now().UTC()}
	}
	if len(hashes) > 0 {
		var taken []string
		if err := activeGuards(s.r.WithContext(ctx).Model(&guardRow{}), "", today).
			Where("school_id = ? AND id_hash IN ?", schoolID, hashes).Pluck("id_hash", &taken).Error; err != nil {
			return nil, nil, err
		}
		for _, h := range taken {
			problems[seen[h]] = append(problems[seen[h]], model.NewFieldError("id_number", "guard_registered", nil,
				"this person is already on the school's register"))
		}
	}
	return rows, problems, nil
}

func duplicateGuard(first int) model.FieldError {
	return model.NewFieldError("id_number", "guard_twice", map[string]any{"Index": first},
		"the same resident ID number is given twice in this file")
}

// AddGuard puts a guard on a school's register. Bad values are
// model.FieldErrors; a closed school is ErrSchoolClosed.
func (s *Store) AddGuard(ctx context.Context, actor model.User, schoolID int64, in model.GuardInput) (_ model.Guard, err error) {
	defer wrap(&err, "add guard to school %d", schoolID)
	rows, problems, err := s.newGuardRows(ctx, actor, schoolID, []model.GuardInput{in})
	if err != nil {
		return model.Guard{}, err
	}
	if errs := problems[0]; len(errs) > 0 {
		return model.Guard{}, errs
	}
	if err := s.insertGuards(ctx, actor, schoolID, rows, "create"); err != nil {
		return model.Guard{}, err
	}
	return rows[0].model(), nil
}

// ImportGuards adds every guard of a file to a school's register, or none:
// any bad line, or any problem the file's reader found before (earlier),
// and it returns model.LineErrors naming each.
func (s *Store) ImportGuards(ctx context.Context, actor model.User, schoolID int64, lines []model.GuardLine, earlier model.LineErrors) (_ int, err error) {
	defer wrap(&err, "import guards of school %d", schoolID)
	ins := make([]model.GuardInput, len(lines))
	for i, l := range lines {
		ins[i] = l.Guard
	}
	rows, problems, err := s.newGuardRows(ctx, actor, schoolID, ins)
	if err != nil {
		return 0, err
	}
	bad := earlier
	for i, l := range lines {
		for _, e := range problems[i] {
			msg := e.Message
			if e.Key == "guard_twice" {
				msg = "the same resident ID number is already on line " + itoa(int64(lines[e.Args["Index"].(int)].Line))
			}
			bad = append(bad, model.LineError{Line: l.Line, Message: msg})
		}
	}
	if len(bad) > 0 {
		return 0, bad.With(nil)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return len(rows), s.insertGuards(ctx, actor, schoolID, rows, "import")
}

// insertGuards writes checked entries and audits each, in one transaction.
func (s *Store) insertGuards(ctx context.Context, actor model.User, schoolID int64, rows []guardRow, action string) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		school, err := openSchoolRow(tx, schoolID)
		if err != nil {
			return err
		}
		if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.audit(tx, actor, action, "guard", itoa(r.ID), school.DivisionCode, nil, r.auditValue(school.Code)); err != nil {
				return err
			}
		}
		return nil
	})
}

// openSchoolRow loads a school that must be open.
func openSchoolRow(tx *gorm.DB, schoolID int64) (schoolRow, error) {
	var school schoolRow
	if err := tx.Where("id = ?", schoolID).Take(&school).Error; err != nil {
		return school, notFound(err)
	}
	if err := requireOpenSchool(tx, schoolID); err != nil {
		return school, err
	}
	return school, nil
}

// Guard returns one register entry (without its conflict).
func (s *Store) Guard(ctx context.Context, id int64) (_ model.Guard, err error) {
	defer wrap(&err, "guard %d", id)
	var r guardRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Guard{}, notFound(err)
	}
	return r.model(), nil
}

// LeaveGuard records the first day a guard no longer works at the school.
// A guard who has already left is ErrConflict.
func (s *Store) LeaveGuard(ctx context.Context, actor model.User, id int64, leftOn model.Date) (_ model.Guard, err error) {
	defer wrap(&err, "guard %d leaves", id)
	var out guardRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r guardRow
		if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err)
		}
		if e := r.model().LeaveDateError("left_on", leftOn, s.Today()); e != nil {
			return model.FieldErrors{*e}
		}
		school, err := openSchoolRow(tx, r.SchoolID)
		if err != nil {
			return err
		}
		res := tx.Model(&guardRow{}).Where("id = ? AND left_on IS NULL", id).Update("left_on", leftOn)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrConflict
		}
		out = r
		out.LeftOn = &leftOn
		return s.audit(tx, actor, "leave", "guard", itoa(id), school.DivisionCode, r.auditValue(school.Code), out.auditValue(school.Code))
	})
	return out.model(), err
}

// SchoolGuards returns a school's register, active entries first (by
// name), then those who left (latest first), each active one marked when
// its licence number is active at another school today.
func (s *Store) SchoolGuards(ctx context.Context, schoolID int64) (_ []model.Guard, err error) {
	defer wrap(&err, "guards of school %d", schoolID)
	db := s.r.WithContext(ctx)
	var rows []guardRow
	if err := db.Where("school_id = ?", schoolID).Order("left_on DESC, name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]model.Guard, 0, len(rows))
	var licences []string
	for _, r := range rows {
		g := r.model()
		if g.ActiveOn(today) && g.LicenceNo != "" {
			licences = append(licences, g.LicenceNo)
		}
		out = append(out, g)
	}
	if len(licences) > 0 {
		var others []struct {
			LicenceNo string
			Code      string
		}
		if err := activeGuards(db.Table("guards g").Joins("JOIN schools s ON s.id = g.school_id"), "g.", today).
			Where("g.licence_no IN ? AND g.school_id <> ?", licences, schoolID).
			Distinct("g.licence_no", "s.code").Order("s.code").Scan(&others).Error; err != nil {
			return nil, err
		}
		at := map[string][]string{}
		for _, o := range others {
			at[o.LicenceNo] = append(at[o.LicenceNo], o.Code)
		}
		for i, g := range out {
			if codes := at[g.LicenceNo]; g.ActiveOn(today) && len(codes) > 0 {
				out[i].Conflict, out[i].ConflictSchools = true, codes
			}
		}
	}
	// Active entries first; SQL put NULL left_on last on SQLite and first
	// on PostgreSQL, so order here.
	active := out[:0:0]
	var gone []model.Guard
	for _, g := range out {
		if g.ActiveOn(today) {
			active = append(active, g)
		} else {
			gone = append(gone, g)
		}
	}
	return append(active, gone...), nil
}

// GuardCount is what a school's register says on day d.
func (s *Store) GuardCount(ctx context.Context, schoolID int64, d model.Date) (_ model.GuardCount, err error) {
	defer wrap(&err, "guard count of school %d", schoolID)
	var rows []guardRow
	if err := s.r.WithContext(ctx).Select("hired_on, left_on, licence_no").Where("school_id = ?", schoolID).Find(&rows).Error; err != nil {
		return model.GuardCount{}, err
	}
	guards := make([]model.Guard, len(rows))
	for i, r := range rows {
		guards[i] = r.model()
	}
	return model.CountGuards(guards, d), nil
}

// GuardConflicts lists the licence numbers active today at two or more
// schools, at least one of them in the division's subtree ("" = all).
func (s *Store) GuardConflicts(ctx context.Context, under string) (_ []model.GuardConflict, err error) {
	defer wrap(&err, "guard conflicts under %q", under)
	db := s.r.WithContext(ctx)
	today := s.Today()
	inner := activeGuards(db.Table("guards g2"), "g2.", today).Where("g2.licence_no <> ''").
		Group("g2.licence_no").Having("COUNT(DISTINCT g2.school_id) > 1").Select("g2.licence_no")
	q := activeGuards(db.Table("guards g").Joins("JOIN schools s ON s.id = g.school_id"), "g.", today).
		Where("g.licence_no IN (?)", inner)
	if under != "" {
		q = q.Where("g.licence_no IN (?)", activeGuards(db.Table("guards g3").Joins("JOIN schools s3 ON s3.id = g3.school_id"), "g3.", today).
			Where("s3.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", under).Select("g3.licence_no"))
	}
	var hits []struct {
		ID         int64
		SchoolCode string
		SchoolName string
	}
	if err := q.Select("g.id, s.code AS school_code, s.name AS school_name").Order("g.licence_no, s.code, g.id").Scan(&hits).Error; err != nil {
		return nil, err
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var rows []guardRow
	if err := db.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]guardRow, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	var out []model.GuardConflict
	for _, h := range hits {
		g := byID[h.ID].model()
		if len(out) == 0 || out[len(out)-1].LicenceNo != g.LicenceNo {
			out = append(out, model.GuardConflict{LicenceNo: g.LicenceNo})
		}
		c := &out[len(out)-1]
		c.Guards = append(c.Guards, model.GuardAt{Guard: g, SchoolCode: h.SchoolCode, SchoolName: h.SchoolName})
	}
	return out, nil
}
