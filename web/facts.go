package web

import (
	"strconv"

	"safecampus/internal/model"
)

// FactKind is how a checklist fact is entered.
type FactKind int

const (
	FactBool   FactKind = iota // yes/no radio pair, values "yes" and "no"
	FactInt                    // whole number ≥ 0
	FactDate                   // YYYY-MM-DD
	FactChoice                 // one of FactField.Choices
)

// FactField is one fact of the checklist form. Key is "<measure>.<fact>",
// the form field name and the model.FieldErrors field.
type FactField struct {
	Key     string
	Kind    FactKind
	Choices []string
}

// FactFields returns the form fields of measure m, in checklist order.
func FactFields(m model.Measure) []FactField {
	b := func(k string) FactField { return FactField{Key: string(m) + "." + k, Kind: FactBool} }
	n := func(k string) FactField { return FactField{Key: string(m) + "." + k, Kind: FactInt} }
	switch m {
	case model.NursingPost:
		return []FactField{b("set_up"), n("am_staff"), n("pm_staff"), b("police_present"), b("roster_on_file")}
	case model.ClosedManagement:
		choices := make([]string, len(model.AntiRammings))
		for i, a := range model.AntiRammings {
			choices[i] = string(a)
		}
		return []FactField{b("perimeter_enclosed"), b("gate_room_24h"), b("visitor_registration"),
			{Key: string(m) + ".anti_ramming", Kind: FactChoice, Choices: choices}}
	case model.SecurityGuards:
		return []FactField{n("full_time_guards"), n("licensed_guards")}
	case model.OneButtonAlarm:
		return []FactField{b("installed"), b("linked_to_police"),
			{Key: string(m) + ".last_test_on", Kind: FactDate}, b("last_test_ok")}
	case model.VideoNetworking:
		return []FactField{n("cameras"), b("gate_covered"), b("networked_to_police"), n("retention_days")}
	}
	return nil
}

// ChecklistValues turns a stored checklist into the form's raw values
// ("checked_on", "notes", "<measure>.<fact>"), for the edit form.
func ChecklistValues(c model.Checklist) map[string]string {
	v := FactValues(c.Facts)
	if c.CheckedOn != 0 {
		v["checked_on"] = c.CheckedOn.String()
	}
	v["notes"] = c.Notes
	return v
}

// FactValues renders every answered fact as its form value: "yes"/"no",
// a number, a date or a choice key. Unanswered facts are absent.
func FactValues(f model.Facts) map[string]string {
	v := map[string]string{}
	flag := func(k string, p *bool) {
		if p != nil {
			v[k] = map[bool]string{true: "yes", false: "no"}[*p]
		}
	}
	count := func(k string, p *int) {
		if p != nil {
			v[k] = strconv.Itoa(*p)
		}
	}
	np := f.NursingPost
	flag("nursing_post.set_up", np.SetUp)
	count("nursing_post.am_staff", np.AMStaff)
	count("nursing_post.pm_staff", np.PMStaff)
	flag("nursing_post.police_present", np.PolicePresent)
	flag("nursing_post.roster_on_file", np.RosterOnFile)
	cm := f.ClosedManagement
	flag("closed_management.perimeter_enclosed", cm.PerimeterEnclosed)
	flag("closed_management.gate_room_24h", cm.GateRoom24h)
	flag("closed_management.visitor_registration", cm.VisitorRegistration)
	if cm.AntiRamming != nil {
		v["closed_management.anti_ramming"] = string(*cm.AntiRamming)
	}
	sg := f.SecurityGuards
	count("security_guards.full_time_guards", sg.FullTimeGuards)
	count("security_guards.licensed_guards", sg.LicensedGuards)
	oba := f.OneButtonAlarm
	flag("one_button_alarm.installed", oba.Installed)
	flag("one_button_alarm.linked_to_police", oba.LinkedToPolice)
	if oba.LastTestOn != nil {
		v["one_button_alarm.last_test_on"] = oba.LastTestOn.String()
	}
	flag("one_button_alarm.last_test_ok", oba.LastTestOK)
	vn := f.VideoNetworking
	count("video_networking.cameras", vn.Cameras)
	flag("video_networking.gate_covered", vn.GateCovered)
	flag("video_networking.networked_to_police", vn.NetworkedToPolice)
	count("video_networking.retention_days", vn.RetentionDays)
	return v
}
