package roster

import (
	"errors"
	"strings"
	"testing"

	"safecampus/internal/model"
)

func TestParseGuards(t *testing.T) {
	file := "\uFEFFname,id_number,licence_no,employer,hired_on,trained_on\n" +
		"张三,150102199003071237,NM-001,安保公司,2024-03-01,2024/03/15\n" +
		"李四,150203198506154410,,,2024-13-01,\n"
	rows, err := ParseGuards(strings.NewReader(file), "guards.csv")
	var le model.LineErrors
	if !errors.As(err, &le) || len(le) != 1 || le[0].Line != 3 || !strings.Contains(le[0].Message, "hired_on") {
		t.Fatalf("err = %v, want one problem on line 3 naming hired_on", err)
	}
	if len(rows) != 1 || rows[0].Line != 2 || rows[0].Guard.TrainedOn != model.NewDate(2024, 3, 15) || rows[0].Guard.LicenceNo != "NM-001" {
		t.Fatalf("rows = %+v", rows)
	}
	if _, err := ParseGuards(strings.NewReader("name,hired_on\n"), "guards.csv"); err == nil || !strings.Contains(err.Error(), "id_number") {
		t.Errorf("missing column: err = %v", err)
	}
}
