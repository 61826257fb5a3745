package web

import (
	"net/url"
	"time"

	"github.com/a-h/templ"

	"safecampus/internal/model"
)

// Sample data shared by the tests and the preview pages (cmd/preview).

var (
	today    = model.NewDate(2025, time.May, 20)
	region   = model.Division{Code: "150000", Name: "内蒙古自治区", NameEn: "Inner Mongolia", Level: model.LevelProvince}
	hohhot   = model.Division{Code: "150100", Name: "呼和浩特市", NameEn: "Hohhot", ParentCode: "150000", Level: model.LevelPrefecture}
	xincheng = model.Division{Code: "150102", Name: "新城区", NameEn: "Xincheng District", ParentCode: "150100", Level: model.LevelCounty}
)

func ptr[T any](v T) *T { return &v }

func sampleUser(role model.Role) *model.User {
	return &model.User{ID: 1, Username: "zhang.wei", Role: role, ScopeCode: "150100"}
}

func sampleBase(role model.Role, nav string) Base {
	b := Base{CSRF: "tok-123", Nav: nav, Today: today, Path: "/divisions/150100?type=primary"}
	if role != "" {
		b.User = sampleUser(role)
	}
	return b
}

func counts(schools int, covered [5]int, allFive int) model.Counts {
	return model.Counts{Schools: schools, Measures: covered, AllFive: allFive}
}

// sampleSchool is a primary school with 1,240 students.
func sampleSchool(code, name string) model.School {
	return model.School{ID: 7, Code: code, Name: name, Type: model.Primary, DivisionCode: "150102",
		Address: "新城区中山东路1号", Students: 1240, Boarders: 0, PoliceStation: "中山路派出所",
		Ownership: model.Public, Active: true}
}

// sampleFacts fails the guards rule (2 of 3) and nothing else.
func sampleFacts() model.Facts {
	yes, no := true, false
	test := today.AddDays(-30)
	return model.Facts{
		NursingPost:      model.NursingPostFacts{SetUp: &yes, AMStaff: ptr(2), PMStaff: ptr(2), PolicePresent: &no, RosterOnFile: &yes},
		ClosedManagement: model.ClosedManagementFacts{PerimeterEnclosed: &yes, GateRoom24h: &yes, VisitorRegistration: &yes, AntiRamming: ptr(model.AntiRamming("bollards"))},
		SecurityGuards:   model.SecurityGuardsFacts{FullTimeGuards: ptr(2), LicensedGuards: ptr(2)},
		OneButtonAlarm:   model.OneButtonAlarmFacts{Installed: &yes, LinkedToPolice: &yes, LastTestOn: &test, LastTestOK: &yes},
		VideoNetworking:  model.VideoNetworkingFacts{Cameras: ptr(24), GateCovered: &yes, NetworkedToPolice: &yes, RetentionDays: ptr(30)},
	}
}

func sampleChecklist(id int64, state model.ChecklistState) model.Checklist {
	sub := today.Time(time.UTC).Add(9 * time.Hour)
	return model.Checklist{ID: id, SchoolID: 7, CheckedOn: today.AddDays(-2), State: state, Facts: sampleFacts(),
		Notes: "门卫室夜间由两名保安轮值。", SubmittedAt: &sub}
}

func sampleStatus(s model.School, basis model.Basis) model.SchoolStatus {
	c := sampleChecklist(11, model.Submitted)
	return model.Derive(model.DefaultRuleSet(), s, basis, &c, map[model.Measure]int64{model.VideoNetworking: 3}, today)
}

func sampleResults() [5]model.Result {
	c := sampleChecklist(11, model.Submitted)
	return model.DefaultRuleSet().Evaluate(sampleSchool("1501020001", "x"), c.CheckedOn, c.Facts)
}

