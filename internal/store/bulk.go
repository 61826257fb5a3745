package store

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// Bulk loading of synthetic history, for the demo and the benchmark: the
// same records and the same coverage derivation as one-by-one writes, but in
// one transaction per call and with one summary audit entry instead of one
// per checklist. Production writes go through CreateChecklist and review.

// BulkChecklist is a checklist submitted (or saved as a draft) now.
type BulkChecklist struct {
	SchoolID  int64
	CheckedOn model.Date
	Facts     model.Facts
	Draft     bool
}

// BulkSubmit records the checklists at the store's clock and re-derives
// their schools' coverage. It returns their ids in order.
func (s *Store) BulkSubmit(ctx context.Context, actor model.User, cs []BulkChecklist) (_ []int64, err error) {
	defer wrap(&err, "bulk submit %d checklists", len(cs))
	now := s.now().UTC()
	rows := make([]checklistRow, len(cs))
	schools := make([]int64, 0, len(cs))
	for i, c := range cs {
		if errs := c.Facts.Validate(!c.Draft); len(errs) > 0 {
			return nil, fmt.Errorf("checklist %d: %w", i, errs)
		}
		facts, _ := json.Marshal(c.Facts)
		rows[i] = checklistRow{SchoolID: c.SchoolID, CheckedOn: c.CheckedOn, State: string(model.Submitted),
			SchemaVersion: model.FactsSchemaVersion, Facts: string(facts), CreatedAt: now, UpdatedAt: now, SubmittedAt: &now}
		if c.Draft {
			rows[i].State, rows[i].SubmittedAt = string(model.Draft), nil
		} else {
			schools = append(schools, c.SchoolID)
		}
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "bulk_submit", "checklist", fmt.Sprintf("%d checklists", len(rows)), "", nil, nil); err != nil {
			return err
		}
		if err := s.countChecklists(tx, model.ActivitySubmitted, schools...); err != nil {
			return err
		}
		return s.refreshSchools(tx, schools...)
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// BulkReview verifies or returns submitted checklists at the store's clock.
// A checklist that is not submitted any more is ErrConflict, and nothing
// is written.
func (s *Store) BulkReview(ctx context.Context, actor model.User, ids []int64, to model.ChecklistState, reason string) (err error) {
	defer wrap(&err, "bulk review %d checklists", len(ids))
	if to != model.Verified && to != model.Returned {
		return fmt.Errorf("%s is not a review outcome", to)
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now().UTC()
		var schools []int64
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(start+500, len(ids))]
			res := tx.Model(&checklistRow{}).Where("id IN ? AND state = ?", part, string(model.Submitted)).
				Updates(map[string]any{"state": string(to), "reviewed_by": actorID(actor), "reviewed_at": now, "updated_at": now, "return_reason": reason})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != int64(len(part)) {
				return ErrConflict
			}
			var ss []int64
			if err := tx.Model(&checklistRow{}).Where("id IN ?", part).Pluck("school_id", &ss).Error; err != nil {
				return err
			}
			schools = append(schools, ss...)
		}
		if err := s.audit(tx, actor, "bulk_"+string(to), "checklist", fmt.Sprintf("%d checklists", len(ids)), "", nil, nil); err != nil {
			return err
		}
		if to == model.Verified {
			if err := s.countChecklists(tx, model.ActivityVerified, schools...); err != nil {
				return err
			}
		}
		return s.refreshSchools(tx, schools...)
	})
}
