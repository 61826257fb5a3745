package model

// MeasureStatus is one measure's coverage at one school on one basis.
type MeasureStatus struct {
	Measure     Measure
	Covered     bool
	Reasons     []Reason
	CheckedOn   *Date
	ExpiresOn   *Date
	ChecklistID int64
}

// SchoolStatus is a school's coverage on one basis on one day.
type SchoolStatus struct {
	Basis    Basis
	Measures [5]MeasureStatus
	AllFive  bool
	Rules    RuleRef // the rule set version that judged it
}

// CoveredUntil returns, per measure and for all five, the last day the
// school stays covered if nothing else happens, or nil when it is not
// covered today. These are what the coverage aggregates count.
func (s SchoolStatus) CoveredUntil() (measures [5]*Date, allFive *Date) {
	for i, m := range s.Measures {
		if m.Covered {
			measures[i] = m.ExpiresOn
		}
	}
	if s.AllFive {
		allFive = s.Measures[0].ExpiresOn
		for _, m := range s.Measures[1:] {
			if *m.ExpiresOn < *allFive {
				allFive = m.ExpiresOn
			}
		}
	}
	return measures, allFive
}

// Derive is the coverage rule of the specification: a measure is covered
// when the school is active, the basis checklist (nil if none) satisfies the
// rule, the check has not expired by today, and no hazard on the measure is
// open. openHazards maps each measure with an open hazard to one hazard id.
func Derive(r RuleSet, s School, basis Basis, latest *Checklist, openHazards map[Measure]int64, today Date) SchoolStatus {
	st := SchoolStatus{Basis: basis, AllFive: true, Rules: r.Ref()}
	var results [5]Result
	if latest != nil {
		results = r.Evaluate(s, latest.CheckedOn, latest.Facts)
	}
	for i, m := range Measures {
		ms := MeasureStatus{Measure: m}
		switch {
		case latest == nil:
			ms.Reasons = []Reason{reason(ReasonNoCheck)}
		default:
			on, exp := latest.CheckedOn, latest.ExpiresOn(r)
			ms.CheckedOn, ms.ExpiresOn, ms.ChecklistID = &on, &exp, latest.ID
			if today > exp {
				ms.Reasons = append(ms.Reasons, reason(ReasonCheckExpired, "CheckedOn", on.String(), "ExpiresOn", exp.String()))
			}
			ms.Reasons = append(ms.Reasons, results[i].Reasons...)
		}
		if id, ok := openHazards[m]; ok {
			ms.Reasons = append(ms.Reasons, reason(ReasonHazardOpen, "Hazard", id))
		}
		if !s.Active {
			ms.Reasons = []Reason{reason(ReasonSchoolInactive)}
		}
		ms.Covered = len(ms.Reasons) == 0
		st.AllFive = st.AllFive && ms.Covered
		st.Measures[i] = ms
	}
	return st
}

// Counts are coverage counts of a set of schools.
type Counts struct {
	Schools  int
	Measures [5]int
	AllFive  int
}

// Tally adds one school's status to the measure and all-five counts. The
// caller counts the school itself, as only active schools count.
func (c *Counts) Tally(st SchoolStatus) {
	for i, ms := range st.Measures {
		if ms.Covered {
			c.Measures[i]++
		}
	}
	if st.AllFive {
		c.AllFive++
	}
}

// Coverage is a division's coverage on one basis on one day.
type Coverage struct {
	Division Division
	Basis    Basis
	AsOf     Date
	Counts
}

// Percent returns measure i's percentage.
func (c Counts) Percent(i int) Percent { return PercentOf(c.Measures[i], c.Schools) }

// AllFivePercent returns the all-five percentage.
func (c Counts) AllFivePercent() Percent { return PercentOf(c.AllFive, c.Schools) }
