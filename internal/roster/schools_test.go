package roster

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

const schoolsHeader = "code,name,type,division_code,address,students,boarders,police_station,ownership\n"

// twoSchools is a good file body in every column, one English and one
// Chinese type and ownership.
const twoSchools = "1501020001,呼和浩特市新城区第一小学,primary,150102,新华大街1号,1240,0,新城派出所,public\n" +
	"1501020002,新城区实验幼儿园,幼儿园,150102,,320,,,民办\n"

var twoSchoolsWant = []model.SchoolLine{
	{Line: 2, School: model.School{Code: "1501020001", Name: "呼和浩特市新城区第一小学", Type: model.Primary, DivisionCode: "150102",
		Address: "新华大街1号", Students: 1240, PoliceStation: "新城派出所", Ownership: model.Public, Active: true}},
	{Line: 3, School: model.School{Code: "1501020002", Name: "新城区实验幼儿园", Type: model.Kindergarten, DivisionCode: "150102",
		Students: 320, Ownership: model.Private, Active: true}},
}

// school is an active public primary school in 150102 with 100 students,
// for cases that only vary a little.
func school(code string) model.School {
	return model.School{Code: code, Name: "一小", Type: model.Primary, DivisionCode: "150102", Students: 100, Ownership: model.Public, Active: true}
}

