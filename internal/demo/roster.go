// Package demo generates the synthetic demo data of `safecampus demo`: an
// invented roster of schools for the given county-level divisions and an
// invented checklist for each of them. None of it describes a real school;
// every address carries the Label, and callers must show Notice wherever the
// data appears. The same seed always yields the same data.
package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"safecampus/internal/model"
)

// Label marks every synthetic address so no one mistakes a demo school for
// a real one.
const Label = "（演示数据）"

// Notice is the sentence to show beside demo data.
const Notice = "Synthetic demo data: invented schools and checklists, not real records (演示数据，均为虚构)."

// perCounty is Inner Mongolia's ~6,600 schools and kindergartens over its
// 103 county-level divisions.
const perCounty = 6600.0 / 103

// profile is how often a school type occurs and how large it is.
type profile struct {
	typ          model.SchoolType
	urban, rural float64 // relative share in urban districts and elsewhere
	lo, hi       int     // enrolment range
	private      float64 // share run privately
	suffix       string  // name after "<county>第<n>"
}

// profiles cover every type but special education, of which each county has
// one. Kindergartens ~40%, primary ~30%, junior ~12%, the rest fewer; rural
// banners and counties have more nine-year schools.
var profiles = []profile{
	{model.Kindergarten, 42, 38, 30, 400, 0.30, "幼儿园"},
	{model.Primary, 28, 30, 100, 2500, 0.03, "小学"},
	{model.Junior, 12, 11, 300, 2500, 0.03, "初级中学"},
	{model.Senior, 6, 4, 600, 3500, 0.05, "高级中学"},
	{model.NineYear, 3, 8, 200, 1800, 0, "九年一贯制学校"},
	{model.TwelveYear, 1, 2, 800, 3000, 0, "实验学校"},
	{model.CompleteSecondary, 2, 3, 600, 3000, 0.02, "中学"},
	{model.Vocational, 4, 3, 300, 3000, 0.15, "中等职业学校"},
}

// special is the profile of the special education school(s).
var special = profile{model.Special, 0, 0, 20, 200, 0, "特殊教育学校"}

// Brand names of private kindergartens.
var brands = []string{"阳光", "小天使", "童心", "启智", "蓝天", "育才", "春苗", "金色童年", "爱心", "博雅", "星星", "彩虹", "小太阳", "小白鸽", "智慧树", "快乐宝贝"}

// Area names: streets of urban districts, towns (苏木/镇) elsewhere. Each
// area has its police station.
var (
	streets = []string{"新华", "建设", "团结", "解放", "人民", "友谊", "兴安", "光明", "和平", "长青", "青年", "文化", "草原", "北疆", "民族", "公园"}
	towns   = []string{"城关", "巴彦", "乌兰", "白音", "哈日", "宝力格", "阿拉坦", "额尔敦", "新民", "太平", "永安", "兴隆", "红旗", "胜利", "金山", "大营"}
)

// Roster invents about 6,600 schools per 103 counties (~64 per county) for
// the county-level divisions given; province and prefecture entries are
// skipped. Urban districts (names ending in 区) get more schools. Codes are
// the county code followed by a four-digit sequence, so they are ten digits,
// unique and show their county. Every school is active.
func Roster(divisions []model.Division, seed uint64) []model.School {
	r := rand.New(rand.NewPCG(seed, 0x5afeca3b05))
	var counties []model.Division
	names := map[string]int{}
	for _, d := range divisions {
		if d.Level == model.LevelProvince || d.Level == model.LevelPrefecture {
			continue
		}
		counties = append(counties, d)
		names[d.Name]++
	}
	weights := make([]float64, len(counties))
	for i, c := range counties {
		weights[i] = 0.5 + r.Float64()
		if urban(c) {
			weights[i] *= 1.6
		}
	}
	total := int(math.Round(perCounty * float64(len(counties))))
	var schools []model.School
	for i, n := range apportion(total, weights) {
		c := counties[i]
		prefix := c.Name
		if names[c.Name] > 1 { // two counties of one name: keep school names unique
			prefix += "（" + c.Code + "）"
		}
		schools = append(schools, county(r, c, prefix, max(n, 5))...)
	}
	return schools
}

// urban reports whether a county-level division is an urban district.
func urban(c model.Division) bool { return strings.HasSuffix(c.Name, "区") }

