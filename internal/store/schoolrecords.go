package store

import (
	"context"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// A school's logs (alarm tests, drills) share their chores: a row is
// written at an open school and audited with its school's code; the log is
// read newest first.

// createAudited writes row at the open school and audits it as entity,
// in one transaction; summary gives the audit's new value from the
// school's code once the row has its id.
func (s *Store) createAudited(ctx context.Context, actor model.User, schoolID int64, entity string, row any, id func() int64, summary func(school string) map[string]any) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		school, err := openSchoolRow(tx, schoolID)
		if err != nil {
			return err
		}
		if err := tx.Create(row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", entity, itoa(id()), school.DivisionCode, nil, summary(school.Code))
	})
}

// schoolLog reads a school's latest log rows, newest first by dayColumn,
// and turns them into models.
func schoolLog[R any, M any](ctx context.Context, db *gorm.DB, schoolID int64, dayColumn string, limit int, toModel func(R) M) ([]M, error) {
	var rows []R
	if err := db.WithContext(ctx).Where("school_id = ?", schoolID).Order(newestFirst(dayColumn)).Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]M, len(rows))
	for i, r := range rows {
		out[i] = toModel(r)
	}
	return out, nil
}

// newestFirst is the order of a school log by its day column, from the
// logs' allow-list (the store never builds SQL text from a parameter; see
// sqlsafety_test.go).
func newestFirst(dayColumn string) string {
	switch dayColumn {
	case "tested_on":
		return "tested_on DESC, id DESC"
	case "held_on":
		return "held_on DESC, id DESC"
	}
	panic("store: school log day column " + dayColumn)
}
