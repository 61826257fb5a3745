package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type checklistRow struct {
	ID            int64 `gorm:"primaryKey"`
	SchoolID      int64
	CheckedOn     model.Date
	State         string
	SchemaVersion int
	Facts         string
	Notes         string
	ReturnReason  string
	CreatedBy     *int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SubmittedAt   *time.Time
	ReviewedBy    *int64
	ReviewedAt    *time.Time
	MadeAt        *time.Time
}

func (checklistRow) TableName() string { return "checklists" }

func (r checklistRow) model() (model.Checklist, error) {
	c := r.header()
	var err error
	c.Facts, err = model.DecodeFacts([]byte(r.Facts))
	return c, err
}

// header is the checklist without its facts.
func (r checklistRow) header() model.Checklist {
	c := model.Checklist{
		ID: r.ID, SchoolID: r.SchoolID, CheckedOn: r.CheckedOn, State: model.ChecklistState(r.State),
		Notes: r.Notes, ReturnReason: r.ReturnReason, CreatedAt: r.CreatedAt, SubmittedAt: r.SubmittedAt,
		ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt, MadeAt: r.MadeAt,
	}
	if r.CreatedBy != nil {
		c.CreatedBy = *r.CreatedBy
	}
	return c
}

// ChecklistInput is what a school enters.
type ChecklistInput struct {
	CheckedOn model.Date
	Facts     model.Facts
	Notes     string
	Submit    bool // false saves a draft
	// Key, when set, makes the create idempotent for its user: a repeat
	// with the same key answers with the first checklist.
	Key string
	// MadeAt is when the checklist was filled in on the device, for one
	// filled without a network and sent later; nil when not told.
	MadeAt *time.Time
}

// maxMadeAgo is how far back a device's "made at" time is believed.
const maxMadeAgo = 366 * 24 * time.Hour

// madeAt keeps a device's time only when it is plausible: not in the
// future (beyond a few minutes of clock drift) and not over a year ago.
func (s *Store) madeAt(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	now := s.now().UTC()
	if t.After(now.Add(5*time.Minute)) || t.Before(now.Add(-maxMadeAgo)) {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Store) validateChecklist(in ChecklistInput) model.FieldErrors {
	errs := in.Facts.Validate(in.Submit)
	if e := model.ValidateCheckDate(in.CheckedOn, s.Today()); e != nil {
		errs = append(model.FieldErrors{*e}, errs...)
	}
	errs = append(errs, in.Facts.RealDateErrors(s.Today())...)
	if len([]rune(in.Notes)) > 5000 {
		errs = append(errs, model.FieldError{Field: "notes", Message: "notes are longer than 5000 characters"})
	}
	return errs
}

// CreateChecklist records a new checklist for the school, as a draft or
// submitted. Invalid input comes back as model.FieldErrors. With in.Key, a
// repeat by the same user answers with the first checklist (in the state it
// was created in) and creates nothing; the same key with other input is
// ErrKeyReused.
func (s *Store) CreateChecklist(ctx context.Context, actor model.User, schoolID int64, in ChecklistInput) (_ model.Checklist, err error) {
	defer wrap(&err, "create checklist for school %d", schoolID)
	once, err := newOneShot(actor, in.Key, "checklist", struct {
		School    int64
		CheckedOn model.Date
		Submit    bool
		Facts     model.Facts
		Notes     string
	}{schoolID, in.CheckedOn, in.Submit, in.Facts, strings.TrimSpace(in.Notes)})
	if err != nil {
		return model.Checklist{}, err
	}
	if prev, ok, err := s.earlier(ctx, once); ok || err != nil {
		if err != nil {
			return model.Checklist{}, err
		}
		return s.replayChecklist(ctx, prev)
	}
	if errs := s.validateChecklist(in); len(errs) > 0 {
		return model.Checklist{}, errs
	}
	facts, _ := json.Marshal(in.Facts)
	now := s.now().UTC()
	row := checklistRow{
		SchoolID: schoolID, CheckedOn: in.CheckedOn, State: string(model.Draft), SchemaVersion: model.FactsSchemaVersion,
		Facts: string(facts), Notes: strings.TrimSpace(in.Notes), CreatedAt: now, UpdatedAt: now, MadeAt: s.madeAt(in.MadeAt),
	}
	if actor.ID != 0 {
		row.CreatedBy = &actor.ID
	}
	if in.Submit {
		row.State, row.SubmittedAt = string(model.Submitted), &now
	}
	var prev idempotencyRow
	var repeated bool
	err = s.transact(ctx, func(tx *gorm.DB) error {
		school := schoolRow{ID: schoolID}
		if err := s.queryRowW(tx, "SELECT code, division_code, active FROM schools WHERE id = ?", []any{schoolID},
			&school.Code, &school.DivisionCode, &school.Active); err != nil {
			return notFound(err)
		}
		var err error
		if prev, repeated, err = s.claim(tx, once); repeated || err != nil {
			return err
		}
		if err := school.open(); err != nil {
			return err
		}
		if err := s.insertChecklist(tx, &row); err != nil {
			return err
		}
		if err := s.settle(tx, once, row.ID, row.State); err != nil {
			return err
		}
		if err := s.audit(tx, actor, "create", "checklist", itoa(row.ID), school.DivisionCode, nil,
			map[string]any{"school": school.Code, "state": row.State, "checked_on": row.CheckedOn, "facts": json.RawMessage(facts)}); err != nil {
			return err
		}
		if !in.Submit {
			return nil
		}
		if err := s.countChecklists(tx, model.ActivitySubmitted, schoolID); err != nil {
			return err
		}
		if w, ok := deferred(tx); ok {
			// The group's refresh takes the facts from here.
			c := row.header()
			c.Facts = in.Facts
			w.submitted = map[int64]*model.Checklist{row.ID: &c}
		}
		return s.refreshSchools(tx, schoolID)
	})
	if err != nil {
		return model.Checklist{}, err
	}
	if repeated {
		return s.replayChecklist(ctx, prev)
	}
	// The facts as given: decoding what was just encoded would only cost.
	c := row.header()
	c.Facts = in.Facts
	return c, nil
}

// insertChecklist writes a new checklist and sets its id.
func (s *Store) insertChecklist(tx *gorm.DB, r *checklistRow) error {
	return s.queryRowW(tx, "INSERT INTO checklists (school_id, checked_on, state, schema_version, facts, notes, "+
		"return_reason, created_by, created_at, updated_at, submitted_at, reviewed_by, reviewed_at, made_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		[]any{r.SchoolID, r.CheckedOn, r.State, r.SchemaVersion, r.Facts, r.Notes, r.ReturnReason, r.CreatedBy,
			r.CreatedAt, r.UpdatedAt, r.SubmittedAt, r.ReviewedBy, r.ReviewedAt, r.MadeAt}, &r.ID)
}

