package demo_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/demo"
	"safecampus/internal/model"
)

const seed = 20240901

var today = model.NewDate(2025, 3, 10)

// fiveCounties is a small slice of Inner Mongolia, with its prefecture,
// which Roster must skip.
var fiveCounties = []model.Division{
	{Code: "150100", Name: "呼和浩特市", ParentCode: "150000", Level: model.LevelPrefecture},
	{Code: "150102", Name: "新城区", ParentCode: "150100", Level: model.LevelCounty},
	{Code: "150121", Name: "土默特左旗", ParentCode: "150100", Level: model.LevelCounty},
	{Code: "150122", Name: "托克托县", ParentCode: "150100", Level: model.LevelCounty},
	{Code: "150702", Name: "海拉尔区", ParentCode: "150700", Level: model.LevelCounty},
	{Code: "152921", Name: "阿拉善左旗", ParentCode: "152900", Level: model.LevelCounty},
}

// syntheticCounties returns n invented county-level divisions, a quarter of
// them urban districts, the rest banners and counties.
func syntheticCounties(n int) []model.Division {
	suffixes := []string{"区", "旗", "县", "旗"}
	out := make([]model.Division, n)
	for i := range out {
		out[i] = model.Division{
			Code:       fmt.Sprintf("15%02d%02d", 1+i/20, 1+i%20),
			Name:       fmt.Sprintf("测试%d%s", i+1, suffixes[i%4]),
			ParentCode: fmt.Sprintf("15%02d00", 1+i/20),
			Level:      model.LevelCounty,
		}
	}
	return out
}

var enrolment = map[model.SchoolType][2]int{
	model.Kindergarten:      {30, 400},
	model.Primary:           {100, 2500},
	model.Junior:            {300, 2500},
	model.Senior:            {600, 3500},
	model.NineYear:          {200, 1800},
	model.TwelveYear:        {800, 3000},
	model.CompleteSecondary: {600, 3000},
	model.Vocational:        {300, 3000},
	model.Special:           {20, 200},
}

// checkRoster checks what must hold of every roster.
func checkRoster(t *testing.T, counties []model.Division, schools []model.School) {
	t.Helper()
	names := map[string]string{}
	for _, c := range counties {
		if c.Level == model.LevelCounty {
			names[c.Code] = c.Name
		}
	}
	codes, schoolNames := map[string]bool{}, map[string]bool{}
	for _, s := range schools {
		if errs := s.Validate(); len(errs) != 0 {
			t.Errorf("%s %s: Validate() = %v", s.Code, s.Name, errs)
		}
		if len(s.Code) != 10 || strings.Trim(s.Code, "0123456789") != "" {
			t.Errorf("code %q is not ten digits", s.Code)
		}
		if codes[s.Code] {
			t.Errorf("code %q appears twice", s.Code)
		}
		codes[s.Code] = true
		if schoolNames[s.Name] {
			t.Errorf("name %q appears twice", s.Name)
		}
		schoolNames[s.Name] = true
		county, ok := names[s.DivisionCode]
		if !ok {
			t.Errorf("%s: division %s is not one of the given counties", s.Code, s.DivisionCode)
		}
		if !strings.HasPrefix(s.Code, s.DivisionCode) {
			t.Errorf("code %s does not start with its county %s", s.Code, s.DivisionCode)
		}
		if !strings.HasPrefix(s.Name, county) || !strings.HasPrefix(s.PoliceStation, county) || !strings.HasSuffix(s.PoliceStation, "派出所") {
			t.Errorf("%s: name %q or police station %q does not fit county %s", s.Code, s.Name, s.PoliceStation, county)
		}
		if !strings.HasPrefix(s.Address, county) || !strings.HasSuffix(s.Address, demo.Label) {
			t.Errorf("%s: address %q is not in %s or not labelled synthetic", s.Code, s.Address, county)
		}
		if !utf8.ValidString(s.Name + s.Address + s.PoliceStation) {
			t.Errorf("%s: invalid UTF-8", s.Code)
		}
		if !s.Active {
			t.Errorf("%s is not active", s.Code)
		}
		if s.Boarders < 0 || s.Boarders > s.Students {
			t.Errorf("%s: %d boarders for %d students", s.Code, s.Boarders, s.Students)
		}
		if r := enrolment[s.Type]; s.Students < r[0] || s.Students > r[1] {
			t.Errorf("%s (%s): %d students, want %d–%d", s.Code, s.Type, s.Students, r[0], r[1])
		}
		if s.Ownership == model.Private && s.Type != model.Kindergarten && s.Type != model.Primary &&
			s.Type != model.Junior && s.Type != model.Senior && s.Type != model.CompleteSecondary && s.Type != model.Vocational {
			t.Errorf("%s: a private %s", s.Code, s.Type)
		}
	}
}

