package model

import "time"

// DrillKind is the kind of an emergency drill (应急演练).
type DrillKind string

// The kinds of drill the API accepts.
const (
	DrillEvacuation DrillKind = "evacuation"
	DrillFire       DrillKind = "fire"
	DrillIntruder   DrillKind = "intruder"
	DrillEarthquake DrillKind = "earthquake"
	DrillOther      DrillKind = "other"
)

// DrillKinds lists the kinds in the order forms offer them.
var DrillKinds = []DrillKind{DrillEvacuation, DrillFire, DrillIntruder, DrillEarthquake, DrillOther}

// Valid reports whether k is one of the kinds.
func (k DrillKind) Valid() bool {
	for _, d := range DrillKinds {
		if k == d {
			return true
		}
	}
	return false
}

// Drill is one logged emergency drill of a school.
type Drill struct {
	ID           int64
	SchoolID     int64
	HeldOn       Date
	Kind         DrillKind
	Participants int
	CreatedBy    string
	CreatedAt    time.Time
}

// DrillInput is a drill as entered.
type DrillInput struct {
	HeldOn       Date
	Kind         DrillKind
	Participants int
}

// maxParticipants bounds a drill's participants.
const maxParticipants = 1_000_000

// Validate checks a drill against today. Field names are the API's.
func (in DrillInput) Validate(today Date) FieldErrors {
	var errs FieldErrors
	if e := RequiredPastDateError("held_on", in.HeldOn, today); e != nil {
		errs = append(errs, *e)
	}
	if !in.Kind.Valid() {
		errs = append(errs, NewFieldError("kind", "bad_choice", map[string]any{"Value": string(in.Kind)},
			"kind %q is not evacuation, fire, intruder, earthquake or other", in.Kind))
	}
	if in.Participants < 0 || in.Participants > maxParticipants {
		errs = append(errs, NewFieldError("participants", "bad_count", map[string]any{"Max": maxParticipants},
			"participants %d is not from 0 to %d", in.Participants, maxParticipants))
	}
	return errs
}

// DrillDue reports whether a school whose last drill was on last (0 =
// never) is due one on day today, given its interval in days: due when
// it never drilled, or when more than interval days have passed.
func DrillDue(last, today Date, interval int) bool {
	return last == 0 || today.DaysSince(last) > interval
}