func TestParseSchoolsCSV(t *testing.T) {
	withAddress := school("S1")
	withAddress.Address = "新华大街\n1号"
	counts := school("S1")
	counts.Students, counts.Boarders = 1240, 12

	tests := []struct {
		name string
		file []byte
		want []model.SchoolLine
	}{
		{"utf-8 without BOM", []byte(schoolsHeader + twoSchools), twoSchoolsWant},
		{"utf-8 with BOM", []byte("\uFEFF" + schoolsHeader + twoSchools), twoSchoolsWant},
		{"gb18030 as Chinese Excel saves it", gb18030(t, schoolsHeader+twoSchools), twoSchoolsWant},
		{"gb18030 with BOM", append([]byte{0x84, 0x31, 0x95, 0x33}, gb18030(t, schoolsHeader+twoSchools)...), twoSchoolsWant},
		{"CRLF line ends", []byte(strings.ReplaceAll(schoolsHeader+twoSchools, "\n", "\r\n")), twoSchoolsWant},
		{
			"columns in another order, optional ones missing",
			[]byte("students,division_code,type,name,code\n100,150102,小学,一小,S1\n"),
			[]model.SchoolLine{{Line: 2, School: school("S1")}},
		},
		{
			"header names trimmed, any case",
			[]byte(" Code ,NAME,Type,Division_Code, STUDENTS\nS1,一小,primary,150102,100\n"),
			[]model.SchoolLine{{Line: 2, School: school("S1")}},
		},
		{
			"values trimmed",
			[]byte("code,name,type,division_code,students\n S1 , 一小 , primary , 150102 , 100 \n"),
			[]model.SchoolLine{{Line: 2, School: school("S1")}},
		},
		{
			"blank lines skipped, line numbers kept",
			[]byte("\ncode,name,type,division_code,students\n\n,,,,\n  ,\nS1,一小,primary,150102,100\n\n"),
			[]model.SchoolLine{{Line: 6, School: school("S1")}},
		},
		{
			"quoted value across lines",
			[]byte("code,name,type,division_code,students,address\nS1,一小,primary,150102,100,\"新华大街\n1号\"\nS2,一小,primary,150102,100,\n"),
			[]model.SchoolLine{{Line: 2, School: withAddress}, {Line: 4, School: school("S2")}},
		},
		{
			"counts as spreadsheets write them",
			[]byte("code,name,type,division_code,students,boarders\nS1,一小,primary,150102,\"1,240\",12.0\n"),
			[]model.SchoolLine{{Line: 2, School: counts}},
		},
		{"header only", []byte(schoolsHeader), []model.SchoolLine{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchools(bytes.NewReader(tt.file), "schools.csv")
			if err != nil {
				t.Fatalf("ParseSchools: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSchoolsReportsEveryBadRow(t *testing.T) {
	file := schoolsHeader +
		"S1,第一小学,primary,150102,,100,10,,public\n" + // 2: good
		",无代码小学,primary,150102,,100,,,\n" + // 3
		"S3,,primary,150102,,100,,,\n" + // 4
		"S4,四小,university,150102,,100,,,\n" + // 5
		"S5,五小,,150102,,100,,,\n" + // 6
		"S6,六小,primary,15010,,100,,,\n" + // 7
		"S7,七小,primary,,,100,,,\n" + // 8
		"S8,八小,primary,150102,,,,,\n" + // 9
		"S9,九小,primary,150102,,abc,,,\n" + // 10
		"S10,十小,primary,150102,,-5,,,\n" + // 11
		"S11,十一小,primary,150102,,100,200,,\n" + // 12
		"S12,十二小,primary,150102,,100,x,,\n" + // 13
		"S13,十三小,primary,150102,,100,,,state\n" + // 14
		"S1,重复小学,primary,150102,,100,,,\n" + // 15
		"S 16,空格小学,primary,150102,,100,,,\n" + // 16
		"S17,多错小学,中学,1501,,many,,,x\n" + // 17
		"S18,十八小,primary,150102,,100,,,,extra\n" + // 18
		"S19,十九小," + strings.Repeat("长", 201) + ",150102,,100,,,\n" + // 19: too long for a type, so it is a bad type
		"S20,二十小,primary,150102,,100,,,\n" // 20: good

	notType := func(v string) string {
		return fmt.Sprintf("type %q is not a school type: use kindergarten, primary, junior, senior, nine_year, twelve_year, complete_secondary, vocational, special or the Chinese name", v)
	}
	want := model.LineErrors{
		{Line: 3, Message: "code is required"},
		{Line: 4, Message: "name is required"},
		{Line: 5, Message: notType("university")},
		{Line: 6, Message: "type is required"},
		{Line: 7, Message: `division code "15010" is not six digits`},
		{Line: 8, Message: "division_code is required"},
		{Line: 9, Message: "students is required"},
		{Line: 10, Message: `students "abc" is not a whole number of 0 or more`},
		{Line: 11, Message: `students "-5" is not a whole number of 0 or more`},
		{Line: 12, Message: "boarders 200 is more than students 100"},
		{Line: 13, Message: `boarders "x" is not a whole number of 0 or more`},
		{Line: 14, Message: `ownership "state" is not public, private, 公办 or 民办`},
		{Line: 15, Message: `code "S1" already on line 2`},
		{Line: 16, Message: `code "S 16" must be up to 32 letters, digits, - or _`},
		{Line: 17, Message: notType("中学")},
		{Line: 17, Message: `division code "1501" is not six digits`},
		{Line: 17, Message: `students "many" is not a whole number of 0 or more`},
		{Line: 17, Message: `ownership "x" is not public, private, 公办 or 民办`},
		{Line: 18, Message: `value "extra" in column 10 has no column name in the header`},
		{Line: 19, Message: notType(strings.Repeat("长", 201))},
	}
	rows, err := ParseSchools(strings.NewReader(file), "schools.csv")
	// The good rows come back beside the problems, for the caller's own
	// checks; the import as a whole still writes nothing.
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	if diff := cmp.Diff([]int{2, 20}, lines); diff != "" {
		t.Errorf("good rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, lineErrors(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestParseSchoolsBadFile(t *testing.T) {
	const all = "code, name, type, division_code, address (optional), students, boarders (optional), police_station (optional), ownership (optional)"
	tests := []struct {
		name string
		file string
		want model.LineErrors
	}{
		{"empty file", "", model.LineErrors{{Line: 1, Message: "the file is empty: the first row must name the columns " + all}}},
		{"only blank lines", "\n\n,,\n", model.LineErrors{{Line: 1, Message: "the file is empty: the first row must name the columns " + all}}},
		{
			"unknown columns",
			"code,name,type,division_code,students,Grade,phone\nS1,一小,primary,150102,100,3,110\n",
			model.LineErrors{{Line: 1, Message: `unknown columns "grade", "phone": the columns are ` + all}},
		},
		{
			"missing required columns",
			"code,name,address\nS1,一小,x\n",
			model.LineErrors{{Line: 1, Message: `missing required columns "type", "division_code", "students"`}},
		},
		{
			"unknown and missing together",
			"code,name,type,division_code,student\n",
			model.LineErrors{
				{Line: 1, Message: `unknown column "student": the columns are ` + all},
				{Line: 1, Message: `missing required column "students"`},
			},
		},
		{
			"repeated column",
			"code,name,type,division_code,students,Code\n",
			model.LineErrors{{Line: 1, Message: `column "code" appears more than once`}},
		},
		{
			"bare quote, later rows still checked",
			"code,name,type,division_code,students\nS1,一\"小,primary,150102,100\nS2,二小,college,150102,100\n",
			model.LineErrors{
				{Line: 2, Message: `malformed CSV: bare " in non-quoted-field`},
				{Line: 3, Message: `type "college" is not a school type: use kindergarten, primary, junior, senior, nine_year, twelve_year, complete_secondary, vocational, special or the Chinese name`},
			},
		},
		{
			"unterminated quote",
			"code,name,type,division_code,students\nS1,\"一小,primary,150102,100\nS2,二小,primary,150102,100\n",
			model.LineErrors{{Line: 2, Message: `malformed CSV: extraneous or missing " in quoted-field`}},
		},
		{
			"UTF-8 with a stray byte",
			"code,name,type,division_code,students\nS1,一小,primary,150102,100\nS2,二\xe9小,primary,150102,100\nS3,三小,primary,150102,100\n",
			model.LineErrors{{Line: 3, Message: `byte 0xE9 is not valid UTF-8: save the file again as "CSV UTF-8"`}},
		},
		{
			"neither UTF-8 nor GB18030",
			"code,name,type,division_code,students\nS1,\xff\xff,primary,150102,100\n",
			model.LineErrors{{Line: 2, Message: `the text is neither UTF-8 nor GB18030: save as "CSV UTF-8"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseSchools(strings.NewReader(tt.file), "schools.csv")
			if len(rows) != 0 {
				t.Errorf("rows = %v, want none", rows)
			}
			if diff := cmp.Diff(tt.want, lineErrors(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSchoolsFileTypes(t *testing.T) {
	good := schoolsHeader + twoSchools
	tests := []struct {
		name    string
		file    string
		want    error  // matched with errors.Is, if set
		wantMsg string // contained in the message
	}{
		{"schools.txt", good, ErrUnsupportedType, `unsupported file type ".txt"`},
		{"schools.xls", good, ErrUnsupportedType, `unsupported file type ".xls"`},
		{"schools", good, ErrUnsupportedType, "unsupported file type"},
		{"schools.csv", string(workbook(t, [][]any{{"code"}})), nil, "XLSX"},
		{"schools.xlsx", good, nil, "not a readable XLSX file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseSchools(strings.NewReader(tt.file), tt.name)
			if err == nil {
				t.Fatalf("rows = %v, want an error", rows)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to say %q", err, tt.wantMsg)
			}
		})
	}

	// The extension's case does not matter.
	if _, err := ParseSchools(strings.NewReader(good), `C:\exports\SCHOOLS.CSV`); err != nil {
		t.Errorf("upper-case .CSV: %v", err)
	}
}

func TestParseSchoolsLimits(t *testing.T) {
	row := func(code string) string { return code + ",一小,primary,150102,100\n" }
	bad := func(code string) string { return code + ",一小,college,150102,100\n" }
	const header = "code,name,type,division_code,students,address\n"
	small := limits{fileBytes: 1 << 20, rows: 2, cellBytes: 10, problems: 2}

	tests := []struct {
		name string
		file string
		want model.LineErrors
	}{
		{
			"too many rows",
			header + row("S1") + "\n" + row("S2") + row("S3") + row("S4"),
			model.LineErrors{{Line: 5, Message: "more than 2 rows: split the file"}},
		},
		{
			"cell too long",
			header + "S1,一小,primary,150102,100,很长很长的地址\n",
			model.LineErrors{{Line: 2, Message: `address "很长很长的地址" is longer than 10 bytes`}},
		},
		{
			"too many problems",
			header + bad("S1") + bad("S2"),
			model.LineErrors{
				{Line: 2, Message: `type "college" is not a school type: use kindergarten, primary, junior, senior, nine_year, twelve_year, complete_secondary, vocational, special or the Chinese name`},
				{Line: 3, Message: `type "college" is not a school type: use kindergarten, primary, junior, senior, nine_year, twelve_year, complete_secondary, vocational, special or the Chinese name`},
				{Line: 3, Message: "stopped reading after 2 problems"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSchools(strings.NewReader(tt.file), "schools.csv", small)
			if diff := cmp.Diff(tt.want, lineErrors(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("file too large", func(t *testing.T) {
		for _, name := range []string{"schools.csv", "schools.xlsx"} {
			_, err := parseSchools(strings.NewReader(header+row("S1")), name, limits{fileBytes: 20, rows: 10, cellBytes: 10, problems: 10})
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: error = %v, want ErrTooLarge", name, err)
			}
		}
	})
}

func TestParseSchoolsXLSX(t *testing.T) {
	header := []any{"Code", "name", "type", "division_code", "students", "boarders", "ownership"}
	third := school("1501020003")
	third.Type, third.Students = model.Junior, 1240
	wantGood := []model.SchoolLine{
		{Line: 2, School: model.School{Code: "1501020001", Name: "一小", Type: model.Primary, DivisionCode: "150102", Students: 1240, Boarders: 12, Ownership: model.Public, Active: true}},
		{Line: 3, School: model.School{Code: "1501020002", Name: "二小", Type: model.Primary, DivisionCode: "150102", Students: 980, Ownership: model.Private, Active: true}},
		{Line: 5, School: third},
	}

	tests := []struct {
		name     string
		rows     [][]any
		want     []model.SchoolLine
		wantErrs model.LineErrors
	}{
		{
			"numbers as numbers or text, a gap row, Chinese names",
			[][]any{
				header,
				{"1501020001", "一小", "小学", "150102", 1240, 12, "公办"},
				{"1501020002", "二小", "primary", 150102, "980", "", "private"},
				nil,
				{1501020003, "一小", "初级中学", "150102", 1240.0, "", ""},
			},
			wantGood, nil,
		},
		{
			"bad rows by row number",
			[][]any{
				header,
				{"1501020001", "一小", "小学", "150102", 1240, 12, "公办"},
				{"1501020002", "二小", "primary", 150102, -5, "", "private"},
				nil,
				{"1501020001", "三小", "大学", "150102", 10.5, "", ""},
			},
			nil,
			model.LineErrors{
				{Line: 3, Message: `students "-5" is not a whole number of 0 or more`},
				{Line: 5, Message: `type "大学" is not a school type: use kindergarten, primary, junior, senior, nine_year, twelve_year, complete_secondary, vocational, special or the Chinese name`},
				{Line: 5, Message: `students "10.5" is not a whole number of 0 or more`},
				{Line: 5, Message: `code "1501020001" already on line 2`},
			},
		},
		{"header only", [][]any{header}, []model.SchoolLine{}, nil},
		{
			"missing column",
			[][]any{{"code", "name"}, {"S1", "一小"}},
			nil,
			model.LineErrors{{Line: 1, Message: `missing required columns "type", "division_code", "students"`}},
		},
		{"empty sheet", nil, nil, model.LineErrors{{Line: 1, Message: "the file is empty: the first row must name the columns code, name, type, division_code, address (optional), students, boarders (optional), police_station (optional), ownership (optional)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchools(bytes.NewReader(workbook(t, tt.rows)), "schools.xlsx")
			if tt.wantErrs != nil {
				if diff := cmp.Diff(tt.wantErrs, lineErrors(t, err)); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSchools: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSchoolsXLSXReadsFirstSheet(t *testing.T) {
	f := newWorkbookWithSheets(t)
	got, err := ParseSchools(bytes.NewReader(f), "schools.xlsx")
	if err != nil {
		t.Fatalf("ParseSchools: %v", err)
	}
	if diff := cmp.Diff([]model.SchoolLine{{Line: 2, School: school("S1")}}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// newWorkbookWithSheets has the schools on the first sheet and junk on a
// second, active sheet.
func newWorkbookWithSheets(t *testing.T) []byte {
	t.Helper()
	b := workbook(t, [][]any{
		{"code", "name", "type", "division_code", "students"},
		{"S1", "一小", "primary", "150102", 100},
	})
	f := openWorkbook(t, b)
	i, err := f.NewSheet("Notes")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Notes", "A1", "not a header"); err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(i)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in     string
		want   int
		wantOK bool
	}{
		{"0", 0, true},
		{"1240", 1240, true},
		{"1,240", 1240, true},
		{"1,240,000", 1240000, true},
		{"1240.0", 1240, true},
		{"1.24E3", 1240, true},
		{"12,40", 0, false},
		{"-5", 0, false},
		{"10.5", 0, false},
		{"abc", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x10", 0, false},
		{"1e100", 0, false},
		{"99999999999999999999", 0, false},
		{"１２", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseCount(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseCount(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func BenchmarkParseSchoolsCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(schoolsHeader)
	for i := range 10_000 {
		fmt.Fprintf(&buf, "15010200%05d,第%d小学,primary,150102,新华大街%d号,1240,12,新城派出所,public\n", i, i, i)
	}
	file := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ParseSchools(bytes.NewReader(file), "schools.csv"); err != nil {
			b.Fatal(err)
		}
	}
}
