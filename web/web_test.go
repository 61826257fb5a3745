package web

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

func newBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func render(t *testing.T, b *i18n.Bundle, lang string, c templ.Component) string {
	t.Helper()
	ctx := i18n.WithLocalizer(context.Background(), b.Localizer(lang))
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var (
	styleAttr    = regexp.MustCompile(`(?i)\sstyle\s*=`)
	scriptTag    = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	eventAttr    = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	postForm     = regexp.MustCompile(`(?is)<form\b[^>]*method="post"[^>]*>.*?</form>`)
	untranslated = regexp.MustCompile(`(?:^|[\s>"])((?:app|nav|measure|rule|fact|anti_ramming|reason|type|ownership|role|state|hazard_state|severity|level|division|basis|status|coverage|grid|export|schools|filter|page|school|hazards|checklist|preview|review|form|login|error|admin|import|users|user|trend|history|gaps|gap|month|report)\.[a-z0-9_]+(?:\.[a-z0-9_]+)?)(?:$|[\s<"])`)
)

// Every page obeys the Content-Security-Policy (no inline style, script or
// handler), carries the CSRF token in every POST form, and shows no
// untranslated message id, in both languages.
func TestPagesAreSafeAndTranslated(t *testing.T) {
	b := newBundle(t)
	for _, lang := range i18n.Languages {
		for name, c := range SamplePages() {
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
					t.Errorf("%s/%s: POST form without _csrf: %.120s", lang, name, form)
				}
			}
			if m := untranslated.FindStringSubmatch(html); m != nil {
				t.Errorf("%s/%s: untranslated message id %q", lang, name, m[1])
			}
			if !strings.Contains(html, `<html lang="`+lang+`">`) {
				t.Errorf("%s/%s: no html lang", lang, name)
			}
			if !strings.Contains(html, `name="htmx-config" content="{&#34;includeIndicatorStyles&#34;:false}"`) &&
				!strings.Contains(html, `name="htmx-config" content='{"includeIndicatorStyles":false}'`) {
				t.Errorf("%s/%s: no htmx-config meta", lang, name)
			}
		}
	}
}

func TestPercentCell(t *testing.T) {
	b := newBundle(t)
	tests := []struct {
		name           string
		covered, total int
		want, notWant  []string
	}{
		{"full", 1000, 1000, []string{`class="pct pct-full"`, "100.0%", "✓", "1000/1000"}, nil},
		{"almost", 999, 1000, []string{`class="pct pct-high"`, "99.9%", "999/1000"}, []string{"pct-full", "✓", "100.0%"}},
		{"low", 1, 3, []string{"pct-low", "33.3%"}, []string{"pct-full", "✓"}},
		{"no schools", 0, 0, []string{"pct-none", "—"}, []string{"0.0%", "100", "✓", "<svg"}},
	}
	for _, tt := range tests {
		html := render(t, b, "zh-CN", PercentCell(model.PercentOf(tt.covered, tt.total), tt.covered, tt.total))
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: %q missing from %s", tt.name, w, html)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(html, w) {
				t.Errorf("%s: %q should not be in %s", tt.name, w, html)
			}
		}
	}
}

// testidBlock returns the element with data-testid=id up to its next
// sibling marker, enough to check what it says.
func testidBlock(t *testing.T, html, id string, n int) string {
	t.Helper()
	i := strings.Index(html, `data-testid="`+id+`"`)
	if i < 0 {
		t.Fatalf("no data-testid=%q", id)
	}
	return html[i:min(len(html), i+n)]
}

