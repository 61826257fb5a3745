package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type schoolRow struct {
	ID            int64 `gorm:"primaryKey"`
	Code          string
	Name          string
	Type          string
	DivisionCode  string
	Address       string
	Students      int
	Boarders      int
	PoliceStation string
	Ownership     string
	Active        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (schoolRow) TableName() string { return "schools" }

func (r schoolRow) model() model.School {
	return model.School{
		ID: r.ID, Code: r.Code, Name: r.Name, Type: model.SchoolType(r.Type), DivisionCode: r.DivisionCode,
		Address: r.Address, Students: r.Students, Boarders: r.Boarders, PoliceStation: r.PoliceStation,
		Ownership: model.Ownership(r.Ownership), Active: r.Active,
	}
}

func schoolRowOf(s model.School) schoolRow {
	t, _ := model.ParseSchoolType(string(s.Type))
	o, _ := model.ParseOwnership(string(s.Ownership))
	return schoolRow{
		ID: s.ID, Code: strings.TrimSpace(s.Code), Name: strings.TrimSpace(s.Name), Type: string(t),
		DivisionCode: s.DivisionCode, Address: s.Address, Students: s.Students, Boarders: s.Boarders,
		PoliceStation: s.PoliceStation, Ownership: string(o), Active: s.Active,
	}
}

// School returns the school with the given code.
func (s *Store) School(ctx context.Context, code string) (_ model.School, err error) {
	defer wrap(&err, "school %s", code)
	// Plain SQL prepared once (hotreads.go): every request on a school's
	// API starts here, submissions included.
	var r schoolRow
	err = s.queryRow(ctx, "SELECT id, code, name, type, division_code, address, students, boarders, police_station, "+
		"ownership, active FROM schools WHERE code = ?", []any{code}, &r.ID, &r.Code, &r.Name, &r.Type, &r.DivisionCode,
		&r.Address, &r.Students, &r.Boarders, &r.PoliceStation, &r.Ownership, &r.Active)
	if err != nil {
		return model.School{}, notFound(err)
	}
	return r.model(), nil
}

// SchoolByID returns the school with the given id.
func (s *Store) SchoolByID(ctx context.Context, id int64) (_ model.School, err error) {
	defer wrap(&err, "school %d", id)
	var r schoolRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.School{}, notFound(err)
	}
	return r.model(), nil
}

// checkSchoolDivision reports a field error when the division is unknown or
// not county level.
func checkSchoolDivision(tx *gorm.DB, code string) (*model.FieldError, error) {
	var r divisionRow
	err := tx.Where("code = ?", code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		e := model.NewFieldError("division_code", "division_unknown", map[string]any{"Code": code}, "division %s does not exist", code)
		return &e, nil
	}
	if err != nil {
		return nil, err
	}
	if r.Level != string(model.LevelCounty) {
		e := model.NewFieldError("division_code", "division_not_county", map[string]any{"Code": code, "Name": r.Name},
			"division %s (%s) is not county level", code, r.Name)
		return &e, nil
	}
	return nil, nil
}

