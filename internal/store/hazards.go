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
	// InspectionID is the inspection the hazard was found in, if any.
	InspectionID *int64
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
	if r.InspectionID != nil {
		h.InspectionID = *r.InspectionID
	}
	return h
}

// HazardInput is what an inspector records.
type HazardInput struct {
	Measure     model.Measure
	Description string
	Severity    model.Severity
	Deadline    model.Date
	// InspectionID names the inspection of the same school the hazard was
	// found in (0 = none).
	InspectionID int64
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
	} else if e := model.RealDateError("deadline", in.Deadline, today); e != nil {
		errs = append(errs, *e)
	}
	return errs
}

// CreateHazard raises a hazard; from now its measure is not covered.
func (s *Store) CreateHazard(ctx context.Context, actor model.User, schoolID int64, in HazardInput) (_ model.Hazard, err error) {
	defer wrap(&err, "raise hazard at school %d", schoolID)
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.Hazard{}, errs
	}
	row := hazardRow{SchoolID: schoolID, Measure: string(in.Measure), Description: strings.TrimSpace(in.Description),
		Severity: string(in.Severity), Deadline: in.Deadline, State: string(model.HazardOpen), RaisedAt: s.now().UTC()}
	if actor.ID != 0 {
		row.RaisedBy = &actor.ID
	}
	err = s.transact(ctx, func(tx *gorm.DB) error {
		row.ID = 0 // a run again (runTx) inserts anew
		division, code, err := schoolPlace(tx, schoolID)
		if err != nil {
			return err
		}
		if err := requireOpenSchool(tx, schoolID); err != nil {
			return err
		}
		if err := inspectionOfSchool(tx, in.InspectionID, schoolID); err != nil {
			return err
		}
		if in.InspectionID != 0 {
			row.InspectionID = &in.InspectionID
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "create", "hazard", itoa(row.ID), division, nil,
			map[string]any{"school": code, "measure": row.Measure, "severity": row.Severity, "deadline": row.Deadline,
				"description": row.Description, "inspection": row.InspectionID}); err != nil {
			return err
		}
		if err := s.notifyEvent(tx, model.KindHazardRaised, row.ID, schoolID, hazardParams(row)); err != nil {
			return err
		}
		if err := s.countRaised(tx, row); err != nil {
			return err
		}
		return s.refreshSchools(tx, schoolID)
	})
	return row.model(), err
}

// CloseHazard closes an open or answered hazard; a closed one is ErrConflict.
func (s *Store) CloseHazard(ctx context.Context, actor model.User, id int64) (_ model.Hazard, err error) {
	defer wrap(&err, "close hazard %d", id)
	return s.closeHazard(ctx, actor, id, []model.HazardState{model.HazardOpen, model.HazardAnswered}, "")
}

// Hazard returns one hazard.
func (s *Store) Hazard(ctx context.Context, id int64) (_ model.Hazard, err error) {
	defer wrap(&err, "hazard %d", id)
	var r hazardRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Hazard{}, notFound(err)
	}
	return r.model(), nil
}

// OpenHazards returns the school's hazards that are not closed, by deadline.
func (s *Store) OpenHazards(ctx context.Context, schoolID int64) (_ []model.Hazard, err error) {
	defer wrap(&err, "open hazards of school %d", schoolID)
	var rows []hazardRow
	err = s.r.WithContext(ctx).Where("school_id = ? AND state <> ?", schoolID, string(model.HazardClosed)).
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

// A hazard's life after it is raised: the school answers (open → answered),
// the inspector closes it (→ closed) or sends it back (answered → open).
// Every step is a conditional update, so when two people act on one hazard
// at once one wins and the other gets ErrConflict; every step is audited
// and re-derives the school's coverage in the same transaction.

type hazardEventRow struct {
	ID       int64 `gorm:"primaryKey"`
	HazardID int64
	Kind     string
	Note     string
	UserID   *int64
	Username string
	At       time.Time
}

func (hazardEventRow) TableName() string { return "hazard_events" }

func (r hazardEventRow) model() model.HazardEvent {
	e := model.HazardEvent{ID: r.ID, HazardID: r.HazardID, Kind: model.HazardEventKind(r.Kind), Note: r.Note, Username: r.Username, At: r.At}
	if r.UserID != nil {
		e.UserID = *r.UserID
	}
	return e
}

// maxNote is the longest answer, send-back reason or closing note.
const maxNote = 5000

func checkNote(field, note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case note == "" && required:
		return "", model.FieldErrors{{Field: field, Message: "a " + strings.ReplaceAll(field, "_", " ") + " is required"}}
	case len([]rune(note)) > maxNote:
		return "", model.FieldErrors{{Field: field, Message: fmt.Sprintf("the %s is longer than %d characters", strings.ReplaceAll(field, "_", " "), maxNote)}}
	}
	return note, nil
}

// AnswerHazard records the school's answer to an open hazard, with the
// evidence files already saved by the caller; anything but an open hazard
// is ErrConflict. The measure stays uncovered until an inspector closes it.
func (s *Store) AnswerHazard(ctx context.Context, actor model.User, id int64, answer string, files []EvidenceInput) (_ model.Hazard, err error) {
	defer wrap(&err, "answer hazard %d", id)
	answer, err = checkNote("answer", answer, true)
	if err != nil {
		return model.Hazard{}, err
	}
	return s.stepHazard(ctx, actor, id, s.answerStep(actor, answer, files))
}