func TestDivisionView(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", DivisionView(sampleDivisionPage()))
	for _, w := range []string{
		"呼和浩特市", `href="/divisions/150000"`, "截至 2025-05-20",
		`data-testid="tile-nursing_post"`, `data-testid="tile-all_five"`,
		`data-testid="child-150102"`, `href="/divisions/150102"`, `data-testid="child-150104"`,
		`data-testid="school-row-1501020001"`, `href="/schools/1501020001"`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		`href="/divisions/150100/schools.csv?type=primary&amp;uncovered=security_guards"`,
		`href="/divisions/150100/coverage.xlsx"`,
		`href="/divisions/150100?page=3&amp;type=primary&amp;uncovered=security_guards"`,
		"2 名保安，1240 名学生需 3 名", "存在未整改隐患 #3", "无有效检查记录", "学校已停办",
		`<option value="security_guards" selected>`, `<option value="primary" selected>`,
	} {
		if !strings.Contains(html, w) {
			t.Errorf("division page: %q missing", w)
		}
	}
	if strings.Contains(html, "<script>alert(1)") {
		t.Error("school name not escaped")
	}
	// 100.0% tile looks full; 99.9% does not.
	if tile := testidBlock(t, html, "tile-nursing_post", 300); !strings.Contains(html, `class="tile pct-full" data-testid="tile-nursing_post"`) || !strings.Contains(tile, "100.0%") {
		t.Errorf("nursing_post tile is not full: %s", tile)
	}
	if !strings.Contains(html, `class="tile pct-high" data-testid="tile-closed_management"`) {
		t.Error("99.9% tile must not look full")
	}
	// A child without schools shows "—", not 0% or 100%.
	row := testidBlock(t, html, "child-150104", 2000)
	row = row[:strings.Index(row, "</tr>")]
	if strings.Contains(row, "%") || !strings.Contains(row, "—") {
		t.Errorf("empty child row: %s", row)
	}

	empty := render(t, b, "zh-CN", DivisionView(DivisionPage{Base: sampleBase(model.Admin, "dashboard"), AsOf: today}))
	for _, m := range append(model.Measures[:], model.AllFive) {
		tile := testidBlock(t, empty, "tile-"+string(m), 400)
		if !strings.Contains(tile, "—") || strings.Contains(tile, "%") {
			t.Errorf("empty division tile %s: %s", m, tile)
		}
	}
	if !strings.Contains(empty, "全国") {
		t.Error("the national root is called 全国")
	}
}

func TestEnglish(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "en", DivisionView(sampleDivisionPage()))
	for _, w := range []string{`<html lang="en">`, "Hohhot", "Escort post", "2 guards, 3 required for 1240 students", "1000 schools", `aria-pressed="true" class="active">English`} {
		if !strings.Contains(html, w) {
			t.Errorf("english page: %q missing", w)
		}
	}
}

func TestBaseLangWins(t *testing.T) {
	b := newBundle(t)
	base := sampleBase(model.Leader, "")
	base.Lang = "en"
	if html := render(t, b, "en", ErrorView(ErrorPage{Base: base, Status: 404})); !strings.Contains(html, `<html lang="en">`) {
		t.Error("html lang does not follow Base.Lang")
	}
}

func TestNavByRole(t *testing.T) {
	b := newBundle(t)
	tests := []struct {
		role    model.Role
		want    []string
		notWant []string
	}{
		{model.Admin, []string{"nav-dashboard", "nav-review", "nav-hazards", "nav-admin"}, nil},
		{model.Inspector, []string{"nav-dashboard", "nav-review", "nav-hazards"}, []string{"nav-admin"}},
		{model.Leader, []string{"nav-dashboard"}, []string{"nav-review", "nav-hazards", "nav-admin"}},
		{model.SchoolRep, []string{"nav-dashboard", "本校"}, []string{"nav-review", "nav-hazards", "nav-admin"}},
	}
	for _, tt := range tests {
		html := render(t, b, "zh-CN", ErrorView(ErrorPage{Base: sampleBase(tt.role, "dashboard"), Status: 404}))
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: %q missing", tt.role, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(html, w) {
				t.Errorf("%s: %q present", tt.role, w)
			}
		}
	}
	login := render(t, b, "zh-CN", LoginView(sampleLoginPage()))
	for _, w := range []string{`name="next" value="/schools/1501020001"`, `data-testid="demo-logins"`, "demo-leader-1", "领导"} {
		if !strings.Contains(login, w) {
			t.Errorf("login page: %q missing", w)
		}
	}
	if strings.Contains(login, "main-nav") || !strings.Contains(login, `action="/settings/language"`) || !strings.Contains(login, `name="next" value="/login"`) {
		t.Error("login page: no nav, but a language switch")
	}
}

