package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type inspectionRow struct {
	ID           int64 `gorm:"primaryKey"`
	SchoolID     int64
	InspectedOn  model.Date
	InspectorID  *int64
	Inspector    string
	Participants string
	Notes        string
	CreatedAt    time.Time
}

func (inspectionRow) TableName() string { return "inspections" }

type findingRow struct {
	InspectionID int64  `gorm:"primaryKey"`
	Measure      string `gorm:"primaryKey"`
	Result       string
	Note         string
	HazardID     *int64
}

func (findingRow) TableName() string { return "inspection_findings" }

func (r inspectionRow) model(findings []findingRow) model.Inspection {
	in := model.Inspection{ID: r.ID, SchoolID: r.SchoolID, InspectedOn: r.InspectedOn, Inspector: r.Inspector,
		Participants: r.Participants, Notes: r.Notes, CreatedAt: r.CreatedAt}
	if r.InspectorID != nil {
		in.InspectorID = *r.InspectorID
	}
	byMeasure := map[string]findingRow{}
	for _, f := range findings {
		byMeasure[f.Measure] = f
	}
	for _, m := range model.InspectionTargets {
		f, ok := byMeasure[string(m)]
		if !ok {
			continue
		}
		fd := model.Finding{Measure: m, Result: model.FindingResult(f.Result), Note: f.Note}
		if f.HazardID != nil {
			fd.HazardID = *f.HazardID
		}
		in.Findings = append(in.Findings, fd)
	}
	return in
}

// FindingInput is one measure's finding as the inspector records it; a
// problem may raise a hazard at once.
type FindingInput struct {
	Measure  model.Measure
	Result   model.FindingResult
	Note     string
	Raise    bool // raise a hazard from this problem
	Severity model.Severity
	Deadline model.Date
}

// InspectionInput is an on-site inspection as recorded.
type InspectionInput struct {
	InspectedOn  model.Date
	Participants string
	Notes        string
	Findings     []FindingInput
}

