package server

import (
	"context"
	"strconv"

	"safecampus/internal/model"
)

// Facts that come from records: a new checklist starts from the school's
// registers, and a reviewer sees where a checklist differs from them.

// prefillFromRegisters puts the register's figures of today into a new
// checklist's form values, over those of the previous checklist.
func (s *Server) prefillFromRegisters(ctx context.Context, school model.School, values map[string]string) error {
	n, err := s.store.GuardCount(ctx, school.ID, s.store.Today())
	if err != nil {
		return err
	}
	if n.Kept {
		values[string(model.SecurityGuards)+".full_time_guards"] = strconv.Itoa(n.FullTime)
		values[string(model.SecurityGuards)+".licensed_guards"] = strconv.Itoa(n.Licensed)
	}
	return nil
}

// registerDiffs lists the checklist's facts that differ from the registers
// on its check date.
func (s *Server) registerDiffs(ctx context.Context, school model.School, cl model.Checklist) ([]model.RegisterDiff, error) {
	n, err := s.store.GuardCount(ctx, school.ID, cl.CheckedOn)
	if err != nil {
		return nil, err
	}
	return n.Differences(cl.Facts.SecurityGuards), nil
}
