package roster

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"safecampus/internal/model"
)

// FuzzParseSchoolsCSV checks that any bytes give either valid schools or an
// error, never a panic, and that problems come with sensible line numbers.
func FuzzParseSchoolsCSV(f *testing.F) {
	f.Add([]byte(schoolsHeader + twoSchools))
	f.Add([]byte("\uFEFF" + schoolsHeader + twoSchools))
	f.Add([]byte(""))
	f.Add([]byte("code,name,type,division_code,students\nS1,一小,小学,150102,\"1,240\"\nS1,\"a\nb\",x,1,-1\n"))
	f.Add([]byte("code,name,type,division_code,students\nS1,一\"小,primary,150102,100\n,,,,\n\"unterminated\n"))
	f.Add([]byte("code,code,Name\n\xff\xfe"))
	f.Add([]byte("code,name,type,division_code,students\n\xd2\xbb\xd0\xa1,\xd2\xbb\xd0\xa1,\xd0\xa1\xd1\xa7,150102,1E3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseSchools(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			var le model.LineErrors
			if !errors.As(err, &le) && rows != nil {
				t.Errorf("rows = %v with error %v: an unreadable file has no rows", rows, err)
			}
			if errors.As(err, &le) {
				// The good rows come back with the bad lines, for the
				// caller's further checks; none of them is a bad line.
				for _, r := range rows {
					for _, e := range le {
						if r.Line == e.Line {
							t.Errorf("line %d is both a row and a problem", r.Line)
						}
					}
				}
				if len(le) == 0 {
					t.Errorf("empty model.LineErrors returned")
				}
				if !slices.IsSortedFunc(le, func(a, b model.LineError) int { return a.Line - b.Line }) {
					t.Errorf("problems out of line order: %v", le)
				}
				for _, e := range le {
					if e.Line < 1 || e.Message == "" {
						t.Errorf("bad problem %+v", e)
					}
				}
			}
			return
		}
		if rows == nil {
			t.Fatalf("no rows and no error")
		}
		seen := map[string]bool{}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Errorf("row line %d after %d", r.Line, last)
			}
			last = r.Line
			if errs := r.School.Validate(); len(errs) > 0 {
				t.Errorf("line %d: invalid school returned: %v", r.Line, errs)
			}
			if !r.School.Active || seen[r.School.Code] {
				t.Errorf("line %d: inactive or repeated school %+v", r.Line, r.School)
			}
			seen[r.School.Code] = true
		}
	})
}
