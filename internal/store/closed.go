package store

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrSchoolClosed refuses new work at a closed school: no checklist is
// created, changed, submitted or reviewed there, no hazard raised or
// answered, no inspection recorded and no evidence attached. Its history
// stays readable, and open hazards can still be closed.
var ErrSchoolClosed = errors.New("the school is closed: it takes no new checklists, reviews, hazards, answers or evidence")

// requireOpenSchool is the one check every such write makes, inside its
// transaction.
func requireOpenSchool(tx *gorm.DB, schoolID int64) error {
	var r schoolRow
	if err := tx.Select("id, active").Where("id = ?", schoolID).Take(&r).Error; err != nil {
		return notFound(err)
	}
	return r.open()
}

// open is ErrSchoolClosed for a closed school, for callers that have read
// the school's row in their transaction already.
func (r schoolRow) open() error {
	if !r.Active {
		return fmt.Errorf("store: school %d: %w", r.ID, ErrSchoolClosed)
	}
	return nil
}