func TestRosterSmall(t *testing.T) {
	schools := demo.Roster(fiveCounties, seed)
	checkRoster(t, fiveCounties, schools)
	if n := len(schools); n < 5*50 || n > 5*80 {
		t.Errorf("%d schools for five counties, want about 320", n)
	}
	types := map[model.SchoolType]int{}
	var private, boarding int
	for _, s := range schools {
		types[s.Type]++
		if s.Ownership == model.Private {
			private++
		}
		if s.Boarders > 0 {
			boarding++
		}
	}
	for _, st := range model.SchoolTypes {
		if types[st.Type] == 0 {
			t.Errorf("no %s (%s) in the roster", st.Type, st.Zh)
		}
	}
	if private == 0 || boarding == 0 {
		t.Errorf("%d private and %d boarding schools, want some of each", private, boarding)
	}
	for _, s := range schools {
		if s.DivisionCode == "150100" {
			t.Fatalf("school %s placed in the prefecture", s.Code)
		}
	}
}

func TestRosterDeterministic(t *testing.T) {
	a, b := demo.Roster(fiveCounties, seed), demo.Roster(fiveCounties, seed)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different rosters (-first +second):\n%s", diff)
	}
	if c := demo.Roster(fiveCounties, seed+1); cmp.Equal(a, c) {
		t.Errorf("seeds %d and %d gave the same roster", seed, seed+1)
	}
	p, q := demo.Plans(a, today, seed), demo.Plans(b, today, seed)
	if diff := cmp.Diff(p, q); diff != "" {
		t.Errorf("same seed, different plans (-first +second):\n%s", diff)
	}
}

func TestRosterScale(t *testing.T) {
	counties := syntheticCounties(103)
	schools := demo.Roster(counties, seed)
	checkRoster(t, counties, schools)
	if n := len(schools); n < 6400 || n > 6800 {
		t.Errorf("%d schools for 103 counties, want 6,400–6,800", n)
	}
	types := map[model.SchoolType]int{}
	perCounty := map[string]int{}
	for _, s := range schools {
		types[s.Type]++
		perCounty[s.DivisionCode]++
	}
	shares := []struct {
		typ    model.SchoolType
		lo, hi float64
	}{
		{model.Kindergarten, 0.35, 0.45},
		{model.Primary, 0.25, 0.35},
		{model.Junior, 0.09, 0.15},
		{model.Special, 0.01, 0.03},
	}
	for _, sh := range shares {
		if got := float64(types[sh.typ]) / float64(len(schools)); got < sh.lo || got > sh.hi {
			t.Errorf("%s share %.3f, want %.2f–%.2f", sh.typ, got, sh.lo, sh.hi)
		}
	}
	var urban, rural, nu, nr int
	for _, c := range counties {
		if strings.HasSuffix(c.Name, "区") {
			urban, nu = urban+perCounty[c.Code], nu+1
		} else {
			rural, nr = rural+perCounty[c.Code], nr+1
		}
	}
	if float64(urban)/float64(nu) <= float64(rural)/float64(nr) {
		t.Errorf("urban districts average %d schools, others %d; want urban more", urban/nu, rural/nr)
	}
}

func TestRosterDuplicateCountyNames(t *testing.T) {
	counties := []model.Division{
		{Code: "150102", Name: "新城区", Level: model.LevelCounty},
		{Code: "610102", Name: "新城区", Level: model.LevelCounty},
	}
	checkRoster(t, counties, demo.Roster(counties, seed))
}

func TestPlansShape(t *testing.T) {
	schools := demo.Roster(fiveCounties, seed)
	plans := demo.Plans(schools, today, seed)
	if len(plans) != len(schools) {
		t.Fatalf("%d plans for %d schools", len(plans), len(schools))
	}
	for i, p := range plans {
		if p.School != schools[i] {
			t.Fatalf("plan %d is for %s, want %s", i, p.School.Code, schools[i].Code)
		}
	}
	checkPlans(t, plans)
}

