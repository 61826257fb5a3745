package roster

import (
	"bytes"
	"testing"
)

// FuzzParseDivisions: any bytes give divisions whose parents come first,
// or an error; never a panic.
func FuzzParseDivisions(f *testing.F) {
	for _, seed := range []string{
		"code,name,name_en,parent_code,level\n150000,内蒙古自治区,Inner Mongolia,,province\n150100,呼和浩特市,Hohhot,150000,prefecture\n150102,新城区,Xincheng,150100,county\n",
		"\uFEFFcode,name,name_en,parent_code,level\n150102,新城区,,150100,county\n",
		"",
		"code,name\n1,2\n",
		"code,name,name_en,parent_code,level\n15000,x,,,province\n150000,=cmd|' /C calc'!A0,,,province\n",
		"code,name,name_en,parent_code,level\n150100,<script>alert(1)</script>,,150000,prefecture\n150000,x,,,province\n",
		"code,name,name_en,parent_code,level\n\"150000\n,x,,,province\n",
		"code,name,name_en,parent_code,level\n\xff\xfe\x00,\xd2\xbb,,,county\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseDivisions(bytes.NewReader(data))
		if err != nil {
			if rows != nil {
				t.Errorf("rows with error %v: import is all or nothing", err)
			}
			return
		}
		assertParentsFirst(t, rows)
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.Division.Code] || !sixDigits(r.Division.Code) {
				t.Errorf("line %d: repeated or malformed code %q", r.Line, r.Division.Code)
			}
			seen[r.Division.Code] = true
		}
	})
}
