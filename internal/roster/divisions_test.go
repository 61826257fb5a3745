package roster

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestInnerMongolia(t *testing.T) {
	divs := InnerMongolia()
	levels := map[model.Level]int{}
	for _, d := range divs {
		levels[d.Level]++
	}
	wantLevels := map[model.Level]int{model.LevelProvince: 1, model.LevelPrefecture: 12, model.LevelCounty: 103}
	if diff := cmp.Diff(wantLevels, levels); diff != "" {
		t.Errorf("divisions per level (-want +got):\n%s", diff)
	}
	wantFirst := model.Division{Code: "150000", Name: "内蒙古自治区", NameEn: "Inner Mongolia Autonomous Region", Level: model.LevelProvince}
	if diff := cmp.Diff(wantFirst, divs[0]); diff != "" {
		t.Errorf("first division (-want +got):\n%s", diff)
	}
	rows := make([]DivisionRow, len(divs))
	for i, d := range divs {
		rows[i] = DivisionRow{Division: d}
	}
	assertParentsFirst(t, rows)
}

// assertParentsFirst checks every parent in rows comes before its children,
// so the rows can be inserted in order.
func assertParentsFirst(t *testing.T, rows []DivisionRow) {
	t.Helper()
	at := map[string]int{}
	for i, r := range rows {
		at[r.Division.Code] = i
	}
	for i, r := range rows {
		if p, ok := at[r.Division.ParentCode]; ok && p > i {
			t.Errorf("%s (line %d) comes before its parent %s", r.Division.Code, r.Line, r.Division.ParentCode)
		}
	}
}

func TestParseDivisions(t *testing.T) {
	const header = "code,name,name_en,parent_code,level\n"
	xincheng := model.Division{Code: "150102", Name: "新城区", ParentCode: "150100", Level: model.LevelCounty}
	hohhot := model.Division{Code: "150100", Name: "呼和浩特市", NameEn: "Hohhot", ParentCode: "150000", Level: model.LevelPrefecture}
	dongcheng := model.Division{Code: "110101", Name: "东城区", ParentCode: "110000", Level: model.LevelCounty}

	tests := []struct {
		name string
		file []byte
		want []DivisionRow
	}{
		{
			"parent later in the file, parents come first",
			[]byte(header + "150102,新城区,,150100,county\n150100,呼和浩特市,Hohhot,150000,prefecture\n"),
			[]DivisionRow{{3, hohhot}, {2, xincheng}},
		},
		{
			"county directly under a municipality",
			[]byte(header + "110101,东城区,,110000,county\n"),
			[]DivisionRow{{2, dongcheng}},
		},
		{
			"gb18030, columns in another order, name_en missing",
			gb18030(t, "level,parent_code,name,code\ncounty,150100,新城区,150102\n"),
			[]DivisionRow{{2, xincheng}},
		},
		{"utf-8 with BOM", []byte("\uFEFF" + header + "110101,东城区,,110000,county\n"), []DivisionRow{{2, dongcheng}}},
		{"header only", []byte(header), []DivisionRow{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDivisions(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatalf("ParseDivisions: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDivisionsReportsEveryBadRow(t *testing.T) {
	file := "code,name,name_en,parent_code,level\n" +
		"15010,某盟,,150000,prefecture\n" + // 2
		"150200,,,150000,prefecture\n" + // 3
		"150300,乌海市,,150000,city\n" + // 4
		"150400,赤峰市,,,prefecture\n" + // 5
		"160000,某省,,150000,province\n" + // 6
		"150500,通辽市,,15000,prefecture\n" + // 7
		"150600,鄂尔多斯市,,150600,prefecture\n" + // 8
		"150700,呼伦贝尔市,,140000,prefecture\n" + // 9
		"150800,巴彦淖尔市,,150000,county\n" + // 10
		"150901,集宁区,,150800,county\n" + // 11
		"150100,呼和浩特市,,150000,prefecture\n" + // 12: good
		"150102,新城区,,150000,county\n" + // 13
		"150100,呼和浩特市,,150000,prefecture\n" + // 14
		"150000,内蒙古自治区,,,\n" + // 15
		"150010,某区,,150000,prefecture\n" + // 16
		"150000,内蒙古自治区,,,prefecture\n" // 17

	want := model.LineErrors{
		{Line: 2, Message: `code "15010" is not six digits`},
		{Line: 3, Message: "name is required"},
		{Line: 4, Message: `level "city" is not province, prefecture or county`},
		{Line: 5, Message: "parent_code is required for a prefecture"},
		{Line: 6, Message: `parent_code "150000" must be empty for a province`},
		{Line: 7, Message: `parent_code "15000" is not six digits`},
		{Line: 8, Message: `parent_code "150600" is the division itself`},
		{Line: 9, Message: `parent_code "140000" cannot be the parent of prefecture "150700": use 150000`},
		{Line: 10, Message: `code "150800" is not a county code (XXYYZZ, ZZ not 00)`},
		{Line: 11, Message: `parent_code "150800" cannot be the parent of county "150901": use 150900 or 150000`},
		{Line: 13, Message: `parent_code "150000" skips the prefecture "150100" on line 12`},
		{Line: 14, Message: `code "150100" already on line 12`},
		{Line: 15, Message: "level is required"},
		{Line: 16, Message: `code "150010" is not a prefecture code (XXYY00)`},
		{Line: 17, Message: "parent_code is required for a prefecture"},
		{Line: 17, Message: `code "150000" is not a prefecture code (XXYY00)`},
		{Line: 17, Message: `code "150000" already on line 15`},
	}
	rows, err := ParseDivisions(strings.NewReader(file))
	if rows != nil {
		t.Errorf("rows = %v, want none", rows)
	}
	if diff := cmp.Diff(want, lineErrors(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestParseDivisionsBadHeader(t *testing.T) {
	tests := []struct {
		name string
		file string
		want model.LineErrors
	}{
		{"empty", "", model.LineErrors{{Line: 1, Message: "the file is empty: the first row must name the columns code, name, name_en (optional), parent_code, level"}}},
		{"unknown column", "code,name,parent_code,level,population\n", model.LineErrors{{Line: 1, Message: `unknown column "population": the columns are code, name, name_en (optional), parent_code, level`}}},
		{"missing column", "code,name\n", model.LineErrors{{Line: 1, Message: `missing required columns "parent_code", "level"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDivisions(strings.NewReader(tt.file))
			if diff := cmp.Diff(tt.want, lineErrors(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