// replayChecklist is the first answer to a repeated create: the checklist
// it made, in the state it was made in.
func (s *Store) replayChecklist(ctx context.Context, prev idempotencyRow) (model.Checklist, error) {
	c, err := s.Checklist(ctx, prev.RecordID)
	if err != nil {
		return c, err
	}
	c.State = model.ChecklistState(prev.Result)
	return c, nil
}

// UpdateChecklist changes a draft, and submits it when in.Submit. Any
// other checklist cannot change (ErrConflict): submitted checklists are
// the record coverage history is rebuilt from.
func (s *Store) UpdateChecklist(ctx context.Context, actor model.User, id int64, in ChecklistInput) (_ model.Checklist, err error) {
	defer wrap(&err, "update checklist %d", id)
	if errs := s.validateChecklist(in); len(errs) > 0 {
		return model.Checklist{}, errs
	}
	facts, _ := json.Marshal(in.Facts)
	var out checklistRow
	err = s.transact(ctx, func(tx *gorm.DB) error {
		var old checklistRow
		if err := tx.Where("id = ?", id).Take(&old).Error; err != nil {
			return notFound(err)
		}
		if err := requireOpenSchool(tx, old.SchoolID); err != nil {
			return err
		}
		now := s.now().UTC()
		set := map[string]any{"checked_on": in.CheckedOn, "facts": string(facts), "notes": strings.TrimSpace(in.Notes), "updated_at": now}
		if in.Submit {
			set["state"], set["submitted_at"] = string(model.Submitted), now
		}
		var err error
		if out, err = moveState[checklistRow](tx, id, []string{string(model.Draft)}, set); err != nil {
			return err
		}
		division, code, err := schoolPlace(tx, old.SchoolID)
		if err != nil {
			return err
		}
		if err := s.audit(tx, actor, "update", "checklist", itoa(id), division,
			map[string]any{"school": code, "state": old.State, "checked_on": old.CheckedOn, "facts": json.RawMessage(old.Facts)},
			map[string]any{"school": code, "state": out.State, "checked_on": out.CheckedOn, "facts": json.RawMessage(out.Facts)}); err != nil {
			return err
		}
		if !in.Submit {
			return nil
		}
		if err := s.countChecklists(tx, model.ActivitySubmitted, old.SchoolID); err != nil {
			return err
		}
		return s.refreshSchools(tx, old.SchoolID)
	})
	if err != nil {
		return model.Checklist{}, err
	}
	return out.model()
}

