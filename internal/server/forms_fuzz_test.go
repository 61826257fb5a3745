package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// Fuzz tests of the form parsers: any body a browser (or an attacker) can
// post is read without panicking, and what is read is what was posted.
// `go test` runs the seeds; `go test -fuzz FuzzParseChecklistForm
// ./internal/server` explores further.

const goodChecklistForm = "checked_on=2026-03-02&action=submit&notes=ok" +
	"&nursing_post.set_up=yes&nursing_post.am_staff=2&nursing_post.pm_staff=2&nursing_post.police_present=yes&nursing_post.roster_on_file=yes" +
	"&closed_management.perimeter_enclosed=yes&closed_management.gate_room_24h=yes&closed_management.visitor_registration=yes&closed_management.anti_ramming=bollards" +
	"&security_guards.full_time_guards=2&security_guards.licensed_guards=2" +
	"&one_button_alarm.installed=yes&one_button_alarm.linked_to_police=yes&one_button_alarm.last_test_on=2026-02-20&one_button_alarm.last_test_ok=yes" +
	"&video_networking.cameras=12&video_networking.gate_covered=yes&video_networking.networked_to_police=yes&video_networking.retention_days=30"

func FuzzParseChecklistForm(f *testing.F) {
	for _, seed := range []string{
		goodChecklistForm,
		"",
		"checked_on=",
		"checked_on=2026-02-30&action=draft",
		"checked_on=9999-12-31&nursing_post.am_staff=-1&nursing_post.pm_staff=99999999999999999999",
		"checked_on=2026-03-02&nursing_post.set_up=maybe&closed_management.anti_ramming=%3Cscript%3E",
		"checked_on=2026-03-02&security_guards.full_time_guards=%20%2B3%20&security_guards.licensed_guards=0x10",
		"checked_on=2026-03-02&one_button_alarm.last_test_on=2026-3-2&unknown.field=1&notes=%00%FF",
		"checked_on=2026-03-02&checked_on=2020-01-01&nursing_post.set_up=yes&nursing_post.set_up=no",
		"checked_on=%zz&notes=%",
		"notes=" + strings.Repeat("%22%3E%3Cimg%20src%3Dx%3E", 20),
	} {
		f.Add(seed)
	}
	known := map[string]bool{"checked_on": true, "notes": true, "idempotency_key": true, "made_at": true}
	for _, field := range model.FactTable {
		known[field.Key] = true
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body)
		got := parseChecklistForm(form)
		for k, v := range got.Values {
			if !known[k] {
				t.Errorf("value kept for unknown field %q", k)
			}
			want := strings.TrimSpace(form.Get(k))
			if k == "notes" {
				want = form.Get(k)
			}
			if v != want {
				t.Errorf("field %s kept as %q, posted %q", k, v, form.Get(k))
			}
		}
		for _, e := range got.Errors {
			if e.Field != "" && !known[e.Field] {
				t.Errorf("error on unknown field %q: %v", e.Field, e)
			}
			if e.Message == "" {
				t.Errorf("error without a message on %q", e.Field)
			}
		}
		if got.Submit != (form.Get("action") == "submit") {
			t.Errorf("Submit = %v for action %q", got.Submit, form.Get("action"))
		}
		if len(got.Errors) > 0 {
			return
		}
		if got.CheckedOn == 0 {
			t.Errorf("no errors but no check date")
		}
		// Whatever was read is the same facts the API would read.
		b, err := json.Marshal(got.Facts)
		if err != nil {
			t.Fatal(err)
		}
		again, err := model.DecodeFacts(b)
		if err != nil {
			t.Fatalf("parsed facts do not decode: %v", err)
		}
		if b2, _ := json.Marshal(again); string(b2) != string(b) {
			t.Errorf("facts changed on a round trip: %s → %s", b, b2)
		}
		_ = got.Facts.Validate(got.Submit)
	})
}

func FuzzParseSchoolForm(f *testing.F) {
	for _, seed := range []string{
		"code=1501020001&name=一小&type=primary&division_code=150102&address=新城区&students=500&boarders=0&police_station=派出所&ownership=public",
		"",
		"students=&boarders=",
		"students=-1&boarders=99999999999999999999999",
		"students=1e3&boarders=%2B5",
		"name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&address=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&police_station=%3Dcmd%7C",
		"code=%00&name=%FF%FE&type=%E5%B0%8F%E5%AD%A6&students=%20%2012%20",
		"code=a&code=b&students=1&students=2",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body)
		base := model.School{ID: 7, Active: true}
		school, values, errs := parseSchoolForm(form, base)
		if school.ID != 7 || !school.Active {
			t.Errorf("the parser changed the record's identity: %+v", school)
		}
		for _, k := range schoolFields {
			if values[k] != strings.TrimSpace(form.Get(k)) {
				t.Errorf("%s kept as %q, posted %q", k, values[k], form.Get(k))
			}
		}
		if len(values) != len(schoolFields) {
			t.Errorf("values %v, want exactly the school fields", values)
		}
		if school.Name != values["name"] || school.Address != values["address"] || school.PoliceStation != values["police_station"] ||
			school.Code != values["code"] || school.DivisionCode != values["division_code"] {
			t.Errorf("text fields not taken as typed: %+v from %v", school, values)
		}
		for _, e := range errs {
			if e.Field != "students" && e.Field != "boarders" {
				t.Errorf("error on %q: only the numbers are the parser's to check", e.Field)
			}
		}
		// Validation of the rest never panics, whatever the parser let by.
		_ = school.Validate()
	})
}
