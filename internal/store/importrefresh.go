package store

import (
	"gorm.io/gorm"

	"safecampus/internal/model"
)

// newSchoolsRefresh reads what deriving the coverage of schools inserted
// in tx takes: the rule book and their divisions' paths. A school created
// in this transaction has no checklist, no hazard and no coverage row yet,
// so nothing else is read back; deriveNew derives from the rows in hand.
func (s *Store) newSchoolsRefresh(tx *gorm.DB, schools []schoolRow) (*refresh, error) {
	if len(schools) == 0 {
		return &refresh{}, nil
	}
	book, err := ruleBook(tx)
	if err != nil {
		return nil, err
	}
	r := &refresh{book: book, today: s.Today(), ledger: ledger{}, places: newPlaces(), created: true}
	if err := readPaths(tx, schools, r.paths); err != nil {
		return nil, err
	}
	return r, nil
}

// deriveNew derives the coverage rows and ledger changes of new schools
// (their ids set), as every refresh does (ledger.derive) with no previous
// rows. It reads nothing, so it may run beside the transaction's writes.
func (r *refresh) deriveNew(schools []schoolRow) error {
	r.rows = make([]schoolCoverageRow, 0, len(schools)*len(model.Bases))
	for _, sr := range schools {
		rules, err := r.rulesFor(sr.DivisionCode)
		if err != nil {
			return err
		}
		in := coverageInputs{school: sr.model(), rules: rules}
		r.rows = append(r.rows, r.ledger.derive(in, r.today, nil, r.paths[sr.DivisionCode])...)
	}
	return nil
}