// SaveSchool creates a school (ID 0) or updates one, validating it first;
// invalid input comes back as model.FieldErrors. The change is audited and
// the school's coverage re-derived in the same transaction.
func (s *Store) SaveSchool(ctx context.Context, actor model.User, school model.School) (_ model.School, err error) {
	defer wrap(&err, "save school %s", school.Code)
	errs := school.Validate()
	if school.ID != 0 && errs.For("code") != "" && !model.ValidSchoolCode(school.Code) {
		// A school saved before the code rule keeps its code when edited.
		if old, err := s.SchoolByID(ctx, school.ID); err == nil && old.Code == school.Code {
			errs = errs.Without("code")
		}
	}
	if len(errs) > 0 {
		return school, errs
	}
	in := school
	err = s.runTx(ctx, func(tx *gorm.DB) error {
		// The chain's lock before the school's row: see lockAuditChain.
		if err := s.lockAuditChain(tx); err != nil {
			return err
		}
		if msg, err := checkSchoolDivision(tx, in.DivisionCode); err != nil {
			return err
		} else if msg != nil {
			return model.FieldErrors{*msg}
		}
		row := schoolRowOf(in)
		var old schoolRow
		action := "create"
		if in.ID != 0 {
			action = "update"
			if err := tx.Where("id = ?", in.ID).Take(&old).Error; err != nil {
				return notFound(err)
			}
			row.CreatedAt = old.CreatedAt
			row.Active = old.Active
		}
		var clash int64
		if err := tx.Model(&schoolRow{}).Where("code = ? AND id <> ?", row.Code, row.ID).Count(&clash).Error; err != nil {
			return err
		}
		if clash > 0 {
			return model.FieldErrors{model.NewFieldError("code", "code_taken", map[string]any{"Code": row.Code},
				"code %s is already used by another school", row.Code)}
		}
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		school = row.model()
		var before any
		if action == "update" {
			before = old.record()
		}
		if err := s.audit(tx, actor, action, "school", row.Code, row.DivisionCode, before, row.record()); err != nil {
			return err
		}
		return s.refreshSchools(tx, row.ID)
	})
	return school, err
}

// SetSchoolActive opens or closes a school. A closed school leaves every
// denominator from today but keeps its history.
func (s *Store) SetSchoolActive(ctx context.Context, actor model.User, code string, active bool) (err error) {
	defer wrap(&err, "set school %s active", code)
	return s.runTx(ctx, func(tx *gorm.DB) error {
		// The chain's lock before the school's row: see lockAuditChain.
		if err := s.lockAuditChain(tx); err != nil {
			return err
		}
		var row schoolRow
		if err := tx.Where("code = ?", code).Take(&row).Error; err != nil {
			return notFound(err)
		}
		if row.Active == active {
			return nil
		}
		if err := tx.Model(&row).Updates(map[string]any{"active": active, "updated_at": s.now().UTC()}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, map[bool]string{true: "activate", false: "deactivate"}[active], "school", code, row.DivisionCode,
			activeRecord{Active: !active}, activeRecord{Active: active}); err != nil {
			return err
		}
		return s.refreshSchools(tx, row.ID)
	})
}

// SchoolCount returns how many schools exist, closed ones included.
func (s *Store) SchoolCount(ctx context.Context) (_ int64, err error) {
	defer wrap(&err, "count schools")
	var n int64
	err = s.r.WithContext(ctx).Model(&schoolRow{}).Count(&n).Error
	return n, err
}

// SchoolIDs maps every school's code to its id.
func (s *Store) SchoolIDs(ctx context.Context) (_ map[string]int64, err error) {
	defer wrap(&err, "school ids")
	var rows []struct {
		ID   int64
		Code string
	}
	if err := s.r.WithContext(ctx).Model(&schoolRow{}).Select("id, code").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	return out, nil
}

// listItems turns rows into list items, each with its school and the name
// of the school's division (what every list shows beside a record), loading
// the schools and divisions of all rows at once.
func listItems[R, I any](db *gorm.DB, rows []R, schoolID func(R) int64, item func(r R, school schoolRow, division string) (I, error)) ([]I, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = schoolID(r)
	}
	ids = uniqueIDs(ids)
	byID := make(map[int64]schoolRow, len(ids))
	divisions := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		var schools []schoolRow
		if err := db.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&schools).Error; err != nil {
			return nil, err
		}
		for _, sr := range schools {
			byID[sr.ID] = sr
			divisions[sr.DivisionCode] = true
		}
	}
	names, err := divisionNames(db, keys(divisions))
	if err != nil {
		return nil, err
	}
	out := make([]I, len(rows))
	for i, r := range rows {
		sr := byID[schoolID(r)]
		if out[i], err = item(r, sr, names[sr.DivisionCode]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
