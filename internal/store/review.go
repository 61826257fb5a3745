package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// ConflictError is ErrConflict naming the records that were no longer in
// the state the action needed. errors.Is(err, ErrConflict) holds.
type ConflictError struct {
	IDs []int64
}

func (e *ConflictError) Error() string {
	ids := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		ids[i] = itoa(id)
	}
	return "conflict: no longer waiting for review: " + strings.Join(ids, ", ")
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// MaxBatch is the most checklists one batch review may verify.
const MaxBatch = 500

// SubmittedChecklists returns the checklists waiting for review in the
// filter's subtree and type, oldest submission first, up to f.Limit, with
// their schools, in a fixed number of queries; and how many there are in
// all.
func (s *Store) SubmittedChecklists(ctx context.Context, f ReviewFilter) (_ []ReviewItem, _ int64, err error) {
	defer wrap(&err, "submitted checklists")
	q := s.r.WithContext(ctx).Table("checklists c").
		Joins("JOIN schools s ON s.id = c.school_id").
		Where("c.state = ?", string(model.Submitted))
	if f.Under != "" {
		q = q.Where("s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", f.Under)
	}
	if f.Type != "" {
		q = q.Where("s.type = ?", string(f.Type))
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var rows []checklistRow
	if err := q.Session(&gorm.Session{}).Select("c.*").Order("c.submitted_at, c.id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	items, err := s.reviewItems(ctx, rows)
	return items, total, err
}

// ReviewItems returns the given checklists with their schools, in the
// order of ids; unknown ids are left out.
func (s *Store) ReviewItems(ctx context.Context, ids []int64) (_ []ReviewItem, err error) {
	defer wrap(&err, "review items")
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []checklistRow
	if err := s.r.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	sort.Slice(rows, func(i, j int) bool { return pos[rows[i].ID] < pos[rows[j].ID] })
	return s.reviewItems(ctx, rows)
}

func (s *Store) reviewItems(ctx context.Context, rows []checklistRow) ([]ReviewItem, error) {
	return listItems(s.r.WithContext(ctx), rows, func(r checklistRow) int64 { return r.SchoolID },
		func(r checklistRow, sr schoolRow, division string) (ReviewItem, error) {
			c, err := r.model()
			return ReviewItem{Checklist: c, School: sr.model(), DivisionName: division}, err
		})
}

// VerifyChecklists verifies a selection of submitted checklists in one
// transaction: all of them, or — when any is no longer submitted (another
// reviewer got there first) — none, with a *ConflictError naming those.
func (s *Store) VerifyChecklists(ctx context.Context, actor model.User, ids []int64) (_ []model.Checklist, err error) {
	defer wrap(&err, "verify %d checklists", len(ids))
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil, model.FieldErrors{{Field: "ids", Message: "select at least one checklist"}}
	}
	if len(ids) > MaxBatch {
		return nil, model.FieldErrors{{Field: "ids", Message: fmt.Sprintf("at most %d checklists at once", MaxBatch)}}
	}
	var out []model.Checklist
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var waiting []int64
		if err := tx.Model(&checklistRow{}).Where("id IN ? AND state = ?", ids, string(model.Submitted)).
			Pluck("id", &waiting).Error; err != nil {
			return err
		}
		if len(waiting) != len(ids) {
			ok := make(map[int64]bool, len(waiting))
			for _, id := range waiting {
				ok[id] = true
			}
			var lost []int64
			for _, id := range ids {
				if !ok[id] {
					lost = append(lost, id)
				}
			}
			return &ConflictError{IDs: lost}
		}
		now := s.now().UTC()
		res := tx.Model(&checklistRow{}).Where("id IN ? AND state = ?", ids, string(model.Submitted)).
			Updates(map[string]any{"state": string(model.Verified), "reviewed_by": actorID(actor), "reviewed_at": now,
				"updated_at": now, "return_reason": ""})
		if res.Error != nil {
			return res.Error
		}
		if int(res.RowsAffected) != len(ids) {
			// Another server reviewed some between the two statements.
			return &ConflictError{IDs: ids}
		}
		var rows []checklistRow
		if err := tx.Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		schoolIDs := make([]int64, len(rows))
		for i, r := range rows {
			schoolIDs[i] = r.SchoolID
		}
		var schools []schoolRow
		if err := tx.Select("id, code, division_code, active").Where("id IN ?", uniqueIDs(schoolIDs)).Find(&schools).Error; err != nil {
			return err
		}
		place := map[int64]schoolRow{}
		for _, sr := range schools {
			if !sr.Active {
				return fmt.Errorf("store: school %s: %w", sr.Code, ErrSchoolClosed)
			}
			place[sr.ID] = sr
		}
		entries := make([]auditRow, len(rows))
		out = make([]model.Checklist, len(rows))
		for i, r := range rows {
			sr := place[r.SchoolID]
			entries[i] = s.auditEntry(actor, string(model.Verified), "checklist", itoa(r.ID), sr.DivisionCode,
				map[string]any{"school": sr.Code, "state": model.Submitted},
				map[string]any{"school": sr.Code, "state": model.Verified, "reason": "", "batch": len(rows)})
			c, err := r.model()
			if err != nil {
				return err
			}
			out[i] = c
		}
		if err := s.insertAudit(tx, entries); err != nil {
			return err
		}
		if err := s.countChecklists(tx, model.ActivityVerified, schoolIDs...); err != nil {
			return err
		}
		return s.refreshSchools(tx, schoolIDs...)
	})
	return out, err
}