func sampleDivisionPage() DivisionPage {
	s1 := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	s2 := sampleSchool("1501020002", "新城区实验幼儿园")
	s2.Type, s2.Students = model.Kindergarten, 180
	s3 := sampleSchool("1501020003", "<script>alert(1)</script>")
	s3.Active = false
	none := model.Derive(model.DefaultRuleSet(), s2, model.BasisVerified, nil, nil, today)
	return DivisionPage{
		Base:       sampleBase(model.Leader, "dashboard"),
		Division:   hohhot,
		Breadcrumb: []model.Division{region},
		AsOf:       today,
		Verified:   counts(1000, [5]int{1000, 999, 874, 1000, 612}, 598),
		Reported:   counts(1000, [5]int{1000, 1000, 920, 1000, 700}, 690),
		Children: []ChildRow{
			{Division: xincheng, Verified: counts(412, [5]int{412, 411, 390, 412, 300}, 290), Reported: counts(412, [5]int{412, 412, 400, 412, 350}, 340)},
			{Division: model.Division{Code: "150103", Name: "回民区", NameEn: "Huimin District", Level: model.LevelCounty}, Verified: counts(588, [5]int{588, 588, 484, 588, 312}, 308), Reported: counts(588, [5]int{588, 588, 520, 588, 350}, 350)},
			{Division: model.Division{Code: "150104", Name: "玉泉区", NameEn: "Yuquan District", Level: model.LevelCounty}},
		},
		Schools: SchoolList{
			Filter:   SchoolFilter{Type: model.Primary, Uncovered: model.SecurityGuards, Basis: model.BasisVerified},
			Rows:     []SchoolRow{{School: s1, DivisionName: "新城区", Status: sampleStatus(s1, model.BasisVerified)}, {School: s2, DivisionName: "新城区", Status: none, Due: true}, {School: s3, DivisionName: "新城区", Status: model.Derive(model.DefaultRuleSet(), s3, model.BasisVerified, nil, nil, today)}},
			Total:    57,
			Page:     2,
			PageSize: 20,
		},
		CanExport: true,
		Trend:     sampleTrend(),
	}
}

func sampleSchoolPage() SchoolPage {
	s := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	return SchoolPage{
		Base:       sampleBase(model.Inspector, "dashboard"),
		School:     s,
		Breadcrumb: []model.Division{region, hohhot, xincheng},
		Verified:   model.Derive(model.DefaultRuleSet(), s, model.BasisVerified, nil, nil, today),
		Reported:   sampleStatus(s, model.BasisReported),
		Checklists: []model.Checklist{sampleChecklist(11, model.Submitted), {ID: 9, CheckedOn: today.AddDays(-40), State: model.Returned, ReturnReason: "保安证照片不清晰，请重新上传。"}, {ID: 4, CheckedOn: today.AddDays(-200), State: model.Verified}},
		Hazards: []model.Hazard{
			{ID: 3, Measure: model.VideoNetworking, Description: "校门口摄像头损坏，画面无法回传。", Severity: model.High, Deadline: today.AddDays(-3), State: model.HazardOpen},
			{ID: 5, Measure: model.MeasureOther, Description: "围墙东侧有破损。", Severity: model.Low, Deadline: today.AddDays(10), State: model.HazardAnswered, Answer: "已联系施工队，预计下周修复。"},
		},
		CanFill: true, CanReview: true, CanEdit: true,
	}
}

func sampleChecklistFormPage() ChecklistFormPage {
	s := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	v := ChecklistValues(sampleChecklist(11, model.Draft))
	v["security_guards.licensed_guards"] = "3x"
	delete(v, "nursing_post.roster_on_file")
	p := sampleResults()
	return ChecklistFormPage{
		Base:        sampleBase(model.SchoolRep, "dashboard"),
		School:      s,
		ChecklistID: 11,
		Action:      "/checklists/11",
		PreviewURL:  "/schools/1501020001/checklists/preview",
		Values:      v,
		Errors: model.FieldErrors{
			{Field: "security_guards.licensed_guards", Message: "licensed_guards \"3x\" is not a whole number"},
			{Field: "nursing_post.roster_on_file", Message: "nursing_post.roster_on_file is required to submit"},
			{Field: "", Message: "the checklist is incomplete"},
		},
		Preview:      p,
		ReturnReason: "保安人数不足，请核实后重新提交。",
	}
}

func sampleChecklistPage() ChecklistPage {
	s := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	c := sampleChecklist(11, model.Submitted)
	return ChecklistPage{
		Base: sampleBase(model.Inspector, "review"), School: s, Checklist: c, Results: sampleResults(),
		ExpiresOn: c.ExpiresOn(model.DefaultRuleSet()), CanReview: true,
		ReturnError: "reason is required", ReturnValue: "",
	}
}

func sampleReviewPage() ReviewPage {
	s := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	s2 := sampleSchool("1501030005", "回民区第五中学")
	s2.Type = model.Junior
	return ReviewPage{
		Base: sampleBase(model.Inspector, "review"),
		Rows: []ReviewRow{
			{Checklist: sampleChecklist(11, model.Submitted), School: s, DivisionName: "新城区", Results: sampleResults()},
			{Checklist: sampleChecklist(12, model.Submitted), School: s2, DivisionName: "回民区", Results: sampleResults()},
		},
		Filter: ReviewFilter{Division: "150100", Failing: model.SecurityGuards},
		Total:  2,
	}
}