// Validate checks an inspection: a date not in the future, a known result
// for each target, a note for each problem, and for each hazard to raise a
// severity and a deadline not before today. Field names are those of the
// form: "inspected_on", "<measure>.result", "<measure>.note",
// "<measure>.severity", "<measure>.deadline".
func (in InspectionInput) Validate(today model.Date) model.FieldErrors {
	var errs model.FieldErrors
	add := func(field, format string, a ...any) {
		errs = append(errs, model.FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if in.InspectedOn == 0 {
		add("inspected_on", "the inspection date is required")
	} else if in.InspectedOn > today {
		add("inspected_on", "inspection date %s is in the future", in.InspectedOn)
	} else if e := model.RealDateError("inspected_on", in.InspectedOn, today); e != nil {
		errs = append(errs, *e)
	}
	if len([]rune(in.Participants)) > 500 {
		add("participants", "the participants are longer than 500 characters")
	}
	if len([]rune(in.Notes)) > maxNote {
		add("notes", "the notes are longer than %d characters", maxNote)
	}
	seen := map[model.Measure]bool{}
	for _, f := range in.Findings {
		m := string(f.Measure)
		if !f.Measure.Valid() && f.Measure != model.MeasureOther {
			add(m+".result", "%q is not a measure key or other", m)
			continue
		}
		if seen[f.Measure] {
			add(m+".result", "%s is given twice", m)
			continue
		}
		seen[f.Measure] = true
		if !f.Result.Valid() {
			add(m+".result", "result %q is not ok, problem or not_checked", f.Result)
			continue
		}
		if len([]rune(f.Note)) > maxNote {
			add(m+".note", "the note is longer than %d characters", maxNote)
		}
		if f.Result != model.FindingProblem {
			continue
		}
		if strings.TrimSpace(f.Note) == "" {
			add(m+".note", "describe the problem found")
		}
		if !f.Raise {
			continue
		}
		switch f.Severity {
		case model.Low, model.Medium, model.High:
		default:
			add(m+".severity", "severity %q is not low, medium or high", f.Severity)
		}
		if f.Deadline == 0 {
			add(m+".deadline", "a rectification deadline is required")
		} else if f.Deadline < today {
			add(m+".deadline", "deadline %s is in the past", f.Deadline)
		}
	}
	return errs
}

// CreateInspection records an inspection and raises a hazard from every
// problem marked for it, all in one transaction: the school's coverage
// loses each such measure at once.
func (s *Store) CreateInspection(ctx context.Context, actor model.User, schoolID int64, in InspectionInput) (_ model.Inspection, err error) {
	defer wrap(&err, "record inspection of school %d", schoolID)
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.Inspection{}, errs
	}
	now := s.now().UTC()
	row := inspectionRow{SchoolID: schoolID, InspectedOn: in.InspectedOn, InspectorID: actorID(actor), Inspector: actor.Username,
		Participants: strings.TrimSpace(in.Participants), Notes: strings.TrimSpace(in.Notes), CreatedAt: now}
	var findings []findingRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var school schoolRow
		if err := tx.Where("id = ?", schoolID).Take(&school).Error; err != nil {
			return notFound(err)
		}
		if err := requireOpenSchool(tx, schoolID); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var raised []map[string]any
		for _, f := range in.Findings {
			fr := findingRow{InspectionID: row.ID, Measure: string(f.Measure), Result: string(f.Result), Note: strings.TrimSpace(f.Note)}
			if f.Result == model.FindingProblem && f.Raise {
				h := hazardRow{SchoolID: schoolID, Measure: string(f.Measure), Description: fr.Note, Severity: string(f.Severity),
					Deadline: f.Deadline, State: string(model.HazardOpen), RaisedBy: actorID(actor), RaisedAt: now, InspectionID: &row.ID}
				if err := tx.Create(&h).Error; err != nil {
					return err
				}
				if err := s.countRaised(tx, h); err != nil {
					return err
				}
				if err := s.audit(tx, actor, "create", "hazard", itoa(h.ID), school.DivisionCode, nil,
					map[string]any{"school": school.Code, "measure": h.Measure, "severity": h.Severity, "deadline": h.Deadline,
						"description": h.Description, "inspection": row.ID}); err != nil {
					return err
				}
				if err := s.notifyEvent(tx, model.KindHazardRaised, h.ID, schoolID, hazardParams(h)); err != nil {
					return err
				}
				fr.HazardID = &h.ID
				raised = append(raised, map[string]any{"measure": h.Measure, "hazard": h.ID})
			}
			findings = append(findings, fr)
		}
		if len(findings) > 0 {
			if err := tx.Create(&findings).Error; err != nil {
				return err
			}
		}
		summary := map[string]any{"school": school.Code, "inspected_on": row.InspectedOn, "participants": row.Participants, "notes": row.Notes}
		for _, f := range findings {
			summary[f.Measure] = f.Result
		}
		if len(raised) > 0 {
			summary["hazards"] = raised
		}
		if err := s.audit(tx, actor, "create", "inspection", itoa(row.ID), school.DivisionCode, nil, summary); err != nil {
			return err
		}
		a := activity{}
		if err := s.countInspection(tx, a, schoolID, row.ID, row.InspectedOn); err != nil {
			return err
		}
		if err := s.writeActivity(tx, a); err != nil {
			return err
		}
		if len(raised) == 0 {
			return nil
		}
		return s.refreshSchools(tx, schoolID)
	})
	if err != nil {
		return model.Inspection{}, err
	}
	return row.model(findings), nil
}

// Inspection returns one inspection with its findings.
func (s *Store) Inspection(ctx context.Context, id int64) (_ model.Inspection, err error) {
	defer wrap(&err, "inspection %d", id)
	db := s.r.WithContext(ctx)
	var r inspectionRow
	if err := db.Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Inspection{}, notFound(err)
	}
	var findings []findingRow
	if err := db.Where("inspection_id = ?", id).Find(&findings).Error; err != nil {
		return model.Inspection{}, err
	}
	return r.model(findings), nil
}

// SchoolInspections returns a school's latest inspections, newest first,
// with their findings.
func (s *Store) SchoolInspections(ctx context.Context, schoolID int64, limit int) (_ []model.Inspection, err error) {
	defer wrap(&err, "inspections of school %d", schoolID)
	db := s.r.WithContext(ctx)
	var rows []inspectionRow
	if err := db.Where("school_id = ?", schoolID).Order("inspected_on DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var findings []findingRow
	if err := db.Where("inspection_id IN ?", ids).Find(&findings).Error; err != nil {
		return nil, err
	}
	by := map[int64][]findingRow{}
	for _, f := range findings {
		by[f.InspectionID] = append(by[f.InspectionID], f)
	}
	out := make([]model.Inspection, len(rows))
	for i, r := range rows {
		out[i] = r.model(by[r.ID])
	}
	return out, nil
}

// inspectionOfSchool checks that the inspection a hazard names (0: none)
// is one of the school's; any other is a bad value.
func inspectionOfSchool(tx *gorm.DB, inspectionID, schoolID int64) error {
	if inspectionID == 0 {
		return nil
	}
	var n int64
	if err := tx.Model(&inspectionRow{}).Where("id = ? AND school_id = ?", inspectionID, schoolID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return model.FieldErrors{{Field: "inspection_id", Message: fmt.Sprintf("inspection %d is not an inspection of this school", inspectionID)}}
	}
	return nil
}
