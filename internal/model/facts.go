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
//
// These structs are the one declaration of the facts: a field's json name is
// the fact's name, its type its kind (*bool, *int, *Date or a *choice type),
// and a whole number (never negative) carries its upper bound in a `max` tag. The
// fact table (FactTable, fact_table.go) is derived from them, and from it
// validation, the form's fields and values and the form parser; DecodeFacts
// reads the same fields. Adding a fact is one field here plus its
// translations ("fact.<measure>.<name>").
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
	AMStaff       *int  `json:"am_staff,omitempty" max:"1000000"`
	PMStaff       *int  `json:"pm_staff,omitempty" max:"1000000"`
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

// The kinds of barrier; AntiRammingNone fails the measure.
const (
	AntiRammingNone         AntiRamming = "none"
	AntiRammingBarriers     AntiRamming = "barriers"
	AntiRammingBollards     AntiRamming = "bollards"
	AntiRammingLiftingPosts AntiRamming = "lifting_posts"
)

// AntiRammings lists the accepted values.
var AntiRammings = []AntiRamming{AntiRammingNone, AntiRammingBarriers, AntiRammingBollards, AntiRammingLiftingPosts}

// SecurityGuardsFacts are the facts of 专职保安员.
type SecurityGuardsFacts struct {
	FullTimeGuards *int `json:"full_time_guards,omitempty" max:"1000000"`
	LicensedGuards *int `json:"licensed_guards,omitempty" max:"1000000"`
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
	Cameras           *int  `json:"cameras,omitempty" max:"1000000"`
	GateCovered       *bool `json:"gate_covered,omitempty"`
	NetworkedToPolice *bool `json:"networked_to_police,omitempty"`
	RetentionDays     *int  `json:"retention_days,omitempty" max:"1000000"`
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
	case t.Implements(choicesType):
		return "one of " + strings.Join(reflect.Zero(t).Interface().(chooser).Choices(), ", ")
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

// Valid reports whether a is one of the accepted barrier kinds.
func (a AntiRamming) Valid() bool {
	for _, x := range AntiRammings {
		if a == x {
			return true
		}
	}
	return false
}

// Choices lists the accepted values as text, for the fact table.
func (AntiRamming) Choices() []string {
	out := make([]string, len(AntiRammings))
	for i, a := range AntiRammings {
		out[i] = string(a)
	}
	return out
}
