package store

import "gorm.io/gorm"

// moveState moves the record of type R with id out of one of the states
// in from by the update set, and returns the record as it then stands. The
// condition on the state makes two people acting at once safe: one update
// wins, the other finds the record moved on and gets ErrConflict. A
// missing record is ErrNotFound.
func moveState[R any](tx *gorm.DB, id int64, from []string, set map[string]any) (R, error) {
	var out R
	res := tx.Model(new(R)).Where("id = ? AND state IN ?", id, from).Updates(set)
	if res.Error != nil {
		return out, res.Error
	}
	if res.RowsAffected == 0 {
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			return out, notFound(err)
		}
		return out, ErrConflict
	}
	return out, tx.Where("id = ?", id).Take(&out).Error
}