func TestChecklistForm(t *testing.T) {
	b := newBundle(t)
	p := sampleChecklistFormPage()
	html := render(t, b, "zh-CN", ChecklistFormView(p))
	for _, w := range []string{
		`action="/checklists/11"`, `hx-post="/schools/1501020001/checklists/preview"`, `hx-trigger="change"`, `hx-target="#preview"`,
		`name="action" value="draft"`, `name="action" value="submit"`,
		`name="nursing_post.set_up" value="yes" checked`,
		`name="security_guards.licensed_guards" value="3x"`,
		`data-testid="field-error-security_guards.licensed_guards"`,
		`data-testid="field-error-nursing_post.roster_on_file"`,
		"the checklist is incomplete",
		`<option value="bollards" selected>`,
		`type="date" id="f-one_button_alarm.last_test_on" name="one_button_alarm.last_test_on" value="2025-04-20"`,
		`inputmode="numeric"`, `max="2025-05-20"`,
		`data-testid="return-reason"`, "保安人数不足",
		`id="preview"`, `id="preview-m-security_guards"`, "2 名保安，1240 名学生需 3 名",
	} {
		if !strings.Contains(html, w) {
			t.Errorf("checklist form: %q missing", w)
		}
	}
	for _, m := range model.Measures {
		if !strings.Contains(html, `data-testid="fieldset-`+string(m)+`"`) {
			t.Errorf("no fieldset for %s", m)
		}
	}
	// The unanswered roster question has neither radio checked.
	if strings.Contains(html, `name="nursing_post.roster_on_file" value="yes" checked`) || strings.Contains(html, `name="nursing_post.roster_on_file" value="no" checked`) {
		t.Error("unanswered question rendered as answered")
	}

	// The htmx fragment swaps the summary and each measure's verdict.
	frag := render(t, b, "zh-CN", ChecklistPreview(p.Preview))
	if strings.Contains(frag, "<html") || strings.Contains(frag, `id="preview"`) {
		t.Error("the fragment is not a fragment")
	}
	for _, m := range model.Measures {
		if !strings.Contains(frag, `id="preview-m-`+string(m)+`" class="measure-preview" hx-swap-oob="true"`) {
			t.Errorf("fragment: no out-of-band verdict for %s", m)
		}
		if !strings.Contains(html, `id="preview-m-`+string(m)+`" class="measure-preview">`) {
			t.Errorf("page: no verdict slot for %s", m)
		}
	}
	if !strings.Contains(frag, "5 项中 4 项符合") {
		t.Errorf("fragment summary: %s", frag)
	}
}

func TestChecklistView(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", ChecklistView(sampleChecklistPage()))
	for _, w := range []string{
		`action="/checklists/11/verify"`, `action="/checklists/11/return"`, `name="reason"`,
		`data-testid="field-error-reason"`, `data-testid="result-security_guards"`, "防冲撞桩", "2025-11-14",
	} {
		if !strings.Contains(html, w) {
			t.Errorf("checklist page: %q missing", w)
		}
	}
	p := sampleChecklistPage()
	p.Checklist.State = model.Verified
	if html := render(t, b, "zh-CN", ChecklistView(p)); strings.Contains(html, "/verify") {
		t.Error("a verified checklist offers review again")
	}
}

func TestSchoolView(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", SchoolView(sampleSchoolPage()))
	for _, w := range []string{
		`href="/schools/1501020001/checklists/new"`, `href="/admin/schools/1501020001/edit"`,
		`data-testid="badge-nursing_post"`, `data-testid="overdue"`, "校门口摄像头损坏",
		`href="/checklists/11"`, "保安证照片不清晰", `href="/divisions/150102"`,
	} {
		if !strings.Contains(html, w) {
			t.Errorf("school page: %q missing", w)
		}
	}
}

func TestAdminForms(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", SchoolFormView(sampleSchoolFormPage()))
	for _, w := range []string{
		`action="/admin/schools/1501020001"`, `name="code" value="1501020001" readonly`, `value="1300"`,
		`data-testid="field-error-boarders"`, `<datalist id="counties"><option value="150102">新城区</option>`,
		`action="/admin/schools/1501020001/deactivate"`,
	} {
		if !strings.Contains(html, w) {
			t.Errorf("school form: %q missing", w)
		}
	}
	html = render(t, b, "zh-CN", ImportView(sampleImportPage()))
	for _, w := range []string{`enctype="multipart/form-data"`, `name="file"`, `name="dry_run"`, "line 3: type &#34;大学&#34; is not a school type"} {
		if !strings.Contains(html, w) {
			t.Errorf("import page: %q missing", w)
		}
	}
	html = render(t, b, "zh-CN", UserFormView(sampleUserFormPage()))
	for _, w := range []string{`action="/admin/users"`, `<option value="inspector" selected>`, `data-testid="field-error-scope"`, `name="password"`} {
		if !strings.Contains(html, w) {
			t.Errorf("user form: %q missing", w)
		}
	}
}
