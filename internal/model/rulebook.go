package model

import "sort"

// RuleBook holds every stored rule set version and answers which one judges
// a school: the version in force on the day of the nearest division on the
// school's path that has one, else the national default. It is pure, so
// the incremental refresh, the rebuild and the pages choose alike.
type RuleBook struct {
	byDivision map[string][]RuleSet // "" = national; each by EffectiveFrom, then ID
}

// NewRuleBook indexes the given versions.
func NewRuleBook(all []RuleSet) RuleBook {
	b := RuleBook{byDivision: map[string][]RuleSet{}}
	for _, r := range all {
		b.byDivision[r.DivisionCode] = append(b.byDivision[r.DivisionCode], r)
	}
	for _, vs := range b.byDivision {
		sort.SliceStable(vs, func(i, j int) bool {
			if vs[i].EffectiveFrom != vs[j].EffectiveFrom {
				return vs[i].EffectiveFrom < vs[j].EffectiveFrom
			}
			return vs[i].ID < vs[j].ID
		})
	}
	return b
}

// Own is the version of one division ("" = national) in force on day d:
// the latest effective by then, the later stored on a tie.
func (b RuleBook) Own(division string, d Date) (RuleSet, bool) {
	vs := b.byDivision[division]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].EffectiveFrom <= d {
			return vs[i], true
		}
	}
	return RuleSet{}, false
}

// InForce is the rule set judging a school on day d whose division path is
// path, nearest first (county, prefecture, province). Its DivisionCode
// says where it comes from.
func (b RuleBook) InForce(path []string, d Date) (RuleSet, bool) {
	for _, code := range path {
		if code == "" {
			continue
		}
		if r, ok := b.Own(code, d); ok {
			return r, true
		}
	}
	return b.Own("", d)
}

// Divisions lists the divisions that have versions, national ("") first.
func (b RuleBook) Divisions() []string {
	out := make([]string, 0, len(b.byDivision))
	for k := range b.byDivision {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Versions returns one division's versions, earliest effective first.
func (b RuleBook) Versions(division string) []RuleSet { return b.byDivision[division] }

// Days returns every day on which some version takes effect, in order.
func (b RuleBook) Days() []Date {
	seen := map[Date]bool{}
	var out []Date
	for _, vs := range b.byDivision {
		for _, v := range vs {
			if !seen[v.EffectiveFrom] {
				seen[v.EffectiveFrom] = true
				out = append(out, v.EffectiveFrom)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// RuleRef names the rule set version that judged a status.
type RuleRef struct {
	ID           int64
	Version      int
	DivisionCode string // "" = the national default
}

// Ref names r.
func (r RuleSet) Ref() RuleRef {
	return RuleRef{ID: r.ID, Version: r.Version, DivisionCode: r.DivisionCode}
}
