package model

// Result is one measure's verdict on one checklist.
type Result struct {
	Met     bool
	Reasons []Reason // why not met; empty when met
}

// Evaluate derives the five measures' verdicts from a checklist's facts,
// its check date and the school's enrolment. Unanswered facts fail their
// measure with ReasonFactsMissing, so a partial draft previews honestly.
func (r RuleSet) Evaluate(s School, checkedOn Date, f Facts) [5]Result {
	return [5]Result{
		verdict(r.nursingPost(f.NursingPost)),
		verdict(r.closedManagement(f.ClosedManagement)),
		verdict(r.securityGuards(s, f.SecurityGuards)),
		verdict(r.oneButtonAlarm(checkedOn, f.OneButtonAlarm)),
		verdict(r.videoNetworking(f.VideoNetworking)),
	}
}

func verdict(reasons []Reason) Result { return Result{Met: len(reasons) == 0, Reasons: reasons} }

func missing(present ...bool) []Reason {
	for _, p := range present {
		if !p {
			return []Reason{reason(ReasonFactsMissing)}
		}
	}
	return nil
}

func (r RuleSet) nursingPost(f NursingPostFacts) []Reason {
	if m := missing(f.SetUp != nil, f.AMStaff != nil, f.PMStaff != nil, f.RosterOnFile != nil); m != nil {
		return m
	}
	var rs []Reason
	if !*f.SetUp {
		rs = append(rs, reason(ReasonNotSetUp))
	}
	if *f.AMStaff < 1 {
		rs = append(rs, reason(ReasonNoAMStaff))
	}
	if *f.PMStaff < 1 {
		rs = append(rs, reason(ReasonNoPMStaff))
	}
	if !*f.RosterOnFile {
		rs = append(rs, reason(ReasonNoRoster))
	}
	return rs
}

func (r RuleSet) closedManagement(f ClosedManagementFacts) []Reason {
	if m := missing(f.PerimeterEnclosed != nil, f.GateRoom24h != nil, f.VisitorRegistration != nil, f.AntiRamming != nil); m != nil {
		return m
	}
	var rs []Reason
	if !*f.PerimeterEnclosed {
		rs = append(rs, reason(ReasonPerimeterOpen))
	}
	if !*f.GateRoom24h {
		rs = append(rs, reason(ReasonNoGateRoom))
	}
	if !*f.VisitorRegistration {
		rs = append(rs, reason(ReasonNoVisitorLog))
	}
	if !f.AntiRamming.Valid() || (r.AntiRammingRequired && *f.AntiRamming == AntiRammingNone) {
		rs = append(rs, reason(ReasonNoAntiRamming))
	}
	return rs
}

func (r RuleSet) securityGuards(s School, f SecurityGuardsFacts) []Reason {
	if m := missing(f.FullTimeGuards != nil, f.LicensedGuards != nil); m != nil {
		return m
	}
	var rs []Reason
	if need := r.Guards.Required(s.Students, s.Boarders); *f.FullTimeGuards < need {
		rs = append(rs, r.Guards.shortReason(*f.FullTimeGuards, need, s))
	}
	if *f.LicensedGuards != *f.FullTimeGuards {
		rs = append(rs, reason(ReasonGuardsUnlicensed, "Licensed", *f.LicensedGuards, "Guards", *f.FullTimeGuards))
	}
	return rs
}

func (r RuleSet) oneButtonAlarm(checkedOn Date, f OneButtonAlarmFacts) []Reason {
	if m := missing(f.Installed != nil, f.LinkedToPolice != nil, f.LastTestOn != nil, f.LastTestOK != nil); m != nil {
		return m
	}
	var rs []Reason
	if !*f.Installed {
		rs = append(rs, reason(ReasonAlarmNotInstalled))
	}
	if !*f.LinkedToPolice {
		rs = append(rs, reason(ReasonAlarmNotLinked))
	}
	if !*f.LastTestOK {
		rs = append(rs, reason(ReasonAlarmTestFailed))
	}
	switch age := checkedOn.DaysSince(*f.LastTestOn); {
	case age < 0:
		rs = append(rs, reason(ReasonAlarmTestAfterCheck))
	case age > r.AlarmTestDays:
		rs = append(rs, reason(ReasonAlarmTestStale, "Days", age, "Limit", r.AlarmTestDays))
	}
	return rs
}

func (r RuleSet) videoNetworking(f VideoNetworkingFacts) []Reason {
	if m := missing(f.Cameras != nil, f.GateCovered != nil, f.NetworkedToPolice != nil, f.RetentionDays != nil); m != nil {
		return m
	}
	var rs []Reason
	if *f.Cameras < 1 {
		rs = append(rs, reason(ReasonNoCameras))
	}
	if !*f.GateCovered {
		rs = append(rs, reason(ReasonGateNotCovered))
	}
	if !*f.NetworkedToPolice {
		rs = append(rs, reason(ReasonVideoNotNetworked))
	}
	if *f.RetentionDays < r.MinRetentionDays {
		rs = append(rs, reason(ReasonRetentionShort, "Days", *f.RetentionDays, "Min", r.MinRetentionDays))
	}
	return rs
}

// shortReason says what was counted: the day students and the boarders
// under rule set v2, all students (and the boarders added again) under v1.
func (g GuardRule) shortReason(guards, need int, s School) Reason {
	switch {
	case s.Boarders > 0 && g.Basis == GuardBasisNonBoarders:
		return reason(ReasonGuardsShortDay, "Guards", guards, "Required", need, "DayStudents", s.Students-s.Boarders, "Boarders", s.Boarders)
	case s.Boarders > 0 && g.BoardersPerGuard > 0:
		return reason(ReasonGuardsShortBoarders, "Guards", guards, "Required", need, "Students", s.Students, "Boarders", s.Boarders)
	default:
		return reason(ReasonGuardsShort, "Guards", guards, "Required", need, "Students", s.Students)
	}
}
