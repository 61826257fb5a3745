package server

import (
	"context"

	"safecampus/internal/model"
)

// Facts that come from records: a new checklist starts from the school's
// registers, and a reviewer sees where a checklist differs from them.

// prefillFromRegisters puts the registers' figures of today into a new
// checklist's form values, over those of the previous checklist.
func (s *Server) prefillFromRegisters(ctx context.Context, school model.School, values map[string]string) error {
	r, err := s.store.RegisterFacts(ctx, school.ID, s.store.Today())
	if err != nil {
		return err
	}
	r.Prefill(values)
	return nil
}

// registerDiffs lists the checklist's facts that differ from the registers
// on its check date.
func (s *Server) registerDiffs(ctx context.Context, school model.School, cl model.Checklist) ([]model.RegisterDiff, error) {
	r, err := s.store.RegisterFacts(ctx, school.ID, cl.CheckedOn)
	if err != nil {
		return nil, err
	}
	return r.Differences(cl.Facts), nil
}
