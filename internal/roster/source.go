package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// rowSource yields the rows of an import file with their line numbers, and
// io.EOF after the last. A *csv.ParseError is a bad row, not the end.
type rowSource interface {
	next() (line int, cells []string, err error)
	close() error
}

// openSource picks the reader by the file name's extension.
func openSource(r io.Reader, name string, lim limits) (rowSource, error) {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".csv":
		return openCSV(r, lim)
	case ".xlsx":
		return openXLSX(r, lim)
	default:
		return nil, fmt.Errorf("%w %q: use .csv or .xlsx", ErrUnsupportedType, ext)
	}
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, tooLarge(max)
	}
	return b, nil
}

// csvSource reads CSV text.
type csvSource struct{ r *csv.Reader }

func openCSV(r io.Reader, lim limits) (*csvSource, error) {
	b, err := readLimited(r, lim.fileBytes)
	if err != nil {
		return nil, err
	}
	text, err := decodeText(b)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	return &csvSource{r: cr}, nil
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		return 0, nil, err
	}
	line, _ := s.r.FieldPos(0)
	return line, rec, nil
}

func (s *csvSource) close() error { return nil }

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	zipMagic   = []byte("PK\x03\x04")
)

// maxUnzippedBytes bounds what an XLSX import may unzip to: a sheet of
// MaxRows schools is well under it.
const maxUnzippedBytes = 1 << 30

// decodeText turns CSV bytes into text: UTF-8 with or without a BOM when the
// bytes are valid UTF-8, otherwise GB18030 as Chinese Excel saves "CSV".
func decodeText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, zipMagic):
		return "", errors.New("this is an XLSX (zip) file, not CSV: name it .xlsx")
	case bytes.HasPrefix(b, bomUTF16LE), bytes.HasPrefix(b, bomUTF16BE):
		return "", errors.New("UTF-16 text is not supported: save as \"CSV UTF-8\" or \"CSV\"")
	}
	b = bytes.TrimPrefix(b, bomUTF8)
	if utf8.Valid(b) {
		return string(b), nil
	}
	// UTF-8 Chinese with one stray byte would decode as GB18030 mojibake
	// and import without a word; say where the byte is instead.
	if bad, broken := brokenUTF8(b); broken {
		var p problems
		p.addf(1+bytes.Count(b[:bad], []byte("\n")), "byte 0x%02X is not valid UTF-8: save the file again as \"CSV UTF-8\"", b[bad])
		return "", p.err()
	}
	d, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil {
		return "", fmt.Errorf("decoding GB18030: %w", err)
	}
	text := strings.TrimPrefix(string(d), "\uFEFF")
	// The decoder turns bytes that are not GB18030 either into U+FFFD.
	if i := strings.IndexRune(text, utf8.RuneError); i >= 0 {
		var p problems
		p.add(1+strings.Count(text[:i], "\n"), "the text is neither UTF-8 nor GB18030: save as \"CSV UTF-8\"")
		return "", p.err()
	}
	return text, nil
}

// brokenUTF8 tells UTF-8 with a few bad bytes from GB18030, and where the
// first bad byte is. GB18030 Chinese forms a valid multi-byte UTF-8
// sequence only by chance (about one character in twelve), so text with
// more valid sequences than bad bytes is UTF-8.
func brokenUTF8(b []byte) (firstBad int, broken bool) {
	valid, bad := 0, 0
	firstBad = -1
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			if bad++; firstBad < 0 {
				firstBad = i
			}
		case n > 1:
			valid++
		}
		i += n
	}
	return firstBad, bad > 0 && valid > bad
}

// xlsxSource reads the first sheet of a workbook; line numbers are row
// numbers.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(r io.Reader, lim limits) (*xlsxSource, error) {
	b, err := readLimited(r, lim.fileBytes)
	if err != nil {
		return nil, err
	}
	// Bound the unzipped size against zip bombs; sheets over 16 MiB spill
	// to temporary files rather than memory.
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzippedBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("not a readable XLSX file: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading sheet %q: %w", sheets[0], err)
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (s *xlsxSource) next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, err
		}
		return 0, nil, io.EOF
	}
	s.line++
	// Raw values: 1240 rather than "1,240" under a number format.
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	return s.line, cells, err
}

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.f.Close())
}
