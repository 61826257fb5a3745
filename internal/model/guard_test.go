package model

import (
	"strings"
	"testing"
)

func TestResidentIDCheckDigit(t *testing.T) {
	tests := []struct {
		name, id string
		wantKey  string // "" = valid
	}{
		{"valid", "150102199003071237", ""},
		{"valid ending 0", "150203198506154410", ""},
		{"valid ending X", "11010519491231002X", ""},
		{"lower-case x normalized", NormalizeResidentID(" 11010519491231002x "), ""},
		{"wrong check digit", "150102199003071238", "resident_id_check"},
		{"X where a digit is due", "15010219900307123X", "resident_id_check"},
		{"one digit mistyped", "150102199003071337", "resident_id_check"},
		{"too short", "15010219900307123", "resident_id_shape"},
		{"too long", "1501021990030712370", "resident_id_shape"},
		{"letter inside", "1501021990030A1237", "resident_id_shape"},
		{"empty", "", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ResidentIDError("id_number", tt.id)
			got := ""
			if e != nil {
				got = e.Key
				if tt.id != "" && strings.Contains(e.Message, tt.id) {
					t.Errorf("message %q quotes the ID number", e.Message)
				}
			}
			if got != tt.wantKey {
				t.Errorf("ResidentIDError(%q) key = %q, want %q", tt.id, got, tt.wantKey)
			}
		})
	}
}

func TestMaskResidentID(t *testing.T) {
	if got, want := MaskResidentID("11010519491231002X"), "110105********002X"; got != want {
		t.Errorf("MaskResidentID = %q, want %q", got, want)
	}
}

func TestGuardCountDifferences(t *testing.T) {
	d := NewDate(2026, 9, 1)
	guards := []Guard{
		{HiredOn: d - 100, LicenceNo: "L1"},
		{HiredOn: d - 100},                             // no licence
		{HiredOn: d - 100, LicenceNo: "L2", LeftOn: d}, // left that day
		{HiredOn: d + 1, LicenceNo: "L3"},              // not yet hired
	}
	c := CountGuards(guards, d)
	if c != (GuardCount{Kept: true, FullTime: 2, Licensed: 1}) {
		t.Fatalf("CountGuards = %+v", c)
	}
	two, one := 2, 2
	diffs := RegisterFacts{Guards: c}.Differences(Facts{SecurityGuards: SecurityGuardsFacts{FullTimeGuards: &two, LicensedGuards: &one}})
	if len(diffs) != 1 || diffs[0].Fact != "security_guards.licensed_guards" || diffs[0].Checklist != "2" || diffs[0].Register != "1" {
		t.Errorf("Differences = %+v", diffs)
	}
	if got := (RegisterFacts{}).Differences(Facts{}); got != nil {
		t.Errorf("no register: Differences = %+v, want none", got)
	}
}

func TestDrillDueBoundaries(t *testing.T) {
	today := NewDate(2026, 9, 30)
	tests := []struct {
		name     string
		last     Date
		interval int
		want     bool
	}{
		{"never drilled", 0, 30, true},
		{"exactly the interval ago", today - 30, 30, false},
		{"one day more", today - 31, 30, true},
		{"today", today, 30, false},
		{"kindergarten 90 days ago", today - 90, 90, false},
		{"kindergarten 91 days ago", today - 91, 90, true},
	}
	for _, tt := range tests {
		if got := DrillDue(tt.last, today, tt.interval); got != tt.want {
			t.Errorf("%s: DrillDue = %v, want %v", tt.name, got, tt.want)
		}
	}
	rs := DefaultRuleSet()
	if rs.DrillInterval(Kindergarten) != 90 || rs.DrillInterval(Primary) != 30 {
		t.Errorf("default intervals = %d, %d", rs.DrillInterval(Kindergarten), rs.DrillInterval(Primary))
	}
	if old, _ := DecodeRuleSet([]byte(`{"validity_days":180}`)); old.DrillIntervalDays != 30 || old.KindergartenDrillIntervalDays != 90 {
		t.Errorf("a version stored before drills: intervals %d, %d", old.DrillIntervalDays, old.KindergartenDrillIntervalDays)
	}
}
