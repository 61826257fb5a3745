package store

import (
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// refreshNewSchools derives the coverage of schools inserted in tx, from
// the rows in hand (their ids set): a school created in this transaction
// has no checklist, no hazard and no coverage row yet, so nothing is read
// back but its division's path. The derivation is the one every refresh
// uses (ledger.derive), with no previous rows.
func (s *Store) refreshNewSchools(tx *gorm.DB, schools []schoolRow) error {
	if len(schools) == 0 {
		return nil
	}
	if w, ok := deferred(tx); ok {
		for _, sr := range schools {
			w.refresh = append(w.refresh, sr.ID)
		}
		return nil
	}
	book, err := ruleBook(tx)
	if err != nil {
		return err
	}
	r := &refresh{book: book, today: s.Today(), ledger: ledger{}, places: newPlaces()}
	if err := readPaths(tx, schools, r.paths); err != nil {
		return err
	}
	r.rows = make([]schoolCoverageRow, 0, len(schools)*len(model.Bases))
	for _, sr := range schools {
		rules, err := r.rulesFor(sr.DivisionCode)
		if err != nil {
			return err
		}
		in := coverageInputs{school: sr.model(), rules: rules}
		r.rows = append(r.rows, r.ledger.derive(in, r.today, nil, r.paths[sr.DivisionCode])...)
	}
	return s.writeRefresh(tx, r)
}
