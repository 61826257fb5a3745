package server

import (
	"context"

	"safecampus/internal/model"
	"safecampus/web"
)

// divisionChoices lists the divisions a user may pick: every division for
// an administrator, the subtree of their scope for leaders and
// inspectors, none for a school.
func (s *Server) divisionChoices(ctx context.Context, u model.User) ([]model.Division, error) {
	switch u.Role {
	case model.Admin:
		return s.store.DivisionsWithin(ctx, "")
	case model.Leader, model.Inspector:
		return s.store.DivisionsWithin(ctx, u.ScopeCode)
	}
	return nil, nil
}

// divisionPicker is a filter form's division field with code selected.
func (s *Server) divisionPicker(ctx context.Context, u model.User, name, selected string) (web.DivisionPicker, error) {
	choices, err := s.divisionChoices(ctx, u)
	return web.DivisionPicker{Name: name, Selected: selected, Choices: choices}, err
}
