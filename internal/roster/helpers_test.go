package roster

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"safecampus/internal/model"
)

// lineErrors unwraps err as model.LineErrors, failing the test otherwise.
func lineErrors(t *testing.T, err error) model.LineErrors {
	t.Helper()
	var le model.LineErrors
	if !errors.As(err, &le) {
		t.Fatalf("error = %v (%T), want model.LineErrors", err, err)
	}
	return le
}

// gb18030 encodes text as Chinese Excel saves "CSV".
func gb18030(t *testing.T, text string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(b) {
		t.Fatalf("GB18030 encoding of %q is valid UTF-8: the test would not test decoding", text)
	}
	return b
}

// workbook builds an XLSX file whose first sheet holds rows, starting at A1;
// a nil row is left out, making a gap.
func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	for i, row := range rows {
		if row == nil {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", ref, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openWorkbook opens an XLSX file written by an export.
func openWorkbook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open exported XLSX: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