func sampleHazardsPage() HazardsPage {
	sp := sampleSchoolPage()
	return HazardsPage{
		Base:  sampleBase(model.Inspector, "hazards"),
		Rows:  []HazardRow{{Hazard: sp.Hazards[0], School: sp.School, DivisionName: "新城区"}, {Hazard: sp.Hazards[1], School: sp.School, DivisionName: "新城区"}},
		Total: 2,
	}
}

func sampleAdminSchoolsPage() AdminSchoolsPage {
	d := sampleDivisionPage()
	return AdminSchoolsPage{Base: sampleBase(model.Admin, "admin"), Query: "新城", Rows: d.Schools.Rows, Total: 3, Page: 1, PageSize: 50}
}

func sampleSchoolFormPage() SchoolFormPage {
	return SchoolFormPage{
		Base: sampleBase(model.Admin, "admin"), Code: "1501020001",
		Values: map[string]string{"name": "呼和浩特市新城区第一小学", "type": "primary", "division_code": "150199", "address": "新城区中山东路1号",
			"students": "1240", "boarders": "1300", "police_station": "中山路派出所", "ownership": "public"},
		Errors:   model.FieldErrors{{Field: "division_code", Message: "division 150199 is not a county"}, {Field: "boarders", Message: "boarders 1300 is more than students 1240"}},
		Counties: []model.Division{xincheng, {Code: "150103", Name: "回民区"}},
		Active:   true,
	}
}

func sampleImportPage() ImportPage {
	return ImportPage{Base: sampleBase(model.Admin, "admin"), Result: &ImportResult{FileName: "schools.csv", DryRun: true,
		Errors: []string{"line 3: type \"大学\" is not a school type", "line 7: division code \"15010\" is not six digits"}}}
}

func sampleUsersPage() UsersPage {
	return UsersPage{Base: sampleBase(model.Admin, "admin"), Users: []model.User{
		{ID: 1, Username: "admin", Role: model.Admin},
		{ID: 2, Username: "leader.hohhot", Role: model.Leader, ScopeCode: "150100", Language: "zh-CN"},
		{ID: 3, Username: "inspector.xc", Role: model.Inspector, ScopeCode: "150102", Language: "en"},
		{ID: 4, Username: "school_1501020001", Role: model.SchoolRep, ScopeCode: "1501020001", Disabled: true},
	}}
}

func sampleUserFormPage() UserFormPage {
	return UserFormPage{Base: sampleBase(model.Admin, "admin"),
		Values: map[string]string{"username": "li.na", "role": "inspector", "scope": "15", "language": ""},
		Errors: model.FieldErrors{{Field: "scope", Message: "scope \"15\" is not a division"}, {Field: "password", Message: "password must be at least 10 characters"}}}
}

func sampleLoginPage() LoginPage {
	b := sampleBase("", "")
	b.Path = "/login"
	return LoginPage{Base: b, Username: "zhang.wei", Error: "用户名或密码错误", Next: "/schools/1501020001",
		Demo: []DemoLogin{{Username: "admin", Password: "demo-admin-1", Role: "admin"}, {Username: "leader", Password: "demo-leader-1", Role: "leader"}}}
}

func sampleErrorPage() ErrorPage {
	return ErrorPage{Base: sampleBase(model.Leader, ""), Status: 404, Message: "没有这所学校：1501029999"}
}

// sampleTrend is twelve month ends: no schools for two months, then rising
// to every school on nursing_post (and 99.9% on closed_management at the end).
func sampleTrend() Trend {
	t := Trend{}
	day := today
	days := make([]model.Date, 12)
	days[11] = day
	for i := 10; i >= 0; i-- {
		days[i] = days[i+1].AddDays(-days[i+1].DaysSince(days[i+1].AddDays(-1).MonthEnd().AddDays(1)) - 1)
	}
	for i, d := range days {
		p := TrendPoint{Day: d}
		if i >= 2 {
			k := i - 2 // 0..9
			p.Verified = counts(1000, [5]int{900 + 10*k + 10*min(k/9, 1), 950 + 5*k + 4*min(k/9, 1), 800 + 8*k, 700 + 20*k, 600 + 2*k}, 500+10*k)
			p.Reported = counts(1000, [5]int{min(1000, 950+10*k), 990, 900, 850, 700}, 600)
		}
		t.Points = append(t.Points, p)
	}
	return t
}

