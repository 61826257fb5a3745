package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type evidenceRow struct {
	ID            int64 `gorm:"primaryKey"`
	SchoolID      int64
	ChecklistID   *int64
	HazardID      *int64
	HazardEventID *int64
	StoredName    string
	FileName      string
	ContentType   string
	Size          int64
	SHA256        string `gorm:"column:sha256"`
	Width         int
	Height        int
	UploadedBy    *int64
	UploadedAt    time.Time
}

func (evidenceRow) TableName() string { return "evidence" }

func (r evidenceRow) model() model.Evidence {
	e := model.Evidence{ID: r.ID, SchoolID: r.SchoolID, StoredName: r.StoredName, FileName: r.FileName,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Width: r.Width, Height: r.Height, UploadedAt: r.UploadedAt}
	for _, p := range []struct {
		from *int64
		to   *int64
	}{{r.ChecklistID, &e.ChecklistID}, {r.HazardID, &e.HazardID}, {r.HazardEventID, &e.HazardEventID}, {r.UploadedBy, &e.UploadedBy}} {
		if p.from != nil {
			*p.to = *p.from
		}
	}
	return e
}

// EvidenceInput is a file the caller has checked and saved in the evidence
// directory; the store records it.
type EvidenceInput struct {
	StoredName    string
	FileName      string
	ContentType   string
	Size          int64
	SHA256        string
	Width, Height int
}

func (s *Store) addEvidence(tx *gorm.DB, actor model.User, schoolID, checklistID, hazardID, eventID int64, files []EvidenceInput) ([]evidenceRow, error) {
	if len(files) == 0 {
		return nil, nil
	}
	division, code, err := schoolPlace(tx, schoolID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	rows := make([]evidenceRow, len(files))
	for i, f := range files {
		rows[i] = evidenceRow{SchoolID: schoolID, ChecklistID: nonZero(checklistID), HazardID: nonZero(hazardID),
			HazardEventID: nonZero(eventID), StoredName: f.StoredName, FileName: f.FileName, ContentType: f.ContentType,
			Size: f.Size, SHA256: f.SHA256, Width: f.Width, Height: f.Height, UploadedBy: actorID(actor), UploadedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		attached := map[string]any{"school": code, "file": r.FileName, "type": r.ContentType, "size": r.Size, "sha256": r.SHA256}
		if checklistID != 0 {
			attached["checklist"] = checklistID
		}
		if hazardID != 0 {
			attached["hazard"] = hazardID
		}
		if err := s.audit(tx, actor, "attach", "evidence", itoa(r.ID), division, nil, attached); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// AddChecklistEvidence attaches saved files to a checklist that is still a
// draft or waiting for review; a reviewed checklist is a closed record
// (ErrConflict).
func (s *Store) AddChecklistEvidence(ctx context.Context, actor model.User, checklistID int64, files []EvidenceInput) (_ []model.Evidence, err error) {
	defer wrap(&err, "add evidence to checklist %d", checklistID)
	out, _, err := s.addChecklistEvidence(ctx, actor, checklistID, files, oneShot{})
	return out, err
}

// addChecklistEvidence returns the checklist's files after the upload, or,
// for a repeat of a keyed upload, the files that upload added (repeated).
func (s *Store) addChecklistEvidence(ctx context.Context, actor model.User, checklistID int64, files []EvidenceInput, once oneShot) (out []model.Evidence, repeated bool, err error) {
	var prev idempotencyRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c checklistRow
		if err := tx.Select("id, school_id, state").Where("id = ?", checklistID).Take(&c).Error; err != nil {
			return notFound(err)
		}
		var err error
		if prev, repeated, err = s.claim(tx, once); repeated || err != nil {
			return err
		}
		if c.State != string(model.Draft) && c.State != string(model.Submitted) {
			return ErrConflict
		}
		if err := requireOpenSchool(tx, c.SchoolID); err != nil {
			return err
		}
		// Touch the checklist so a concurrent review waits for this
		// transaction on PostgreSQL and sees the files.
		res := tx.Model(&checklistRow{}).Where("id = ? AND state = ?", checklistID, c.State).Update("updated_at", s.now().UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrConflict
		}
		added, err := s.addEvidence(tx, actor, c.SchoolID, checklistID, 0, 0, files)
		if err != nil {
			return err
		}
		if err := s.settleEvidence(tx, once, added); err != nil {
			return err
		}
		var rows []evidenceRow
		if err := tx.Where("checklist_id = ?", checklistID).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		out = evidenceModels(rows)
		return nil
	})
	if err == nil && repeated {
		out, err = s.evidenceOf(ctx, prev)
	}
	return out, repeated, err
}

// DeleteEvidence removes a file from a draft checklist and returns it, so
// the caller can delete the bytes. Files of submitted checklists and of
// hazard answers are part of the record and stay (ErrConflict).
func (s *Store) DeleteEvidence(ctx context.Context, actor model.User, id int64) (_ model.Evidence, err error) {
	defer wrap(&err, "delete evidence %d", id)
	var row evidenceRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err)
		}
		if row.ChecklistID == nil {
			return ErrConflict
		}
		var n int64
		if err := tx.Model(&checklistRow{}).Where("id = ? AND state = ?", *row.ChecklistID, string(model.Draft)).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		if err := tx.Delete(&evidenceRow{}, id).Error; err != nil {
			return err
		}
		division, code, err := schoolPlace(tx, row.SchoolID)
		if err != nil {
			return err
		}
		return s.audit(tx, actor, "detach", "evidence", itoa(id), division,
			map[string]any{"school": code, "file": row.FileName, "checklist": *row.ChecklistID, "sha256": row.SHA256}, nil)
	})
	return row.model(), err
}

// Evidence returns one file's record.
func (s *Store) Evidence(ctx context.Context, id int64) (_ model.Evidence, err error) {
	defer wrap(&err, "evidence %d", id)
	var r evidenceRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.Evidence{}, notFound(err)
	}
	return r.model(), nil
}

// ChecklistEvidence returns the files attached to a checklist.
func (s *Store) ChecklistEvidence(ctx context.Context, checklistID int64) (_ []model.Evidence, err error) {
	defer wrap(&err, "evidence of checklist %d", checklistID)
	var rows []evidenceRow
	err = s.r.WithContext(ctx).Where("checklist_id = ?", checklistID).Order("id").Find(&rows).Error
	return evidenceModels(rows), err
}

// HazardEvidence returns the files attached to a hazard's answers.
func (s *Store) HazardEvidence(ctx context.Context, hazardID int64) (_ []model.Evidence, err error) {
	defer wrap(&err, "evidence of hazard %d", hazardID)
	var rows []evidenceRow
	err = s.r.WithContext(ctx).Where("hazard_id = ?", hazardID).Order("id").Find(&rows).Error
	return evidenceModels(rows), err
}

func evidenceModels(rows []evidenceRow) []model.Evidence {
	out := make([]model.Evidence, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out
}
