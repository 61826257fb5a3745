package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// storedSchoolEntry is a school audit entry's new value exactly as the
// audit trail holds it: every database written so far has entries of this
// shape, and the coverage rebuild must keep reading them.
const storedSchoolEntry = `{"ID":7,"Code":"S0007","Name":"学校7","Type":"primary","DivisionCode":"150102",` +
	`"Address":"新华大街1号","Students":420,"Boarders":30,"PoliceStation":"新城派出所","Ownership":"public","Active":true}`

var recordedSchool = model.School{ID: 7, Code: "S0007", Name: "学校7", Type: model.Primary, DivisionCode: "150102",
	Address: "新华大街1号", Students: 420, Boarders: 30, PoliceStation: "新城派出所", Ownership: model.Public, Active: true}

// TestSchoolRecordShape pins the shape of the school audit record: what is
// written is byte for byte what was written before, and old entries read
// back as the school they recorded.
func TestSchoolRecordShape(t *testing.T) {
	b, err := json.Marshal(schoolRowOf(recordedSchool).record())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != storedSchoolEntry {
		t.Errorf("school record written as\n%s\nwant\n%s", got, storedSchoolEntry)
	}
	b, err = json.Marshal(activeRecord{Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"active":true}`; got != want {
		t.Errorf("active record written as %s, want %s", got, want)
	}

	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		action, value string
		want          *schoolVersion
	}{
		{"create", storedSchoolEntry, &schoolVersion{at: at, school: &recordedSchool}},
		{"update", storedSchoolEntry, &schoolVersion{at: at, school: &recordedSchool}},
		{"import", storedSchoolEntry, &schoolVersion{at: at, school: &recordedSchool}},
		// Fields the record does not know are ignored, missing ones are zero.
		{"update", `{"Code":"S0007","DivisionCode":"150103","Students":9,"Boarders":1,"Motto":"x"}`,
			&schoolVersion{at: at, school: &model.School{Code: "S0007", DivisionCode: "150103", Students: 9, Boarders: 1}}},
		{"activate", `{"active":true}`, &schoolVersion{at: at, active: ptr(true)}},
		{"deactivate", `{"active":false}`, &schoolVersion{at: at, active: ptr(false)}},
		{"delete_evidence", `{}`, nil},
	}
	for _, tt := range tests {
		v, ok, err := schoolVersionOf(auditRow{ID: 1, At: at, Action: tt.action, Entity: "school", NewValue: tt.value})
		if err != nil {
			t.Errorf("%s %s: %v", tt.action, tt.value, err)
			continue
		}
		if !ok {
			if tt.want != nil {
				t.Errorf("%s %s: not read as a version", tt.action, tt.value)
			}
			continue
		}
		if tt.want == nil {
			t.Errorf("%s: read as a version, want none", tt.action)
			continue
		}
		if diff := cmp.Diff(*tt.want, v, cmp.AllowUnexported(schoolVersion{})); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.action, tt.value, diff)
		}
	}
	if _, _, err := schoolVersionOf(auditRow{ID: 3, Action: "update", NewValue: "not json"}); err == nil {
		t.Error("a malformed school entry was read without error")
	}
}