// county invents the n schools of one county.
func county(r *rand.Rand, c model.Division, prefix string, n int) []model.School {
	isUrban := urban(c)
	specials := 1 + n/120
	weights := make([]float64, len(profiles))
	for i, p := range profiles {
		w := p.rural
		if isUrban {
			w = p.urban
		}
		weights[i] = w * (0.7 + 0.6*r.Float64())
	}
	counts := apportion(n-specials, weights)

	areas := streets
	if !isUrban {
		areas = towns
	}
	areas = areas[:min(len(areas), 3+n/12)]

	var schools []model.School
	used := map[string]bool{}
	add := func(p profile, name string) {
		s := model.School{
			Code:         c.Code + pad4(len(schools)+1),
			Name:         name,
			Type:         p.typ,
			DivisionCode: c.Code,
			Ownership:    model.Public,
			Active:       true,
		}
		s.Students = enrolment(r, p, isUrban)
		s.Boarders = boarders(r, p.typ, s.Students, isUrban)
		area := areas[r.IntN(len(areas))]
		if isUrban {
			s.Address = prefix + area + "路" + strconv.Itoa(1+r.IntN(300)) + "号" + Label
		} else {
			s.Address = prefix + area + "镇" + strconv.Itoa(1+r.IntN(60)) + "号" + Label
		}
		s.PoliceStation = prefix + "公安局" + area + "派出所"
		schools = append(schools, s)
		used[name] = true
	}
	for i, p := range profiles {
		public := 0
		for range counts[i] {
			if r.Float64() < p.private {
				add(p, privateName(r, prefix, p, used))
				schools[len(schools)-1].Ownership = model.Private
				continue
			}
			public++
			add(p, prefix+"第"+chineseNumber(public)+p.suffix)
		}
	}
	for i := range specials {
		name := prefix + special.suffix
		if i > 0 {
			name = prefix + "第" + chineseNumber(i+1) + special.suffix
		}
		add(special, name)
	}
	return schools
}

// privateName names a private school after a brand, unique in its county.
func privateName(r *rand.Rand, prefix string, p profile, used map[string]bool) string {
	brand := brands[r.IntN(len(brands))]
	for k := 1; ; k++ {
		name := prefix + brand + p.suffix
		if p.typ != model.Kindergarten {
			name = prefix + brand + "民办" + p.suffix
		}
		if k > 1 {
			name = prefix + brand + "第" + chineseNumber(k) + p.suffix
		}
		if !used[name] {
			return name
		}
	}
}

// enrolment draws a school's students; rural schools lean small, urban ones
// large.
func enrolment(r *rand.Rand, p profile, isUrban bool) int {
	skew := 1.7
	if isUrban {
		skew = 0.9
	}
	return p.lo + int(float64(p.hi-p.lo)*math.Pow(r.Float64(), skew))
}

// boarders draws the boarding students: common at rural secondary schools,
// rare elsewhere.
func boarders(r *rand.Rand, t model.SchoolType, students int, isUrban bool) int {
	var p, lo, hi float64
	switch t {
	case model.Junior, model.Senior, model.NineYear, model.TwelveYear, model.CompleteSecondary, model.Vocational:
		p, lo, hi = 0.6, 0.2, 0.8
		if isUrban {
			p, lo, hi = 0.15, 0.1, 0.5
			if t == model.Junior || t == model.NineYear {
				p = 0
			}
		}
	case model.Special:
		p, lo, hi = 0.3, 0.2, 0.6
	case model.Primary:
		if !isUrban {
			p, lo, hi = 0.1, 0.1, 0.3
		}
	}
	if r.Float64() >= p {
		return 0
	}
	return min(students, int(float64(students)*(lo+(hi-lo)*r.Float64())))
}

