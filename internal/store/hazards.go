package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type hazardRow struct {
	ID          int64 `gorm:"primaryKey"`
	SchoolID    int64
	Measure     string
	Description string
	Severity    string
	Deadline    model.Date
	State       string
	Answer      string
	RaisedBy    *int64
	RaisedAt    time.Time
	AnsweredAt  *time.Time
	ClosedBy    *int64
	ClosedAt    *time.Time
}

func (hazardRow) TableName() string { return "hazards" }

func (r hazardRow) model() model.Hazard {
	h := model.Hazard{
		ID: r.ID, SchoolID: r.SchoolID, Measure: model.Measure(r.Measure), Description: r.Description,
		Severity: model.Severity(r.Severity), Deadline: r.Deadline, State: model.HazardState(r.State),
		Answer: r.Answer, RaisedAt: r.RaisedAt, ClosedAt: r.ClosedAt,
	}
	if r.RaisedBy != nil {
		h.RaisedBy = *r.RaisedBy
	}
	return h
}

// HazardInput is what an inspector records.
type HazardInput struct {
	Measure     model.Measure
	Description string
	Severity    model.Severity
	Deadline    model.Date
}

// Validate checks a hazard's fields.
func (in HazardInput) Validate(today model.Date) model.FieldErrors {
	var errs model.FieldErrors
	if !in.Measure.Valid() && in.Measure != model.MeasureOther {
		errs = append(errs, model.FieldError{Field: "measure", Message: fmt.Sprintf("measure %q is not a measure key or other", in.Measure)})
	}
	if strings.TrimSpace(in.Description) == "" {
		errs = append(errs, model.FieldError{Field: "description", Message: "a description is required"})
	} else if len([]rune(in.Description)) > 5000 {
		errs = append(errs, model.FieldError{Field: "description", Message: "the description is longer than 5000 characters"})
	}
	switch in.Severity {
	case model.Low, model.Medium, model.High:
	default:
		errs = append(errs, model.FieldError{Field: "severity", Message: fmt.Sprintf("severity %q is not low, medium or high", in.Severity)})
	}
	if in.Deadline < today {
		errs = append(errs, model.FieldError{Field: "deadline", Message: "deadline " + in.Deadline.String() + " is in the past"})
	}
	return errs
}

// CreateHazard raises a hazard; from now its measure is not covered.
func (s *Store) CreateHazard(ctx context.Context, actor model.User, schoolID int64, in HazardInput) (model.Hazard, error) {
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.Hazard{}, errs
	}
	row := hazardRow{SchoolID: schoolID, Measure: string(in.Measure), Description: strings.TrimSpace(in.Description),
		Severity: string(in.Severity), Deadline: in.Deadline, State: string(model.HazardOpen), RaisedAt: s.now().UTC()}
	if actor.ID != 0 {
		row.RaisedBy = &actor.ID
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		division, code, err := schoolPlace(tx, schoolID)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "create", "hazard", itoa(row.ID), division, nil,
			map[string]any{"school": code, "measure": row.Measure, "severity": row.Severity, "deadline": row.Deadline, "description": row.Description}); err != nil {
			return err
		}
		if err := s.notifyEvent(tx, model.KindHazardRaised, row.ID, schoolID, hazardParams(row)); err != nil {
			return err
		}
		return s.refreshSchools(tx, schoolID)
	})
	return row.model(), err
}

// CloseHazard closes an open or answered hazard; a closed one is ErrConflict.
func (s *Store) CloseHazard(ctx context.Context, actor model.User, id int64) (model.Hazard, error) {
	return s.closeHazard(ctx, actor, id, []model.HazardState{model.HazardOpen, model.HazardAnswered}, "")
}

// Hazard returns one hazard.
func (s *Store) Hazard(ctx context.Context, id int64) (model.Hazard, error) {
	var r hazardRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Hazard{}, notFound(err)
	}
	return r.model(), nil
}

// OpenHazards returns the school's hazards that are not closed, by deadline.
func (s *Store) OpenHazards(ctx context.Context, schoolID int64) ([]model.Hazard, error) {
	var rows []hazardRow
	err := s.r.WithContext(ctx).Where("school_id = ? AND state <> ?", schoolID, string(model.HazardClosed)).
		Order("deadline, id").Find(&rows).Error
	out := make([]model.Hazard, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, err
}

// openHazardsOf maps each school to its measures with an open hazard, each
// to its oldest open hazard's id.
func openHazardsOf(tx *gorm.DB, ids []int64) (map[int64]map[model.Measure]int64, error) {
	var rows []hazardRow
	if err := tx.Select("id, school_id, measure").Where("school_id IN ? AND state <> ?", ids, string(model.HazardClosed)).
		Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64]map[model.Measure]int64{}
	for _, h := range rows {
		if out[h.SchoolID] == nil {
			out[h.SchoolID] = map[model.Measure]int64{}
		}
		if _, ok := out[h.SchoolID][model.Measure(h.Measure)]; !ok {
			out[h.SchoolID][model.Measure(h.Measure)] = h.ID
		}
	}
	return out, nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