// answerStep is the step of answering a hazard (keyed or not): the school
// must be open, the files join the answer, and the inspectors are told.
func (s *Store) answerStep(actor model.User, answer string, files []EvidenceInput) hazardStep {
	return hazardStep{
		from: []model.HazardState{model.HazardOpen}, to: model.HazardAnswered, kind: model.HazardAnswer, note: answer,
		set: map[string]any{"state": string(model.HazardAnswered), "answer": answer, "answered_at": s.now().UTC()},
		after: func(tx *gorm.DB, h hazardRow, eventID int64) error {
			if err := requireOpenSchool(tx, h.SchoolID); err != nil {
				return err
			}
			if _, err := s.addEvidence(tx, actor, h.SchoolID, 0, h.ID, eventID, files); err != nil {
				return err
			}
			return s.notifyEvent(tx, model.KindHazardAnswered, h.ID, h.SchoolID, hazardParams(h))
		},
	}
}

// SendBackHazard returns an answered hazard to the school with a reason:
// the answer did not fix it. Anything but an answered hazard is ErrConflict.
func (s *Store) SendBackHazard(ctx context.Context, actor model.User, id int64, reason string) (_ model.Hazard, err error) {
	defer wrap(&err, "send back hazard %d", id)
	reason, err = checkNote("reason", reason, true)
	if err != nil {
		return model.Hazard{}, err
	}
	return s.stepHazard(ctx, actor, id, hazardStep{
		from: []model.HazardState{model.HazardAnswered}, to: model.HazardOpen, kind: model.HazardSendBack, note: reason,
		set: map[string]any{"state": string(model.HazardOpen), "answer": "", "answered_at": nil},
	})
}

// CloseHazardFrom closes a hazard that is still in state from (what the
// inspector saw when deciding), with an optional note. A hazard that has
// moved on meanwhile is ErrConflict, so a close never silently overrides a
// send-back or an answer made at the same moment.
func (s *Store) CloseHazardFrom(ctx context.Context, actor model.User, id int64, from model.HazardState, note string) (_ model.Hazard, err error) {
	defer wrap(&err, "close hazard %d", id)
	note, err = checkNote("note", note, false)
	if err != nil {
		return model.Hazard{}, err
	}
	if from != model.HazardOpen && from != model.HazardAnswered {
		return model.Hazard{}, ErrConflict
	}
	return s.closeHazard(ctx, actor, id, []model.HazardState{from}, note)
}

func (s *Store) closeHazard(ctx context.Context, actor model.User, id int64, from []model.HazardState, note string) (model.Hazard, error) {
	return s.stepHazard(ctx, actor, id, hazardStep{
		from: from, to: model.HazardClosed, kind: model.HazardClose, note: note,
		set:   map[string]any{"state": string(model.HazardClosed), "closed_by": actorID(actor), "closed_at": s.now().UTC()},
		after: func(tx *gorm.DB, h hazardRow, _ int64) error { return s.countClosed(tx, h) },
	})
}

type hazardStep struct {
	from  []model.HazardState
	to    model.HazardState
	kind  model.HazardEventKind
	note  string
	set   map[string]any
	after func(tx *gorm.DB, h hazardRow, eventID int64) error
	// once names the step by a key; repeated is set when the key was used
	// before and the step was not taken again.
	once     oneShot
	repeated *bool
}

func (s *Store) stepHazard(ctx context.Context, actor model.User, id int64, st hazardStep) (model.Hazard, error) {
	var out hazardRow
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old hazardRow
		if err := tx.Where("id = ?", id).Take(&old).Error; err != nil {
			return notFound(err)
		}
		if _, repeated, err := s.claim(tx, st.once); repeated || err != nil {
			if repeated {
				*st.repeated, out = true, old
			}
			return err
		}
		from := make([]string, len(st.from))
		for i, f := range st.from {
			from[i] = string(f)
		}
		var err error
		if out, err = moveState[hazardRow](tx, id, from, st.set); err != nil {
			return err
		}
		ev := hazardEventRow{HazardID: id, Kind: string(st.kind), Note: st.note, UserID: actorID(actor), Username: actor.Username, At: s.now().UTC()}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if st.after != nil {
			if err := st.after(tx, out, ev.ID); err != nil {
				return err
			}
		}
		if err := s.settle(tx, st.once, ev.ID, string(st.to)); err != nil {
			return err
		}
		division, code, err := schoolPlace(tx, out.SchoolID)
		if err != nil {
			return err
		}
		if err := s.audit(tx, actor, string(st.kind), "hazard", itoa(id), division,
			map[string]any{"school": code, "state": old.State},
			map[string]any{"school": code, "state": out.State, "note": st.note}); err != nil {
			return err
		}
		return s.refreshSchools(tx, out.SchoolID)
	})
	if err != nil {
		return model.Hazard{}, err
	}
	return out.model(), nil
}

// HazardEvents returns what happened to a hazard after it was raised,
// oldest first.
func (s *Store) HazardEvents(ctx context.Context, id int64) (_ []model.HazardEvent, err error) {
	defer wrap(&err, "events of hazard %d", id)
	var rows []hazardEventRow
	if err := s.r.WithContext(ctx).Where("hazard_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.HazardEvent, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
