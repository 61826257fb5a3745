package model

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// TargetKeys are what a campaign sets targets on: the five measures, then
// all five. A target's index is its place here.
var TargetKeys = [6]Measure{NursingPost, ClosedManagement, SecurityGuards, OneButtonAlarm, VideoNetworking, AllFive}

// Targets are a campaign's target percentages, in TargetKeys order; an
// invalid Percent is no target.
type Targets [6]Percent

// Campaign is a special campaign (专项行动): a named drive over a division
// subtree and a period, with targets (SPEC section 9).
type Campaign struct {
	ID           int64
	Name         string
	DivisionCode string
	StartsOn     Date
	EndsOn       Date
	Targets      Targets
	CreatedBy    string
	CreatedAt    time.Time
}

// Running reports whether the campaign is under way on day.
func (c Campaign) Running(day Date) bool { return c.StartsOn <= day && day <= c.EndsOn }

// Met reports whether share reaches the target (false without a target).
func Met(share, target Percent) bool {
	return target.Valid && share.Valid && share.Tenths >= target.Tenths
}

// TargetOf reads a percentage given as a number (95 or 95.5) as a target:
// one decimal at most, 0 to 100.
func TargetOf(v float64) (Percent, bool) {
	tenths := math.Round(v * 10)
	if math.IsNaN(v) || v < 0 || v > 100 || math.Abs(v*10-tenths) > 1e-6 {
		return Percent{}, false
	}
	return Percent{Tenths: int(tenths), Valid: true}, true
}

// CampaignInput is a campaign as launched. Field names of errors are those
// of the form and the API: name, division_code, starts_on, ends_on,
// target.<key>.
type CampaignInput struct {
	Name         string
	DivisionCode string
	StartsOn     Date
	EndsOn       Date
	Targets      Targets
}

// Validate checks a campaign's fields (targets are checked when read, by
// TargetOf).
func (in CampaignInput) Validate(today Date) FieldErrors {
	var errs FieldErrors
	add := func(field, format string, a ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	switch n := len([]rune(strings.TrimSpace(in.Name))); {
	case n == 0:
		add("name", "a name is required")
	case n > 200:
		add("name", "the name is longer than 200 characters")
	}
	if in.DivisionCode == "" {
		add("division_code", "a division is required")
	}
	if in.StartsOn == 0 {
		add("starts_on", "the first day is required")
	} else if e := RealDateError("starts_on", in.StartsOn, today); e != nil {
		errs = append(errs, *e)
	}
	if in.EndsOn == 0 {
		add("ends_on", "the last day is required")
	} else if e := RealDateError("ends_on", in.EndsOn, today); e != nil {
		errs = append(errs, *e)
	} else if in.StartsOn != 0 && in.EndsOn < in.StartsOn {
		add("ends_on", "the campaign ends (%s) before it starts (%s)", in.EndsOn, in.StartsOn)
	}
	return errs
}

// LedgerEntry is one line of a campaign's ledger (台账, 挂账销号): a
// school's measure not covered when the campaign started (AtStart) or that
// stopped being covered during it (on OpenedOn), and the day it was
// covered again (nil: still open).
type LedgerEntry struct {
	School   School
	Measure  Measure
	AtStart  bool
	OpenedOn Date
	ClosedOn *Date
}

// LedgerSummary counts a campaign's ledger as of a day.
type LedgerSummary struct {
	OpenAtStart int // open when the campaign started
	Closed      int // closed by the day
	Opened      int // opened during the campaign
	Remaining   int // still open on the day
}

// Summarize counts the entries.
func Summarize(entries []LedgerEntry) LedgerSummary {
	var s LedgerSummary
	for _, e := range entries {
		if e.AtStart {
			s.OpenAtStart++
		} else {
			s.Opened++
		}
		if e.ClosedOn != nil {
			s.Closed++
		} else {
			s.Remaining++
		}
	}
	return s
}