// VerifyChecklist marks a submitted checklist verified. Anything but a
// submitted checklist is ErrConflict: a second reviewer loses cleanly.
func (s *Store) VerifyChecklist(ctx context.Context, actor model.User, id int64) (_ model.Checklist, err error) {
	defer wrap(&err, "verify checklist %d", id)
	return s.review(ctx, actor, id, model.Verified, "")
}

// ReturnChecklist sends a submitted checklist back to the school with a
// mandatory reason.
func (s *Store) ReturnChecklist(ctx context.Context, actor model.User, id int64, reason string) (_ model.Checklist, err error) {
	defer wrap(&err, "return checklist %d", id)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return model.Checklist{}, model.FieldErrors{model.NewFieldError("reason", "reason_required", nil, "a reason is required to return a checklist")}
	}
	if len([]rune(reason)) > 2000 {
		return model.Checklist{}, model.FieldErrors{{Field: "reason", Message: "the reason is longer than 2000 characters"}}
	}
	return s.review(ctx, actor, id, model.Returned, reason)
}

func (s *Store) review(ctx context.Context, actor model.User, id int64, to model.ChecklistState, reason string) (model.Checklist, error) {
	var out checklistRow
	err := s.transact(ctx, func(tx *gorm.DB) error {
		now := s.now().UTC()
		set := map[string]any{"state": string(to), "reviewed_by": actorID(actor), "reviewed_at": now, "updated_at": now, "return_reason": reason}
		var err error
		if out, err = moveState[checklistRow](tx, id, []string{string(model.Submitted)}, set); err != nil {
			return err
		}
		if err := requireOpenSchool(tx, out.SchoolID); err != nil {
			return err
		}
		division, code, err := schoolPlace(tx, out.SchoolID)
		if err != nil {
			return err
		}
		if err := s.audit(tx, actor, string(to), "checklist", itoa(id), division,
			map[string]any{"school": code, "state": model.Submitted},
			map[string]any{"school": code, "state": to, "reason": reason}); err != nil {
			return err
		}
		if to == model.Returned {
			if err := s.notifyEvent(tx, model.KindChecklistReturned, id, out.SchoolID,
				map[string]any{"reason": reason, "checked_on": out.CheckedOn}); err != nil {
				return err
			}
		} else if err := s.countChecklists(tx, model.ActivityVerified, out.SchoolID); err != nil {
			return err
		}
		return s.refreshSchools(tx, out.SchoolID)
	})
	if err != nil {
		return model.Checklist{}, err
	}
	return out.model()
}

// Checklist returns one checklist.
func (s *Store) Checklist(ctx context.Context, id int64) (_ model.Checklist, err error) {
	defer wrap(&err, "checklist %d", id)
	var r checklistRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Checklist{}, notFound(err)
	}
	return r.model()
}

// SchoolChecklists returns the school's checklists, newest first.
func (s *Store) SchoolChecklists(ctx context.Context, schoolID int64, limit int) (_ []model.Checklist, err error) {
	defer wrap(&err, "checklists of school %d", schoolID)
	var rows []checklistRow
	err = s.r.WithContext(ctx).Where("school_id = ?", schoolID).
		Order("checked_on DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	return checklistModels(rows)
}

// ReviewItem is a submitted checklist waiting for review, with its school.
type ReviewItem struct {
	Checklist    model.Checklist
	School       model.School
	DivisionName string
}

// ReviewFilter narrows the review queue.
type ReviewFilter struct {
	Under string // division subtree ("" = everywhere)
	Type  model.SchoolType
	Limit int
}

func schoolPlace(tx *gorm.DB, schoolID int64) (division, code string, err error) {
	var r schoolRow
	if err := tx.Select("division_code, code").Where("id = ?", schoolID).Take(&r).Error; err != nil {
		return "", "", notFound(err)
	}
	return r.DivisionCode, r.Code, nil
}

func checklistModels(rows []checklistRow) ([]model.Checklist, error) {
	out := make([]model.Checklist, len(rows))
	for i, r := range rows {
		c, err := r.model()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}
