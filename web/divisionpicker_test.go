package web

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

func TestDivisionGroupsFollowTheLevels(t *testing.T) {
	b := newBundle(t)
	choices := []model.Division{
		{Code: "150000", Name: "内蒙古自治区", NameEn: "Inner Mongolia", Level: model.LevelProvince},
		{Code: "150100", Name: "呼和浩特市", NameEn: "Hohhot", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150200", Name: "包头市", NameEn: "Baotou", ParentCode: "150000", Level: model.LevelPrefecture},
		{Code: "150102", Name: "新城区", NameEn: "Xincheng", ParentCode: "150100", Level: model.LevelCounty},
		{Code: "150103", Name: "回民区", NameEn: "Huimin", ParentCode: "150100", Level: model.LevelCounty},
		{Code: "150202", Name: "东河区", NameEn: "Donghe", ParentCode: "150200", Level: model.LevelCounty},
	}
	type group struct {
		Label string
		Codes []string
	}
	groups := func(lang string, in []model.Division) []group {
		ctx := i18n.WithLocalizer(context.Background(), b.Localizer(lang))
		var out []group
		for _, g := range divisionGroups(ctx, in) {
			gr := group{Label: g.Label}
			for _, d := range g.Divisions {
				gr.Codes = append(gr.Codes, d.Code)
			}
			out = append(out, gr)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		lang string
		in   []model.Division
		want []group
	}{
		{"admin", "zh-CN", choices, []group{
			{"省级", []string{"150000"}}, {"地市级", []string{"150100", "150200"}},
			{"呼和浩特市所辖县区", []string{"150102", "150103"}}, {"包头市所辖县区", []string{"150202"}}}},
		{"prefecture scope, English", "en", []model.Division{choices[1], choices[3], choices[4]}, []group{
			{"Prefectures", []string{"150100"}}, {"Counties of Hohhot", []string{"150102", "150103"}}}},
		{"county scope", "zh-CN", []model.Division{choices[5]}, []group{{"县级", []string{"150202"}}}},
		{"none", "zh-CN", nil, nil},
	} {
		if diff := cmp.Diff(tc.want, groups(tc.lang, tc.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}

	html := render(t, b, "zh-CN", DivisionSelect(DivisionPicker{Name: "division", Selected: "150103", Choices: choices}))
	for _, want := range []string{`>辖区全部</option>`, `<option value="150103" selected>回民区 · 150103</option>`, `<optgroup label="呼和浩特市所辖县区">`, `data-division-select`} {
		if !strings.Contains(html, want) {
			t.Errorf("the picker lacks %s:\n%s", want, html)
		}
	}
	// A code typed in the URL that is not among the choices stays chosen,
	// so nothing the user asked for is silently dropped.
	html = render(t, b, "zh-CN", DivisionSelect(DivisionPicker{Name: "division", Selected: "159999", Choices: choices}))
	if !strings.Contains(html, `<option value="159999" selected>159999</option>`) {
		t.Errorf("an unknown code is not kept:\n%s", html)
	}
	// The due list's picker has no "whole scope": its page is one division.
	html = render(t, b, "zh-CN", DivisionSelect(DivisionPicker{Name: "division", Selected: "150100", Choices: choices, Required: true}))
	if strings.Contains(html, "辖区全部") {
		t.Errorf("a required picker offers the whole scope")
	}
}
