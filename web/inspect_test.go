package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// Sample pages of the inspectors' tools, and the checks every page passes.

func sampleEvidence() []model.Evidence {
	at := today.Time(time.UTC).Add(10 * time.Hour)
	return []model.Evidence{
		{ID: 21, SchoolID: 7, HazardID: 3, HazardEventID: 41, FileName: "校门摄像头.jpg", ContentType: "image/jpeg", Size: 812345, Width: 4032, Height: 3024, UploadedAt: at},
		{ID: 22, SchoolID: 7, HazardID: 3, HazardEventID: 41, FileName: "维修单.pdf", ContentType: "application/pdf", Size: 3 << 20, UploadedAt: at},
		{ID: 23, SchoolID: 7, HazardID: 3, HazardEventID: 41, FileName: "night.png", ContentType: "image/png", Size: 1 << 20, Width: 600, Height: 1200, UploadedAt: at},
	}
}

func sampleHazardPage(role model.Role) HazardPage {
	sp := sampleSchoolPage()
	h := sp.Hazards[0]
	h.State = model.HazardAnswered
	at := today.Time(time.UTC).Add(9 * time.Hour)
	h.RaisedAt = at.Add(-72 * time.Hour)
	p := HazardPage{
		Base: sampleBase(role, "hazards"), Hazard: h, School: sp.School, DivisionName: "新城区", RaisedBy: "inspector.xc",
		Events: []model.HazardEvent{
			{ID: 40, HazardID: 3, Kind: model.HazardAnswer, Note: "已报修。", Username: "school_1501020001", At: at.Add(-48 * time.Hour)},
			{ID: 42, HazardID: 3, Kind: model.HazardSendBack, Note: "夜间仍无画面。", Username: "inspector.xc", At: at.Add(-24 * time.Hour)},
			{ID: 41, HazardID: 3, Kind: model.HazardAnswer, Note: "已更换红外摄像头。", Username: "school_1501020001", At: at},
		},
		Evidence:  sampleEvidence(),
		CanUpload: true,
	}
	switch role {
	case model.SchoolRep:
		p.Hazard.State = model.HazardOpen
		p.CanAnswer = true
		p.Values = map[string]string{"answer": ""}
		p.Errors = model.FieldErrors{{Field: "answer", Message: "请填写整改措施及结果。"}, {Field: "files", Message: "x.exe 不是 JPEG、PNG、WebP 照片或 PDF 文件"}}
	default:
		p.CanClose, p.CanSendBack = true, true
		p.Conflict = "在您操作期间，他人已处理了这项隐患。"
	}
	return p
}

func sampleInspectionFormPage() InspectionFormPage {
	v := map[string]string{"inspected_on": today.String(), "participants": "李警官、王老师"}
	for _, m := range model.InspectionTargets {
		v[string(m)+".result"] = "ok"
		v[string(m)+".raise"] = "1"
		v[string(m)+".severity"] = "medium"
		v[string(m)+".deadline"] = today.AddDays(14).String()
	}
	v["video_networking.result"] = "problem"
	return InspectionFormPage{Base: sampleBase(model.Inspector, "hazards"), School: sampleSchool("1501020001", "呼和浩特市新城区第一小学"), Values: v,
		Errors: model.FieldErrors{{Field: "video_networking.note", Message: "请填写发现的问题。"}}}
}

func sampleInspectionPage() InspectionPage {
	sp := sampleSchoolPage()
	return InspectionPage{Base: sampleBase(model.Inspector, "hazards"), School: sp.School,
		Inspection: model.Inspection{ID: 8, SchoolID: 7, InspectedOn: today, Inspector: "inspector.xc", Participants: "王老师",
			Findings: []model.Finding{{Measure: model.NursingPost, Result: model.FindingOK},
				{Measure: model.VideoNetworking, Result: model.FindingProblem, Note: "校门口摄像头损坏", HazardID: 3},
				{Measure: model.MeasureOther, Result: model.FindingNotChecked}}},
		Hazards: map[int64]model.Hazard{3: sp.Hazards[0]}}
}

func sampleDuePage() DuePage {
	s1 := sampleSchool("1501020001", "呼和浩特市新城区第一小学")
	s2 := sampleSchool("1501020002", "新城区实验幼儿园")
	checked, expires := today.AddDays(-190), today.AddDays(-10)
	soonOn, soonExp := today.AddDays(-160), today.AddDays(20)
	return DuePage{Base: sampleBase(model.Inspector, "due"), Division: hohhot, Breadcrumb: []model.Division{region, hohhot},
		Filter: DueFilter{Basis: model.BasisReported, Page: 1}, Total: 3, Page: 1, PageSize: 100, SoonDays: 30,
		Rows: []DueRow{
			{School: s2, DivisionName: "新城区", Kind: "never"},
			{School: s1, DivisionName: "新城区", Kind: "expired", CheckedOn: &checked, ExpiresOn: &expires, DaysLate: 10},
			{School: s1, DivisionName: "新城区", Kind: "soon", CheckedOn: &soonOn, ExpiresOn: &soonExp, DaysLate: -20},
		}}
}

