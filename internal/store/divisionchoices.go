package store

import (
	"context"
	"fmt"
	"slices"

	"safecampus/internal/model"
)

// levelRank orders divisions as the hierarchy does: provinces, then
// prefectures, then counties.
var levelRank = map[model.Level]int{model.LevelProvince: 0, model.LevelPrefecture: 1, model.LevelCounty: 2}

// DivisionsWithin lists the divisions of scope's subtree (scope itself
// included; "" for every division), provinces first, then prefectures,
// then counties, each level in code order: the choices of a division
// picker.
//
//	SELECT d.* FROM divisions d
//	WHERE d.code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)
//	ORDER BY d.code
func (s *Store) DivisionsWithin(ctx context.Context, scope string) ([]model.Division, error) {
	q := s.r.WithContext(ctx).Order("code")
	if scope != "" {
		q = q.Where("code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", scope)
	}
	var rows []divisionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list divisions within %q: %w", scope, err)
	}
	out := divisionModels(rows)
	slices.SortStableFunc(out, func(a, b model.Division) int { return levelRank[a.Level] - levelRank[b.Level] })
	return out, nil
}
