package model

import (
	"fmt"
	"strings"
)

// Reason explains why a measure is not covered. Code is the translation key
// (i18n "reason.<code>"); Args fill its template. English is the fallback
// text for logs and the API.
type Reason struct {
	Code string
	Args map[string]any
}

// Reason codes.
const (
	ReasonNotSetUp            = "not_set_up"
	ReasonNoAMStaff           = "no_am_staff"
	ReasonNoPMStaff           = "no_pm_staff"
	ReasonNoRoster            = "no_roster"
	ReasonPerimeterOpen       = "perimeter_open"
	ReasonNoGateRoom          = "no_gate_room"
	ReasonNoVisitorLog        = "no_visitor_registration"
	ReasonNoAntiRamming       = "no_anti_ramming"
	ReasonGuardsShort         = "guards_short"
	ReasonGuardsShortDay      = "guards_short_day"
	ReasonGuardsShortBoarders = "guards_short_boarders"
	ReasonGuardsUnlicensed    = "guards_unlicensed"
	ReasonAlarmNotInstalled   = "alarm_not_installed"
	ReasonAlarmNotLinked      = "alarm_not_linked"
	ReasonAlarmTestFailed     = "alarm_test_failed"
	ReasonAlarmTestStale      = "alarm_test_stale"
	ReasonAlarmTestAfterCheck = "alarm_test_after_check"
	ReasonNoCameras           = "no_cameras"
	ReasonGateNotCovered      = "gate_not_covered"
	ReasonVideoNotNetworked   = "video_not_networked"
	ReasonRetentionShort      = "retention_short"
	ReasonFactsMissing        = "facts_missing"
	ReasonNoCheck             = "no_check"
	ReasonCheckExpired        = "check_expired"
	ReasonHazardOpen          = "hazard_open"
	ReasonSchoolInactive      = "school_inactive"
)

var reasonEnglish = map[string]string{
	ReasonNotSetUp:            "no escort post set up",
	ReasonNoAMStaff:           "no staff at the morning post",
	ReasonNoPMStaff:           "no staff at the afternoon post",
	ReasonNoRoster:            "no duty roster on file",
	ReasonPerimeterOpen:       "perimeter not enclosed",
	ReasonNoGateRoom:          "no gate room staffed 24 hours",
	ReasonNoVisitorLog:        "no visitor registration",
	ReasonNoAntiRamming:       "no anti-ramming barrier at the gate",
	ReasonGuardsShort:         "{{.Guards}} guards, {{.Required}} required for {{.Students}} students",
	ReasonGuardsShortDay:      "{{.Guards}} guards, {{.Required}} required for {{.DayStudents}} day students and {{.Boarders}} boarders",
	ReasonGuardsShortBoarders: "{{.Guards}} guards, {{.Required}} required for {{.Students}} students and {{.Boarders}} boarders",
	ReasonGuardsUnlicensed:    "{{.Licensed}} of {{.Guards}} guards licensed",
	ReasonAlarmNotInstalled:   "no one-button alarm installed",
	ReasonAlarmNotLinked:      "alarm not linked to the police",
	ReasonAlarmTestFailed:     "last alarm test failed",
	ReasonAlarmTestStale:      "alarm last tested {{.Days}} days before the check, at most {{.Limit}} allowed",
	ReasonAlarmTestAfterCheck: "alarm test date is after the check date",
	ReasonNoCameras:           "no cameras",
	ReasonGateNotCovered:      "gate not covered by a camera",
	ReasonVideoNotNetworked:   "video not networked to the police",
	ReasonRetentionShort:      "video kept {{.Days}} days, at least {{.Min}} required",
	ReasonFactsMissing:        "facts not filled in",
	ReasonNoCheck:             "no checklist on record",
	ReasonCheckExpired:        "check of {{.CheckedOn}} expired on {{.ExpiresOn}}",
	ReasonHazardOpen:          "open hazard #{{.Hazard}}",
	ReasonSchoolInactive:      "school is closed",
}

// String renders the English text with its arguments.
func (r Reason) String() string {
	s, ok := reasonEnglish[r.Code]
	if !ok {
		return r.Code
	}
	for k, v := range r.Args {
		s = strings.ReplaceAll(s, "{{."+k+"}}", fmt.Sprint(v))
	}
	return s
}

// JoinReasons renders several reasons as one English sentence.
func JoinReasons(rs []Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, "; ")
}

func reason(code string, kv ...any) Reason {
	r := Reason{Code: code}
	if len(kv) > 0 {
		r.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return r
}