func sampleReviewConfirmPage() ReviewConfirmPage {
	r := sampleReviewPage()
	return ReviewConfirmPage{Base: sampleBase(model.Inspector, "review"), Rows: r.Rows, Back: "/review?division=150100", Conflict: []int64{13}}
}

func sampleRulesPage() RulesPage {
	cur := model.DefaultRuleSet()
	cur.ID = 1
	prov := cur
	prov.ID, prov.Version, prov.DivisionCode, prov.EffectiveFrom, prov.MinRetentionDays = 3, 3, "150000", today.AddDays(30), 60
	values := RuleValues(cur)
	values["validity_days"] = "0"
	values["effective_from"] = today.AddDays(-1).String()
	hohhot := model.Division{Code: "150100", Name: "呼和浩特市", Level: model.LevelPrefecture, ParentCode: "150000"}
	return RulesPage{Base: sampleBase(model.Admin, "admin"),
		Division:  hohhot,
		Divisions: []model.Division{{Code: "150000", Name: "内蒙古自治区", Level: model.LevelProvince}, hohhot},
		InForce:   cur,
		Profiles:  []RuleProfile{{Current: &cur}, {DivisionCode: "150000", DivisionName: "内蒙古自治区", Next: &prov}},
		Versions:  []RuleVersion{{ID: 3, RuleSet: prov, DivisionName: "内蒙古自治区", CreatedBy: "admin", Future: true}, {ID: 1, RuleSet: cur, Current: true}},
		Values:    values,
		Errors:    model.FieldErrors{{Field: "validity_days", Message: "至少 1 天。"}, {Field: "effective_from", Message: "请填写今天或之后的日期。"}},
		Examples:  GuardTable(cur),
		OfferV2:   true, V2Date: today.String()}
}

func sampleAuditPage() AuditPage {
	return AuditPage{Base: sampleBase(model.Inspector, "audit"), Entities: []string{"school", "hazard", "rule_set"}, Total: 2, Page: 1, PageSize: 50,
		Filter:    AuditFilter{Entity: "hazard", From: today.AddDays(-7).String()},
		ScopeNote: "呼和浩特市范围内的变更",
		Rows: []AuditRow{
			{ID: 9, At: "2025-05-20 10:01:02", Username: "inspector.xc", Action: "close", Entity: "hazard", EntityID: "3", Link: "/hazards/3", DivisionName: "新城区",
				Changes: []Change{{Field: "state", Old: "answered", New: "closed"}, {Field: "note", Old: "—", New: "<b>现场核实</b>"}}},
			{ID: 8, At: "2025-05-19 09:00:00", Username: "someone", Action: "frobnicate", Entity: "gadget", EntityID: "x"},
		}}
}

func inspectPages() map[string]templ.Component {
	cl := sampleChecklistPage()
	cl.Evidence = EvidenceBlock{Files: sampleEvidence()[:2], UploadURL: "/checklists/11/evidence", CanDelete: true, CSRF: "tok-123", Error: "x.exe 不是照片"}
	cl.Conflict = "其他审核人员已处理了这份检查表。"
	return map[string]templ.Component{
		"hazard-school":      HazardView(sampleHazardPage(model.SchoolRep)),
		"hazard-inspector":   HazardView(sampleHazardPage(model.Inspector)),
		"hazard-form":        HazardFormView(HazardFormPage{Base: sampleBase(model.Inspector, "hazards"), School: sampleSchool("1501020001", "x"), Values: map[string]string{"severity": "high"}, Errors: model.FieldErrors{{Field: "description", Message: "请填写隐患描述。"}}}),
		"hazards-filtered":   HazardsView(HazardsPage{Base: sampleBase(model.Inspector, "hazards"), Rows: sampleHazardsPage().Rows, Total: 120, PageSize: 50, Filter: HazardFilter{State: "all", Overdue: true, Measure: model.MeasureOther, Page: 2}, Query: HazardQuery(HazardFilter{State: "all", Overdue: true})}),
		"inspection-form":    InspectionFormView(sampleInspectionFormPage()),
		"inspection":         InspectionView(sampleInspectionPage()),
		"due":                DueView(sampleDuePage()),
		"due-empty":          DueView(DuePage{Base: sampleBase(model.Leader, "due"), Division: region, SoonDays: 30, Filter: DueFilter{Kind: "soon"}}),
		"review-confirm":     ReviewConfirmView(sampleReviewConfirmPage()),
		"review-confirm-0":   ReviewConfirmView(ReviewConfirmPage{Base: sampleBase(model.Inspector, "review"), Back: "/review"}),
		"rules":              RulesView(sampleRulesPage()),
		"audit":              AuditView(sampleAuditPage()),
		"checklist-evidence": ChecklistView(cl),
	}
}