func samplePastDivisionPage() DivisionPage {
	p := sampleDivisionPage()
	p.AsOf = today.AddDays(-40)
	p.Query = url.Values{"as_of": {p.AsOf.String()}, "sort": {"security_guards"}, "dir": {"desc"}}
	p.Sort = GridSort{Key: "security_guards", Desc: true}
	return p
}

func sampleGapsPage() GapsPage {
	s1 := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	s2 := sampleSchool("1501020002", "新城区实验幼儿园")
	s3 := sampleSchool("1501020003", "新城区第三小学")
	st1 := sampleStatus(s1, model.BasisVerified)
	none := model.Derive(model.DefaultRuleSet(), s2, model.BasisVerified, nil, nil, today)
	old := sampleChecklist(12, model.Verified)
	old.CheckedOn = today.AddDays(-200)
	expired := model.Derive(model.DefaultRuleSet(), s3, model.BasisVerified, &old, nil, today)
	return GapsPage{
		Base:       sampleBase(model.Leader, "dashboard"),
		Division:   hohhot,
		Breadcrumb: []model.Division{region},
		Basis:      model.BasisVerified,
		Counts:     model.GapCounts{Schools: 1000, NoCheck: 12, Expired: 1, Hazard: [5]int{0, 0, 0, 0, 1}, Rule: [5]int{0, 1, 31, 0, 4}},
		Groups: []GapGroup{
			{Kind: model.GapNoCheck, Count: 12, Rows: []SchoolRow{{School: s2, DivisionName: "新城区", Status: none, Due: true}, {School: s2, DivisionName: "新城区", Status: none}}},
			{Kind: model.GapExpired, Count: 1, Rows: []SchoolRow{{School: s3, DivisionName: "新城区", Status: expired, Due: true}}},
			{Kind: model.GapRule, Measure: model.SecurityGuards, Count: 31, Rows: []SchoolRow{{School: s1, DivisionName: "新城区", Status: st1}}},
			{Kind: model.GapHazard, Measure: model.VideoNetworking, Count: 1, Rows: []SchoolRow{{School: s1, DivisionName: "新城区", Status: st1}}},
		},
	}
}

func sampleGapsGroupPage() GapsPage {
	p := sampleGapsPage()
	p.Groups, p.One, p.Page, p.PageSize = p.Groups[2:3], true, 1, 50
	return p
}

// SamplePages is every full page with sample data, by name: the tests
// check them and cmd/preview writes them out for a look in a browser.
func SamplePages() map[string]templ.Component {
	return map[string]templ.Component{
		"login":          LoginView(sampleLoginPage()),
		"error":          ErrorView(sampleErrorPage()),
		"division":       DivisionView(sampleDivisionPage()),
		"division-empty": DivisionView(DivisionPage{Base: sampleBase(model.Admin, "dashboard"), AsOf: today}),
		"division-past":  DivisionView(samplePastDivisionPage()),
		"gaps":           GapsView(sampleGapsPage()),
		"gaps-one":       GapsView(sampleGapsGroupPage()),
		"gaps-none":      GapsView(GapsPage{Base: sampleBase(model.Leader, "dashboard"), Division: xincheng, Basis: model.BasisVerified}),
		"school":         SchoolView(sampleSchoolPage()),
		"checklist-form": ChecklistFormView(sampleChecklistFormPage()),
		"checklist-new":  ChecklistFormView(ChecklistFormPage{Base: sampleBase(model.SchoolRep, "dashboard"), School: sampleSchool("1501020001", "新城区第一小学"), Action: "/schools/1501020001/checklists", PreviewURL: "/schools/1501020001/checklists/preview"}),
		"checklist":      ChecklistView(sampleChecklistPage()),
		"review":         ReviewView(sampleReviewPage()),
		"review-empty":   ReviewView(ReviewPage{Base: sampleBase(model.Inspector, "review")}),
		"hazards":        HazardsView(sampleHazardsPage()),
		"admin-schools":  AdminSchoolsView(sampleAdminSchoolsPage()),
		"school-form":    SchoolFormView(sampleSchoolFormPage()),
		"school-new":     SchoolFormView(SchoolFormPage{Base: sampleBase(model.Admin, "admin"), IsNew: true}),
		"import":         ImportView(sampleImportPage()),
		"import-ok":      ImportView(ImportPage{Base: sampleBase(model.Admin, "admin"), Result: &ImportResult{FileName: "schools.xlsx", Created: 12, Updated: 3}}),
		"users":          UsersView(sampleUsersPage()),
		"user-form":      UserFormView(sampleUserFormPage()),
	}
}
