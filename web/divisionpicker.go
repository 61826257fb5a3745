package web

import (
	"context"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// DivisionPicker is a division filter chosen by name: a select of the
// divisions in the user's scope grouped by level (the counties by their
// prefecture), which app.js enhances with a search-as-you-type box. The
// value sent is still the six-digit code, so ?division=150102 keeps working.
type DivisionPicker struct {
	Name     string           // the form field, e.g. "division"
	Selected string           // the code chosen, "" for the whole scope
	Choices  []model.Division // store.DivisionsWithin order: provinces, prefectures, counties
	Required bool             // no "whole scope" choice: the page is always of one division
}

// divisionGroup is one <optgroup> of a division picker.
type divisionGroup struct {
	Label     string
	Divisions []model.Division
}

// divisionGroups puts the provinces, then the prefectures, together, and
// the counties under their prefecture's name (in the order the prefectures
// come), so a long list reads like the map.
func divisionGroups(ctx context.Context, choices []model.Division) []divisionGroup {
	var provinces, prefectures []model.Division
	counties := map[string][]model.Division{}
	var parents []string
	names := map[string]string{}
	for _, d := range choices {
		names[d.Code] = i18n.DivisionName(ctx, d)
		switch d.Level {
		case model.LevelProvince:
			provinces = append(provinces, d)
		case model.LevelPrefecture:
			prefectures = append(prefectures, d)
		default:
			if _, seen := counties[d.ParentCode]; !seen {
				parents = append(parents, d.ParentCode)
			}
			counties[d.ParentCode] = append(counties[d.ParentCode], d)
		}
	}
	var out []divisionGroup
	if len(provinces) > 0 {
		out = append(out, divisionGroup{i18n.T(ctx, "picker.provinces"), provinces})
	}
	if len(prefectures) > 0 {
		out = append(out, divisionGroup{i18n.T(ctx, "picker.prefectures"), prefectures})
	}
	for _, p := range parents {
		label := i18n.T(ctx, "picker.counties")
		if n, ok := names[p]; ok {
			label = i18n.T(ctx, "picker.counties_of", map[string]any{"Parent": n})
		}
		out = append(out, divisionGroup{label, counties[p]})
	}
	return out
}

// known reports whether code is one of the picker's choices.
func (p DivisionPicker) known(code string) bool {
	for _, d := range p.Choices {
		if d.Code == code {
			return true
		}
	}
	return false
}