var (
	untranslatedMine = regexp.MustCompile(`(?:^|[\s>"])((?:hazard|hazards|inspection|finding|evidence|due|rules|audit|review|flash|nav|admin|form|error)\.[a-z0-9_]+(?:\.[a-z0-9_]+)?)(?:$|[\s<"])`)
	multipartForm    = regexp.MustCompile(`(?is)<form\b[^>]*>`)
)

// The inspectors' pages obey the same rules as every page: no inline
// style, script or handler, a CSRF token in every POST form, no message id
// left untranslated, in both languages; upload forms are multipart.
func TestInspectorPagesAreSafeAndTranslated(t *testing.T) {
	b := newBundle(t)
	for _, lang := range i18n.Languages {
		for name, c := range inspectPages() {
			html := render(t, b, lang, c)
			if m := styleAttr.FindString(html); m != "" {
				t.Errorf("%s/%s: inline style attribute %q", lang, name, m)
			}
			if m := eventAttr.FindString(html); m != "" {
				t.Errorf("%s/%s: inline event handler %q", lang, name, m)
			}
			for _, tag := range scriptTag.FindAllString(html, -1) {
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s/%s: inline script %q", lang, name, tag)
				}
			}
			for _, form := range postForm.FindAllString(html, -1) {
				if !strings.Contains(form, `<input type="hidden" name="_csrf" value="tok-123">`) {
					t.Errorf("%s/%s: POST form without _csrf: %.160s", lang, name, form)
				}
				if strings.Contains(form, `type="file"`) && !strings.Contains(multipartForm.FindString(form), `enctype="multipart/form-data"`) {
					t.Errorf("%s/%s: upload form is not multipart: %.160s", lang, name, form)
				}
			}
			for _, re := range []*regexp.Regexp{untranslated, untranslatedMine} {
				if m := re.FindStringSubmatch(html); m != nil {
					t.Errorf("%s/%s: untranslated message id %q", lang, name, m[1])
				}
			}
			if !strings.Contains(html, `<html lang="`+lang+`">`) {
				t.Errorf("%s/%s: no html lang", lang, name)
			}
		}
	}
}

func TestInspectorPagesShowWhatMatters(t *testing.T) {
	b := newBundle(t)
	tests := []struct {
		name    string
		c       templ.Component
		want    []string
		notWant []string
	}{
		{"school answers", HazardView(sampleHazardPage(model.SchoolRep)),
			[]string{`data-testid="answer-form"`, `enctype="multipart/form-data"`, `data-testid="field-error-answer"`, `data-testid="field-error-files"`,
				`data-testid="overdue-alert"`, `<img src="/evidence/21/thumb" width="160" height="120"`, `<img src="/evidence/23/thumb" width="80" height="160"`, "维修单.pdf"},
			[]string{`data-testid="hazard-review"`, `data-testid="conflict"`}},
		{"inspector reviews", HazardView(sampleHazardPage(model.Inspector)),
			[]string{`data-testid="hazard-review"`, `name="from" value="answered"`, `data-testid="send-back"`, `data-testid="conflict"`, `data-testid="event-send_back"`},
			[]string{`data-testid="answer-form"`}},
		{"inspection form", InspectionFormView(sampleInspectionFormPage()),
			[]string{`name="video_networking.result" value="problem" checked`, `name="other.note"`, `data-testid="field-error-video_networking.note"`, `name="video_networking.raise" value="1" checked`}, nil},
		{"due", DueView(sampleDuePage()),
			[]string{`href="/divisions/150100/due.csv"`, `data-testid="due-row-1501020002"`, "已过期 10 天", "20 天后到期", "从未检查"}, nil},
		{"confirm", ReviewConfirmView(sampleReviewConfirmPage()),
			[]string{`name="id" value="11"`, `name="id" value="12"`, `data-testid="conflict"`, `action="/review/verify"`, "核验 2 份检查表"}, nil},
		{"audit escapes values", AuditView(sampleAuditPage()),
			[]string{"&lt;b&gt;现场核实&lt;/b&gt;", "frobnicate", `href="/hazards/3"`}, []string{"<b>现场核实"}},
		{"rules", RulesView(sampleRulesPage()),
			[]string{`data-testid="cancel-rules"`, `name="validity_days"`, `value="0"`, `data-testid="field-error-effective_from"`}, nil},
	}
	for _, tt := range tests {
		html := render(t, b, "zh-CN", tt.c)
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: %q missing", tt.name, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(html, w) {
				t.Errorf("%s: %q present", tt.name, w)
			}
		}
	}
}
