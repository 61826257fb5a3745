package roster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// WriteCSV writes an export as CSV: a UTF-8 byte-order mark so Excel reads
// Chinese correctly, the header, then the rows. Every row has one cell per
// header column.
func WriteCSV(w io.Writer, header []string, rows [][]Cell) error {
	if err := checkShape(header, rows); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	record := make([]string, len(header))
	for i, h := range header {
		record[i] = safeText(h)
	}
	if err := cw.Write(record); err != nil {
		return err
	}
	for _, row := range rows {
		for i, c := range row {
			record[i] = c.String()
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes an export as a one-sheet workbook: a bold, frozen header
// row, columns sized to their contents, numbers as numeric cells.
func WriteXLSX(w io.Writer, sheet string, header []string, rows [][]Cell) error {
	return WriteXLSXSheets(w, Sheet{Name: sheet, Header: header, Rows: rows})
}

// Sheet is one sheet of a workbook export.
type Sheet struct {
	Name   string // "" is Sheet1
	Header []string
	Rows   [][]Cell
}

// WriteXLSXSheets writes a workbook of the sheets, in order, each as
// WriteXLSX writes its one.
func WriteXLSXSheets(w io.Writer, sheets ...Sheet) (err error) {
	for _, sh := range sheets {
		if err := checkShape(sh.Header, sh.Rows); err != nil {
			return err
		}
	}
	f := excelize.NewFile()
	defer func() { err = errors.Join(err, f.Close()) }()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	oneDecimal := "0.0"
	tenths, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDecimal})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		name := sh.Name
		if name == "" {
			name = "Sheet1"
		}
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet name %q: %w", name, err)
		}
		if err := writeSheet(f, name, sh, bold, tenths); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeSheet(f *excelize.File, name string, sh Sheet, bold, tenths int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, wd := range columnWidths(sh.Header, sh.Rows) {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	values := make([]any, len(sh.Header))
	for i, h := range sh.Header {
		values[i] = excelize.Cell{StyleID: bold, Value: safeText(h)}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return err
	}
	for r, row := range sh.Rows {
		for i, c := range row {
			values[i] = xlsxValue(c, tenths)
		}
		ref, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxValue is what the stream writer needs for c: nil leaves the cell out.
func xlsxValue(c Cell, tenths int) any {
	switch {
	case c.kind == textCell:
		return safeText(c.text)
	case c.kind == numberCell && c.places == 0:
		return int64(c.num)
	case c.kind == numberCell && c.places == 1:
		return excelize.Cell{StyleID: tenths, Value: c.num}
	case c.kind == numberCell:
		return c.num
	}
	return nil
}

func checkShape(header []string, rows [][]Cell) error {
	for i, row := range rows {
		if len(row) != len(header) {
			return fmt.Errorf("export row %d has %d cells for %d columns", i+1, len(row), len(header))
		}
	}
	return nil
}

// columnWidths sizes each column to its widest value, in Excel's character
// units where a Chinese character counts two, within sensible bounds.
func columnWidths(header []string, rows [][]Cell) []float64 {
	const minWidth, maxWidth = 8, 60
	widths := make([]float64, len(header))
	for i, h := range header {
		widths[i] = float64(displayWidth(h))
	}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], float64(displayWidth(c.String())))
		}
	}
	for i, wd := range widths {
		widths[i] = min(max(wd+2, minWidth), maxWidth)
	}
	return widths
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
