package model_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

const fullFactsJSON = `{
  "nursing_post": {"set_up": true, "am_staff": 2, "pm_staff": 2, "police_present": true, "roster_on_file": true},
  "closed_management": {"perimeter_enclosed": true, "gate_room_24h": true, "visitor_registration": true, "anti_ramming": "bollards"},
  "security_guards": {"full_time_guards": 2, "licensed_guards": 2},
  "one_button_alarm": {"installed": true, "linked_to_police": true, "last_test_on": "2024-03-05", "last_test_ok": true},
  "video_networking": {"cameras": 24, "gate_covered": true, "networked_to_police": true, "retention_days": 90}
}`

func TestDecodeFacts(t *testing.T) {
	got, err := model.DecodeFacts([]byte(fullFactsJSON))
	if err != nil {
		t.Fatalf("DecodeFacts: %v", err)
	}
	if diff := cmp.Diff(goodFacts(checkDay), got); diff != "" {
		t.Errorf("DecodeFacts (-want +got):\n%s", diff)
	}
}

func TestDecodeFactsPartialAndEmpty(t *testing.T) {
	tests := []struct {
		in   string
		want model.Facts
	}{
		{``, model.Facts{}},
		{`null`, model.Facts{}},
		{`{}`, model.Facts{}},
		{`{"security_guards":{"full_time_guards":0}}`, model.Facts{SecurityGuards: model.SecurityGuardsFacts{FullTimeGuards: new(0)}}},
		{`{"nursing_post":{"set_up":false,"am_staff":null}}`, model.Facts{NursingPost: model.NursingPostFacts{SetUp: new(false)}}},
		{`{"one_button_alarm":{"last_test_on":null}}`, model.Facts{}},
	}
	for _, tt := range tests {
		got, err := model.DecodeFacts([]byte(tt.in))
		if err != nil {
			t.Errorf("DecodeFacts(%s): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("DecodeFacts(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestDecodeFactsRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // the error must contain this
	}{
		{`{"nursing_post":{"bogus":1}}`, `unknown field "bogus"`},
		{`{"fire_safety":{}}`, `unknown field "fire_safety"`},
		{`{"nursing_post":{"am_staff":"two"}}`, "nursing_post.am_staff must be a whole number"},
		{`{"nursing_post":{"am_staff":1.5}}`, "nursing_post.am_staff must be a whole number"},
		{`{"nursing_post":{"set_up":"yes"}}`, "nursing_post.set_up must be true or false"},
		{`{"security_guards":{"licensed_guards":true}}`, "security_guards.licensed_guards must be a whole number"},
		{`{"closed_management":{"anti_ramming":3}}`, "closed_management.anti_ramming must be one of none, barriers, bollards, lifting_posts"},
		{`{"one_button_alarm":{"last_test_on":20240305}}`, "one_button_alarm.last_test_on must be a date YYYY-MM-DD"},
		{`{"one_button_alarm":{"last_test_on":"2024-02-30"}}`, "one_button_alarm.last_test_on must be a date YYYY-MM-DD"},
		{`{"video_networking":[]}`, "video_networking must be an object"},
		{`[]`, "facts must be an object"},
		{`{"nursing_post":{}`, "facts:"},
		{`{} {}`, "trailing data"},
	}
	for _, tt := range tests {
		_, err := model.DecodeFacts([]byte(tt.in))
		if err == nil {
			t.Errorf("DecodeFacts(%s) = nil error, want %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeFacts(%s) error = %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// allFactFields lists every fact of schema v1 in Validate's order.
var allFactFields = []string{
	"nursing_post.set_up", "nursing_post.am_staff", "nursing_post.pm_staff", "nursing_post.police_present", "nursing_post.roster_on_file",
	"closed_management.perimeter_enclosed", "closed_management.gate_room_24h", "closed_management.visitor_registration", "closed_management.anti_ramming",
	"security_guards.full_time_guards", "security_guards.licensed_guards",
	"one_button_alarm.installed", "one_button_alarm.linked_to_police", "one_button_alarm.last_test_on", "one_button_alarm.last_test_ok",
	"video_networking.cameras", "video_networking.gate_covered", "video_networking.networked_to_police", "video_networking.retention_days",
}

func fields(errs model.FieldErrors) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestValidateCompleteListsEveryMissingFact(t *testing.T) {
	errs := model.Facts{}.Validate(true)
	if diff := cmp.Diff(allFactFields, fields(errs)); diff != "" {
		t.Errorf("missing facts (-want +got):\n%s", diff)
	}
	if got, want := errs.For("security_guards.licensed_guards"), "security_guards.licensed_guards is required to submit"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if errs := (model.Facts{}).Validate(false); len(errs) != 0 {
		t.Errorf("empty draft: got %v, want no errors", errs)
	}
	if errs := goodFacts(checkDay).Validate(true); len(errs) != 0 {
		t.Errorf("complete facts: got %v, want no errors", errs)
	}
	f := goodFacts(checkDay)
	f.NursingPost.PolicePresent, f.VideoNetworking.RetentionDays = nil, nil
	want := []string{"nursing_post.police_present", "video_networking.retention_days"}
	if diff := cmp.Diff(want, fields(f.Validate(true))); diff != "" {
		t.Errorf("two missing facts (-want +got):\n%s", diff)
	}
}

func TestValidateValues(t *testing.T) {
	tests := []struct {
		name     string
		change   func(f *model.Facts)
		field    string
		message  string
		complete bool
	}{
		{"negative am staff", func(f *model.Facts) { f.NursingPost.AMStaff = new(-1) }, "nursing_post.am_staff", "nursing_post.am_staff -1 is negative", true},
		{"negative guards in a draft", func(f *model.Facts) {
			*f = model.Facts{SecurityGuards: model.SecurityGuardsFacts{FullTimeGuards: new(-3)}}
		}, "security_guards.full_time_guards", "security_guards.full_time_guards -3 is negative", false},
		{"negative cameras", func(f *model.Facts) { f.VideoNetworking.Cameras = new(-5) }, "video_networking.cameras", "video_networking.cameras -5 is negative", true},
		{"negative retention", func(f *model.Facts) { f.VideoNetworking.RetentionDays = new(-30) }, "video_networking.retention_days", "video_networking.retention_days -30 is negative", true},
		{"absurd cameras", func(f *model.Facts) { f.VideoNetworking.Cameras = new(2_000_000) }, "video_networking.cameras", "video_networking.cameras 2000000 is too large", true},
		{"licensed above full time", func(f *model.Facts) {
			f.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: new(2), LicensedGuards: new(3)}
		}, "security_guards.licensed_guards", "licensed_guards 3 is more than full_time_guards 2", true},
		{"bad anti-ramming", func(f *model.Facts) { f.ClosedManagement.AntiRamming = new(model.AntiRamming("wall")) }, "closed_management.anti_ramming",
			`anti_ramming "wall" is not one of none, barriers, bollards, lifting_posts`, true},
		{"bad anti-ramming in a draft", func(f *model.Facts) {
			*f = model.Facts{ClosedManagement: model.ClosedManagementFacts{AntiRamming: new(model.AntiRamming("Bollards"))}}
		}, "closed_management.anti_ramming", `anti_ramming "Bollards" is not one of none, barriers, bollards, lifting_posts`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := goodFacts(checkDay)
			tt.change(&f)
			errs := f.Validate(tt.complete)
			if diff := cmp.Diff([]string{tt.field}, fields(errs)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if got := errs.For(tt.field); got != tt.message {
				t.Errorf("message = %q, want %q", got, tt.message)
			}
		})
	}
}

func TestValidateAcceptsEveryAntiRamming(t *testing.T) {
	for _, a := range model.AntiRammings {
		f := goodFacts(checkDay)
		f.ClosedManagement.AntiRamming = new(a)
		if errs := f.Validate(true); len(errs) != 0 {
			t.Errorf("anti_ramming %q: got %v, want no errors", a, errs)
		}
	}
}

// The fact table is derived from the Facts structs, in Validate's order,
// and the form's values round-trip through it.
func TestFactTable(t *testing.T) {
	var keys []string
	kinds := map[model.FactKind]int{}
	for _, f := range model.FactTable {
		keys = append(keys, f.Key)
		kinds[f.Kind]++
		if f.Kind == model.FactInt && f.Max != 1_000_000 {
			t.Errorf("%s: Max = %d, want 1000000", f.Key, f.Max)
		}
	}
	if diff := cmp.Diff(allFactFields, keys); diff != "" {
		t.Errorf("fact keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[model.FactKind]int{model.FactBool: 11, model.FactInt: 6, model.FactDate: 1, model.FactChoice: 1}, kinds); diff != "" {
		t.Errorf("fact kinds (-want +got):\n%s", diff)
	}
	if got := model.MeasureFacts(model.ClosedManagement)[3]; got.Key != "closed_management.anti_ramming" ||
		!cmp.Equal(got.Choices, []string{"none", "barriers", "bollards", "lifting_posts"}) || got.ChoiceLabel("none") != "anti_ramming.none" {
		t.Errorf("anti_ramming fact = %+v", got)
	}

	want := goodFacts(checkDay)
	values := want.FormValues()
	if len(values) != len(model.FactTable) || values["nursing_post.set_up"] != "yes" ||
		values["one_button_alarm.last_test_on"] != checkDay.AddDays(-10).String() || values["closed_management.anti_ramming"] != "bollards" {
		t.Errorf("FormValues = %v", values)
	}
	var got model.Facts
	for _, f := range model.FactTable {
		if err := f.ParseForm(&got, values[f.Key]); err != nil {
			t.Errorf("ParseForm(%s, %q): %v", f.Key, values[f.Key], err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("form round trip (-want +got):\n%s", diff)
	}
	if got := (model.Facts{}).FormValues(); len(got) != 0 {
		t.Errorf("unanswered FormValues = %v, want none", got)
	}
}

func TestFactParseFormRejects(t *testing.T) {
	byKey := map[string]model.Fact{}
	for _, f := range model.FactTable {
		byKey[f.Key] = f
	}
	tests := []struct{ key, value, wantKey, wantMsg string }{
		{"nursing_post.set_up", "maybe", "not_yes_no", `"maybe" is not yes or no`},
		{"nursing_post.am_staff", "two", "not_whole_number", `"two" is not a whole number`},
		{"one_button_alarm.last_test_on", "2024-02-30", "not_date", ""},
	}
	for _, tt := range tests {
		var f model.Facts
		err := byKey[tt.key].ParseForm(&f, tt.value)
		if err == nil || err.Field != tt.key || err.Key != tt.wantKey || tt.wantMsg != "" && err.Message != tt.wantMsg {
			t.Errorf("ParseForm(%s, %q) = %+v, want %s %q", tt.key, tt.value, err, tt.wantKey, tt.wantMsg)
		}
		if !cmp.Equal(f, model.Facts{}) {
			t.Errorf("ParseForm(%s, %q) set a fact: %+v", tt.key, tt.value, f)
		}
	}
	var f model.Facts
	if err := byKey["closed_management.anti_ramming"].ParseForm(&f, "moat"); err != nil {
		t.Errorf("a choice is checked by Validate, not the parser: %v", err)
	}
	if got := f.Validate(false).For("closed_management.anti_ramming"); got != `anti_ramming "moat" is not one of none, barriers, bollards, lifting_posts` {
		t.Errorf("bad choice message = %q", got)
	}
}

func TestRealDateErrorsNameEachDateFact(t *testing.T) {
	today := model.NewDate(2026, 3, 2)
	var f model.Facts
	if errs := f.RealDateErrors(today); len(errs) != 0 {
		t.Errorf("unanswered facts: %v, want none", errs)
	}
	f.OneButtonAlarm.LastTestOn = new(today.AddDays(-10))
	if errs := f.RealDateErrors(today); len(errs) != 0 {
		t.Errorf("a real day: %v, want none", errs)
	}
	f.OneButtonAlarm.LastTestOn = new(model.NewDate(1, 1, 1))
	errs := f.RealDateErrors(today)
	if len(errs) != 1 || errs[0].Field != "one_button_alarm.last_test_on" || errs[0].Key != "unreal_date" {
		t.Errorf("year 1: %+v, want one unreal_date error on one_button_alarm.last_test_on", errs)
	}
}
