package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// FactsSchemaVersion is the version of the checklist facts below.
const FactsSchemaVersion = 1

// Facts are what a school records about its five measures (checklist schema
// v1). Fields are pointers because a draft may be partial: nil means "not yet
// answered", which is different from false or 0.
type Facts struct {
	NursingPost      NursingPostFacts      `json:"nursing_post"`
	ClosedManagement ClosedManagementFacts `json:"closed_management"`
	SecurityGuards   SecurityGuardsFacts   `json:"security_guards"`
	OneButtonAlarm   OneButtonAlarmFacts   `json:"one_button_alarm"`
	VideoNetworking  VideoNetworkingFacts  `json:"video_networking"`
}

// NursingPostFacts are the facts of 护学岗.
type NursingPostFacts struct {
	SetUp         *bool `json:"set_up,omitempty"`
	AMStaff       *int  `json:"am_staff,omitempty"`
	PMStaff       *int  `json:"pm_staff,omitempty"`
	PolicePresent *bool `json:"police_present,omitempty"`
	RosterOnFile  *bool `json:"roster_on_file,omitempty"`
}

// ClosedManagementFacts are the facts of 封闭化管理.
type ClosedManagementFacts struct {
	PerimeterEnclosed   *bool        `json:"perimeter_enclosed,omitempty"`
	GateRoom24h         *bool        `json:"gate_room_24h,omitempty"`
	VisitorRegistration *bool        `json:"visitor_registration,omitempty"`
	AntiRamming         *AntiRamming `json:"anti_ramming,omitempty"`
}

// AntiRamming is the kind of vehicle barrier at the gate.
type AntiRamming string

// AntiRammings lists the accepted values.
var AntiRammings = []AntiRamming{"none", "barriers", "bollards", "lifting_posts"}

// SecurityGuardsFacts are the facts of 专职保安员.
type SecurityGuardsFacts struct {
	FullTimeGuards *int `json:"full_time_guards,omitempty"`
	LicensedGuards *int `json:"licensed_guards,omitempty"`
}

// OneButtonAlarmFacts are the facts of 一键式紧急报警.
type OneButtonAlarmFacts struct {
	Installed      *bool `json:"installed,omitempty"`
	LinkedToPolice *bool `json:"linked_to_police,omitempty"`
	LastTestOn     *Date `json:"last_test_on,omitempty"`
	LastTestOK     *bool `json:"last_test_ok,omitempty"`
}

// VideoNetworkingFacts are the facts of 视频监控系统联网.
type VideoNetworkingFacts struct {
	Cameras           *int  `json:"cameras,omitempty"`
	GateCovered       *bool `json:"gate_covered,omitempty"`
	NetworkedToPolice *bool `json:"networked_to_police,omitempty"`
	RetentionDays     *int  `json:"retention_days,omitempty"`
}

// DecodeFacts reads facts JSON strictly: an unknown measure or fact, or a
// value of the wrong type, is an error naming it.
func DecodeFacts(b []byte) (Facts, error) {
	var f Facts
	if len(bytes.TrimSpace(b)) == 0 || string(bytes.TrimSpace(b)) == "null" {
		return f, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return f, fmt.Errorf("facts must be an object")
			}
			return f, fmt.Errorf("facts: %s must be %s", te.Field, jsonKind(te.Type))
		}
		return f, fmt.Errorf("facts: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return f, fmt.Errorf("facts: trailing data after the object")
	}
	return f, nil
}

// jsonKind says in words what JSON value a fact of type t takes.
func jsonKind(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[Date]():
		return "a date YYYY-MM-DD"
	case t == reflect.TypeFor[AntiRamming]():
		return "one of none, barriers, bollards, lifting_posts"
	}
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// Validate checks the values; complete also demands every fact of all five
// measures, as a submitted checklist must carry them. Field names are
// "<measure>.<fact>".
func (f Facts) Validate(complete bool) FieldErrors {
	var errs FieldErrors
	add := func(field, key string, args map[string]any, format string, a ...any) {
		errs = append(errs, NewFieldError(field, key, args, format, a...))
	}
	need := func(field string, set bool) {
		if complete && !set {
			add(field, "required", nil, "%s is required to submit", field)
		}
	}
	count := func(field string, v *int) {
		need(field, v != nil)
		if v != nil && *v < 0 {
			add(field, "negative", nil, "%s %d is negative", field, *v)
		}
		if v != nil && *v > 1_000_000 {
			add(field, "too_large", nil, "%s %d is too large", field, *v)
		}
	}
	flag := func(field string, v *bool) { need(field, v != nil) }

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
	need("closed_management.anti_ramming", cm.AntiRamming != nil)
	if cm.AntiRamming != nil && !cm.AntiRamming.Valid() {
		add("closed_management.anti_ramming", "bad_choice", map[string]any{"Value": *cm.AntiRamming}, "anti_ramming %q is not one of none, barriers, bollards, lifting_posts", *cm.AntiRamming)
	}

	sg := f.SecurityGuards
	count("security_guards.full_time_guards", sg.FullTimeGuards)
	count("security_guards.licensed_guards", sg.LicensedGuards)
	if sg.FullTimeGuards != nil && sg.LicensedGuards != nil && *sg.LicensedGuards > *sg.FullTimeGuards {
		add("security_guards.licensed_guards", "licensed_over_full_time",
			map[string]any{"Licensed": *sg.LicensedGuards, "Guards": *sg.FullTimeGuards}, "licensed_guards %d is more than full_time_guards %d", *sg.LicensedGuards, *sg.FullTimeGuards)
	}

	oba := f.OneButtonAlarm
	flag("one_button_alarm.installed", oba.Installed)
	flag("one_button_alarm.linked_to_police", oba.LinkedToPolice)
	need("one_button_alarm.last_test_on", oba.LastTestOn != nil)
	flag("one_button_alarm.last_test_ok", oba.LastTestOK)

	vn := f.VideoNetworking
	count("video_networking.cameras", vn.Cameras)
	flag("video_networking.gate_covered", vn.GateCovered)
	flag("video_networking.networked_to_police", vn.NetworkedToPolice)
	count("video_networking.retention_days", vn.RetentionDays)
	return errs
}

// Valid reports whether a is one of the accepted barrier kinds.
func (a AntiRamming) Valid() bool {
	for _, x := range AntiRammings {
		if a == x {
			return true
		}
	}
	return false
}
