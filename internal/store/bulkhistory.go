package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// HistoricChecklist is a checklist with its past: saved as a draft or
// submitted at Submitted, and, when its State is verified or returned,
// reviewed at Reviewed.
type HistoricChecklist struct {
	SchoolID     int64
	CheckedOn    model.Date
	Facts        model.Facts
	State        model.ChecklistState
	Submitted    time.Time
	Reviewed     time.Time
	ReturnReason string
}

// LoadHistory writes months of past checklists at once, for the demo and
// the benchmark's national datasets: the rows as BulkSubmit and BulkReview
// would have left them on their days, and one summary audit entry per
// moment and outcome, as they write. The coverage is then derived from the
// history by RebuildCoverage, which gives what the incremental writes
// would have built day by day (the rebuild-versus-incremental tests hold
// the two to the same ledger), in a fraction of the time: one pass over
// each school instead of one refresh per day.
func (s *Store) LoadHistory(ctx context.Context, actor model.User, cs []HistoricChecklist) (err error) {
	defer wrap(&err, "load %d past checklists", len(cs))
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b HistoricChecklist) int { return a.Submitted.Compare(b.Submitted) })
	type moment struct {
		at     time.Time
		action string
	}
	counted := map[moment]int{}
	for i, c := range cs {
		if errs := c.Facts.Validate(c.State != model.Draft); len(errs) > 0 {
			return fmt.Errorf("checklist %d: %w", i, errs)
		}
		counted[moment{c.Submitted.UTC(), "bulk_submit"}]++
		switch c.State {
		case model.Verified, model.Returned:
			if c.Reviewed.Before(c.Submitted) {
				return fmt.Errorf("checklist %d: reviewed before it was submitted", i)
			}
			counted[moment{c.Reviewed.UTC(), "bulk_" + string(c.State)}]++
		case model.Draft, model.Submitted:
		default:
			return fmt.Errorf("checklist %d: state %q", i, c.State)
		}
	}
	moments := make([]moment, 0, len(counted))
	for m := range counted {
		moments = append(moments, m)
	}
	order := map[string]int{"bulk_submit": 0, "bulk_verified": 1, "bulk_returned": 2}
	slices.SortFunc(moments, func(a, b moment) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return order[a.action] - order[b.action]
	})
	entries := make([]auditRow, len(moments))
	for i, m := range moments {
		entries[i] = s.auditEntry(actor, m.action, "checklist", fmt.Sprintf("%d checklists", counted[m]), "", nil, nil)
		entries[i].At = m.at
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var facts []byte
		err := s.insertRows(tx, checklistTable, len(cs), func(i int, args []any) []any {
			c := &cs[i]
			facts, _ = json.Marshal(c.Facts)
			at := c.Submitted.UTC()
			submitted, reviewed, updated := &at, (*time.Time)(nil), at
			switch c.State {
			case model.Draft:
				submitted = nil
			case model.Verified, model.Returned:
				r := c.Reviewed.UTC()
				reviewed, updated = &r, r
			}
			var reason string
			if c.State == model.Returned {
				reason = c.ReturnReason
			}
			return append(args, c.SchoolID, c.CheckedOn, string(c.State), model.FactsSchemaVersion, string(facts), "",
				reason, (*int64)(nil), at, updated, submitted, reviewerID(actor, reviewed), reviewed, (*time.Time)(nil))
		})
		if err != nil {
			return err
		}
		return s.insertAudit(tx, entries)
	})
	if err != nil {
		return err
	}
	return s.RebuildCoverage(ctx)
}

// reviewerID is who reviewed a checklist reviewed at reviewed (nil: not
// reviewed).
func reviewerID(actor model.User, reviewed *time.Time) *int64 {
	if reviewed == nil {
		return nil
	}
	return actorID(actor)
}

// checklistTable is the columns of a checklist.
var checklistTable = bulkTable{name: "checklists", cols: []string{"school_id", "checked_on", "state", "schema_version",
	"facts", "notes", "return_reason", "created_by", "created_at", "updated_at", "submitted_at", "reviewed_by",
	"reviewed_at", "made_at"}}
