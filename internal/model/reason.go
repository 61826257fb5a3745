package model

// Reason explains why a measure is not covered. Code is the translation key
// (i18n "reason.<code>"); Args fill its template. Its text, in English for
// the API too, lives only in the catalogs (i18n.Localizer.Reasons).
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
	ReasonGuardsShortDay      = "guards_short_day"      // v2: day students and boarders counted
	ReasonGuardsShortBoarders = "guards_short_boarders" // v1: all students, and the boarders again
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
