package roster

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"safecampus/internal/model"
)

var exportHeader = []string{"code", "name", "schools", "percent"}

// exportRows hold every kind of cell, and text that would be a formula.
var exportRows = [][]Cell{
	{Text("150102"), Text(`=HYPERLINK("http://x","y")`), Int(12), Percent(model.PercentOf(1, 3))},
	{Text("-1"), Text("@SUM(A1)"), Int(-3), Percent(model.PercentOf(0, 0))},
	{Text("+86"), Text("\tx"), Float(2.5), Percent(model.PercentOf(3, 3))},
	{Text("\rx"), Text("新城区"), Empty(), Text("a=b")},
	{Text(""), Text("呼和浩特市新城区第一小学"), Float(math.NaN()), Cell{}},
}

func TestCellString(t *testing.T) {
	tests := []struct {
		cell Cell
		want string
	}{
		{Text("新城区"), "新城区"},
		{Text("=1+1"), "'=1+1"},
		{Text("+1"), "'+1"},
		{Text("-1"), "'-1"},
		{Text("@x"), "'@x"},
		{Text("\t=1"), "'\t=1"},
		{Text("\r=1"), "'\r=1"},
		{Text("a-b"), "a-b"},
		{Text(" =1"), " =1"},
		{Int(1240), "1240"},
		{Int(-3), "-3"},
		{Float(2.5), "2.5"},
		{Float(1e6), "1000000"},
		{Float(math.Inf(1)), ""},
		{Percent(model.PercentOf(1, 3)), "33.3"},
		{Percent(model.PercentOf(3, 3)), "100.0"},
		{Percent(model.PercentOf(0, 3)), "0.0"},
		{Percent(model.PercentOf(0, 0)), ""},
		{Empty(), ""},
	}
	for _, tt := range tests {
		if got := tt.cell.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.cell, got, tt.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, exportHeader, exportRows); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	body, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("CSV starts %q, want a UTF-8 BOM", buf.Bytes()[:min(3, buf.Len())])
	}
	got, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v", err)
	}
	want := [][]string{
		{"code", "name", "schools", "percent"},
		{"150102", `'=HYPERLINK("http://x","y")`, "12", "33.3"},
		{"'-1", "'@SUM(A1)", "-3", ""},
		{"'+86", "'\tx", "2.5", "100.0"},
		{"'\rx", "新城区", "", "a=b"},
		{"", "呼和浩特市新城区第一小学", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

func TestWriteCSVOfNoRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"code", "=name"}, nil); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	if got, want := buf.String(), "\uFEFFcode,'=name\n"; got != want {
		t.Errorf("CSV = %q, want %q", got, want)
	}
}

// xlsxCell is what a test reads back from a sheet cell.
type xlsxCell struct {
	Value  string
	Number bool
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "覆盖率", exportHeader, exportRows); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f := openWorkbook(t, buf.Bytes())
	if got := f.GetSheetList(); !cmp.Equal(got, []string{"覆盖率"}) {
		t.Fatalf("sheets = %q, want [覆盖率]", got)
	}
	const sheet = "覆盖率"

	text := func(v string) xlsxCell { return xlsxCell{Value: v} }
	num := func(v string) xlsxCell { return xlsxCell{Value: v, Number: true} }
	none := xlsxCell{}
	want := [][]xlsxCell{
		{text("code"), text("name"), text("schools"), text("percent")},
		{text("150102"), text(`'=HYPERLINK("http://x","y")`), num("12"), num("33.3")},
		{text("'-1"), text("'@SUM(A1)"), num("-3"), none},
		{text("'+86"), text("'\tx"), num("2.5"), num("100")},
		{text("'\rx"), text("新城区"), none, text("a=b")},
		{none, text("呼和浩特市新城区第一小学"), none, none},
	}
	got := make([][]xlsxCell, len(want))
	for r := range want {
		got[r] = make([]xlsxCell, len(exportHeader))
		for c := range exportHeader {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			// A number cell has type "n" or none at all.
			got[r][c] = xlsxCell{Value: v, Number: v != "" && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset)}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}

	if v, _ := f.GetCellValue(sheet, "D4"); v != "100.0" {
		t.Errorf("D4 shows %q, want 100.0: percentages keep one decimal", v)
	}
	style := func(ref string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, ref := range []string{"A1", "D1"} {
		if s := style(ref); s.Font == nil || !s.Font.Bold {
			t.Errorf("header cell %s is not bold", ref)
		}
	}
	if s := style("B2"); s.Font != nil && s.Font.Bold {
		t.Errorf("body cell B2 is bold")
	}

	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want the header row frozen", panes)
	}

	widths := map[string]float64{}
	for _, col := range []string{"A", "B", "C"} {
		if widths[col], err = f.GetColWidth(sheet, col); err != nil {
			t.Fatal(err)
		}
	}
	// B holds 12 Chinese characters, two units each, and the long formula.
	if widths["A"] < 8 || widths["B"] < 28 || widths["B"] > 60 || widths["C"] < 8 {
		t.Errorf("column widths = %v, want A, C at least 8 and B between 28 and 60", widths)
	}
}

func TestWriteXLSXDefaultSheetAndNoRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "", []string{"code"}, nil); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f := openWorkbook(t, buf.Bytes())
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"code"}}, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	ragged := [][]Cell{{Text("a"), Text("b")}, {Text("c")}}
	header := []string{"x", "y"}
	tests := []struct {
		name    string
		write   func() error
		wantMsg string
	}{
		{"CSV ragged row", func() error { return WriteCSV(&bytes.Buffer{}, header, ragged) }, "export row 2 has 1 cells for 2 columns"},
		{"XLSX ragged row", func() error { return WriteXLSX(&bytes.Buffer{}, "s", header, ragged) }, "export row 2 has 1 cells for 2 columns"},
		{"XLSX bad sheet name", func() error { return WriteXLSX(&bytes.Buffer{}, "a/b", header, nil) }, `sheet name "a/b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v, want one saying %q", err, tt.wantMsg)
			}
		})
	}
}