func TestPlansScale(t *testing.T) {
	plans := demo.Plans(demo.Roster(syntheticCounties(103), seed), today, seed)
	checkPlans(t, plans)
	states := map[model.ChecklistState]int{}
	var missing, expired int
	for _, p := range plans {
		switch {
		case p.Missing:
			missing++
		case today.DaysSince(p.CheckedOn) > 180:
			expired++
		}
		states[p.State]++
	}
	for _, s := range []model.ChecklistState{model.Draft, model.Submitted, model.Verified, model.Returned} {
		if states[s] == 0 {
			t.Errorf("no %s checklist among %d plans", s, len(plans))
		}
	}
	if missing == 0 || expired == 0 {
		t.Errorf("%d never checked and %d expired, want a few of each", missing, expired)
	}
}

// checkPlans checks each plan, then the coverage the plans produce.
func checkPlans(t *testing.T, plans []demo.Plan) {
	t.Helper()
	for _, p := range plans {
		c, ok := p.Checklist()
		if ok == p.Missing {
			t.Errorf("%s: Checklist() ok = %v with Missing %v", p.School.Code, ok, p.Missing)
		}
		if p.Missing {
			if p.State != "" {
				t.Errorf("%s: never checked but state %q", p.School.Code, p.State)
			}
			continue
		}
		if err := model.ValidateCheckDate(c.CheckedOn, today); err != nil {
			t.Errorf("%s: %v", p.School.Code, err)
		}
		if age := today.DaysSince(c.CheckedOn); age > 240 {
			t.Errorf("%s: checked %d days ago, want at most 240", p.School.Code, age)
		}
		complete := p.State != model.Draft
		if errs := c.Facts.Validate(complete); len(errs) != 0 {
			t.Errorf("%s (%s): facts invalid: %v", p.School.Code, p.State, errs)
		}
		if (p.State == model.Returned) != (c.ReturnReason != "") {
			t.Errorf("%s (%s): return reason %q", p.School.Code, p.State, c.ReturnReason)
		}
	}

	counts, byCounty := coverage(plans, model.BasisVerified)
	reported, _ := coverage(plans, model.BasisReported)
	for i, m := range model.Measures {
		p := counts.Percent(i)
		if p.Tenths < 850 || p.Tenths > 999 {
			t.Errorf("%s coverage %s (%d of %d), want 85%%–99.9%%", m, p, counts.Measures[i], counts.Schools)
		}
		if reported.Measures[i] < counts.Measures[i] {
			t.Errorf("%s: %d covered on the reported basis, fewer than %d verified", m, reported.Measures[i], counts.Measures[i])
		}
	}
	var full, short int
	for _, c := range byCounty {
		if c.AllFivePercent().Full() {
			full++
		} else {
			short++
		}
	}
	if full == 0 || short == 0 {
		t.Errorf("%d counties at 100%% on all five and %d below, want some of each", full, short)
	}
	if n := len(byCounty); n >= 30 && (full < n/5 || full > n/2) {
		t.Errorf("%d of %d counties at 100%% on all five, want about a third", full, n)
	}
	t.Logf("verified: %v all five %s; reported all five %s; %d of %d counties at 100%%",
		percents(counts), counts.AllFivePercent(), reported.AllFivePercent(), full, len(byCounty))
}

// coverage derives every plan's status with the default rule set.
func coverage(plans []demo.Plan, basis model.Basis) (model.Counts, map[string]*model.Counts) {
	rules := model.DefaultRuleSet()
	var total model.Counts
	byCounty := map[string]*model.Counts{}
	for _, p := range plans {
		var latest *model.Checklist
		if c, ok := p.Checklist(); ok && (c.State == model.Verified || basis == model.BasisReported && c.State == model.Submitted) {
			latest = &c
		}
		st := model.Derive(rules, p.School, basis, latest, nil, today)
		cc := byCounty[p.School.DivisionCode]
		if cc == nil {
			cc = &model.Counts{}
			byCounty[p.School.DivisionCode] = cc
		}
		for _, c := range []*model.Counts{&total, cc} {
			c.Schools++
			c.Tally(st)
		}
	}
	return total, byCounty
}

func percents(c model.Counts) []string {
	var out []string
	for i := range model.Measures {
		out = append(out, c.Percent(i).String())
	}
	return out
}