// apportion splits total over the weights by largest remainder.
func apportion(total int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	counts := make([]int, len(weights))
	if sum <= 0 || total <= 0 {
		return counts
	}
	rem := make([]float64, len(weights))
	left := total
	for i, w := range weights {
		exact := float64(total) * w / sum
		counts[i] = int(exact)
		rem[i] = exact - float64(counts[i])
		left -= counts[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
	}
	return counts
}

// pad4 formats n with four digits.
func pad4(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", max(0, 4-len(s))) + s
}

// chineseNumber writes 1 ≤ n ≤ 9999 in Chinese numerals as school names do:
// 一, 十, 十二, 二十, 一百零五, 一千零一十.
func chineseNumber(n int) string {
	const digits = "零一二三四五六七八九"
	digit := func(d int) string { return string([]rune(digits)[d]) }
	units := []string{"千", "百", "十", ""}
	places := []int{n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10}
	var b strings.Builder
	started, zero := false, false
	for i, d := range places {
		switch {
		case d == 0:
			zero = started
		default:
			if zero {
				b.WriteString("零")
				zero = false
			}
			if !(d == 1 && i == 2 && !started) { // 十二, not 一十二
				b.WriteString(digit(d))
			}
			b.WriteString(units[i])
			started = true
		}
	}
	return b.String()
}

// Plan is the demo checklist of one school: its only checklist, or none.
type Plan struct {
	School       model.School
	Missing      bool                 // never checked: no checklist at all
	State        model.ChecklistState // "" when Missing
	CheckedOn    model.Date
	Facts        model.Facts // complete unless State is Draft
	ReturnReason string      // why an inspector returned it, when State is Returned
}

// Checklist returns the plan as a checklist to store, false when Missing.
func (p Plan) Checklist() (model.Checklist, bool) {
	if p.Missing {
		return model.Checklist{}, false
	}
	return model.Checklist{CheckedOn: p.CheckedOn, State: p.State, Facts: p.Facts, ReturnReason: p.ReturnReason}, true
}

// returnReasons are what inspectors write when they return a checklist.
var returnReasons = []string{
	"视频保存天数与现场核查不符，请核实后重新提交",
	"保安员持证数量与名册不一致，请补充证件后重新提交",
	"报警装置测试记录缺失，请补充后重新提交",
	"护学岗值守名册未上传，请补充后重新提交",
}

// Plans invents one checklist per school of roster, as of today, to be judged
// by model.DefaultRuleSet(). The intended coverage, on the verified basis:
//
//   - About a third of the counties are exemplary: every school has a verified
//     checklist from the last 150 days that meets all five measures, so they
//     show 100% on every measure and on all five.
//   - In the other counties about 1% of schools were never checked, about 1%
//     have a verified check older than 180 days (expired), about 0.7% have
//     only a draft, about 1% were returned and about 5% wait for review
//     (submitted: covered on the reported basis only); the rest are verified.
//     Each measure of a checked school fails with probability 0.8–2.5%
//     (gapRates) for a realistic reason (too few or unlicensed guards, video
//     kept 15 days, an alarm test 120 days old, no anti-ramming barrier, no
//     afternoon escort staff...), and every such county has at least one gap.
//   - Overall each measure lands between about 92% and 94% on the verified
//     basis and 2–3 points higher on the reported basis; all five around
//     88% verified, 91% reported. Check dates spread over the last five
//     months, expired ones 181–240 days back; none is in the future.
func Plans(roster []model.School, today model.Date, seed uint64) []Plan {
	r := rand.New(rand.NewPCG(seed, 0xc4ec7115))
	rules := model.DefaultRuleSet()

	var order []string
	byCounty := map[string][]int{}
	for i, s := range roster {
		if _, ok := byCounty[s.DivisionCode]; !ok {
			order = append(order, s.DivisionCode)
		}
		byCounty[s.DivisionCode] = append(byCounty[s.DivisionCode], i)
	}
	exemplary := map[string]bool{}
	for _, k := range r.Perm(len(order))[:(len(order)+1)/3] {
		exemplary[order[k]] = true
	}

	plans := make([]Plan, len(roster))
	for _, code := range order {
		idx := byCounty[code]
		forced := idx[r.IntN(len(idx))]
		for _, i := range idx {
			s := roster[i]
			switch {
			case exemplary[code]:
				plans[i] = verified(r, rules, s, today.AddDays(-r.IntN(151)))
			case i == forced: // every ordinary county has at least one gap
				plans[i] = verified(r, rules, s, today.AddDays(-r.IntN(151)))
				spoil(r, rules, s, plans[i].CheckedOn, &plans[i].Facts, model.Measures[r.IntN(len(model.Measures))])
			default:
				plans[i] = ordinary(r, rules, s, today)
			}
		}
	}
	return plans
}

// verified is a verified checklist on day on that meets all five measures.
func verified(r *rand.Rand, rules model.RuleSet, s model.School, on model.Date) Plan {
	return Plan{School: s, State: model.Verified, CheckedOn: on, Facts: goodFacts(r, rules, s, on)}
}

// gapRates are how often each measure fails at a checked school of an
// ordinary county: guards short of the enrolment's need are the most common
// gap, a missing escort post the rarest.
var gapRates = [5]float64{0.008, 0.012, 0.025, 0.015, 0.02}

// ordinary draws the checklist of a school in a county with gaps.
func ordinary(r *rand.Rand, rules model.RuleSet, s model.School, today model.Date) Plan {
	var p Plan
	switch u := r.Float64(); {
	case u < 0.01:
		return Plan{School: s, Missing: true}
	case u < 0.02:
		p = verified(r, rules, s, today.AddDays(-181-r.IntN(60)))
	case u < 0.027:
		p = verified(r, rules, s, today.AddDays(-r.IntN(15)))
		p.State = model.Draft
		// A draft is partial: the school has not got to the last measures.
		if r.Float64() < 0.5 {
			p.Facts.OneButtonAlarm = model.OneButtonAlarmFacts{Installed: new(true)}
		}
		p.Facts.VideoNetworking = model.VideoNetworkingFacts{}
		return p
	case u < 0.037:
		p = verified(r, rules, s, today.AddDays(-3-r.IntN(28)))
		p.State = model.Returned
		p.ReturnReason = returnReasons[r.IntN(len(returnReasons))]
	case u < 0.087:
		p = verified(r, rules, s, today.AddDays(-r.IntN(22)))
		p.State = model.Submitted
	default:
		p = verified(r, rules, s, today.AddDays(-r.IntN(151)))
	}
	for i, m := range model.Measures {
		if r.Float64() < gapRates[i] {
			spoil(r, rules, s, p.CheckedOn, &p.Facts, m)
		}
	}
	return p
}

// goodFacts are complete facts that meet all five measures for s on day on.
func goodFacts(r *rand.Rand, rules model.RuleSet, s model.School, on model.Date) model.Facts {
	staff := min(8, 1+s.Students/400+r.IntN(2))
	guards := rules.Guards.Required(s.Students, s.Boarders) + r.IntN(2)
	barriers := model.AntiRammings[1:] // every kind but none
	retention := []int{30, 30, 60, 90, 90, 180}
	return model.Facts{
		NursingPost: model.NursingPostFacts{
			SetUp: new(true), AMStaff: new(staff), PMStaff: new(staff),
			PolicePresent: new(r.Float64() < 0.7), RosterOnFile: new(true),
		},
		ClosedManagement: model.ClosedManagementFacts{
			PerimeterEnclosed: new(true), GateRoom24h: new(true), VisitorRegistration: new(true),
			AntiRamming: new(barriers[r.IntN(len(barriers))]),
		},
		SecurityGuards: model.SecurityGuardsFacts{FullTimeGuards: new(guards), LicensedGuards: new(guards)},
		OneButtonAlarm: model.OneButtonAlarmFacts{
			Installed: new(true), LinkedToPolice: new(true),
			LastTestOn: new(on.AddDays(-r.IntN(rules.AlarmTestDays - 4))), LastTestOK: new(true),
		},
		VideoNetworking: model.VideoNetworkingFacts{
			Cameras: new(4 + s.Students/30 + r.IntN(10)), GateCovered: new(true), NetworkedToPolice: new(true),
			RetentionDays: new(retention[r.IntN(len(retention))]),
		},
	}
}

// spoil makes measure m fail for one realistic reason, keeping the facts
// complete and valid.
func spoil(r *rand.Rand, rules model.RuleSet, s model.School, on model.Date, f *model.Facts, m model.Measure) {
	k := r.IntN(3)
	switch m {
	case model.NursingPost:
		switch k {
		case 0:
			f.NursingPost.PMStaff = new(0)
		case 1:
			f.NursingPost.RosterOnFile = new(false)
		default:
			f.NursingPost.SetUp, f.NursingPost.AMStaff, f.NursingPost.PMStaff = new(false), new(0), new(0)
		}
	case model.ClosedManagement:
		switch k {
		case 0, 1:
			f.ClosedManagement.AntiRamming = new(model.AntiRammingNone)
		default:
			f.ClosedManagement.GateRoom24h = new(false)
		}
	case model.SecurityGuards:
		need := rules.Guards.Required(s.Students, s.Boarders)
		switch k {
		case 0, 1: // too few guards for the enrolment
			f.SecurityGuards.FullTimeGuards, f.SecurityGuards.LicensedGuards = new(need-1), new(need-1)
		default: // one guard without a licence
			f.SecurityGuards.FullTimeGuards, f.SecurityGuards.LicensedGuards = new(need), new(need-1)
		}
	case model.OneButtonAlarm:
		switch k {
		case 0, 1:
			f.OneButtonAlarm.LastTestOn = new(on.AddDays(-120))
		default:
			f.OneButtonAlarm.LinkedToPolice = new(false)
		}
	case model.VideoNetworking:
		switch k {
		case 0, 1:
			f.VideoNetworking.RetentionDays = new(15)
		default:
			f.VideoNetworking.NetworkedToPolice = new(false)
		}
	}
}
