package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

func TestTrendChartsAndTable(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", DivisionView(sampleDivisionPage()))
	trend := testidElement(t, html, "trend")
	for _, m := range trendMeasures {
		chart := testidElement(t, trend, "chart-"+string(m))
		for _, w := range []string{`role="img"`, `aria-labelledby="chart-t-` + string(m) + ` chart-d-` + string(m) + `"`, "<title id=", "<desc id=", `class="line-verified"`, `class="line-reported"`} {
			if !strings.Contains(chart, w) {
				t.Errorf("chart %s: %q missing", m, w)
			}
		}
		// The first two months had no schools: the line starts at the third.
		if got := strings.Count(chart, `<circle`); got != 10 {
			t.Errorf("chart %s: %d points, want 10", m, got)
		}
	}
	// 100% is a solid point; 99.9% is not.
	if c := testidElement(t, trend, "chart-nursing_post"); !strings.Contains(c, `class="dot dot-full"`) || !strings.Contains(c, "100.0%") {
		t.Errorf("nursing_post reaches 100%%: %s", c)
	}
	if c := testidElement(t, trend, "chart-closed_management"); strings.Contains(c, "dot-full") || !strings.Contains(c, "99.9%") {
		t.Errorf("closed_management at 99.9%% must not look full")
	}
	if c := testidElement(t, trend, "chart-closed_management"); !strings.Contains(c, "从 2025-07-31 的 95.0% 到 2025-05-20 的 99.9%") &&
		!strings.Contains(c, "的 95.0%") {
		t.Errorf("closed_management text alternative: %s", c)
	}
	// The table has a row per point, linking to the page as of that day.
	table := testidElement(t, trend, "trend-table")
	rows := regexp.MustCompile(`data-testid="trend-(\d{4}-\d{2}-\d{2})"`).FindAllStringSubmatch(table, -1)
	if len(rows) != 12 || rows[11][1] != today.String() {
		t.Fatalf("trend table rows %v", rows)
	}
	first := testidElement(t, table, "trend-"+rows[0][1])
	if strings.Contains(first, "%") || !strings.Contains(first, "—") {
		t.Errorf("a month without schools shows —: %s", first)
	}
	if !strings.Contains(first, `href="/divisions/150100?as_of=`+rows[0][1]+`"`) {
		t.Errorf("month rows link to the page as of that day: %s", first)
	}
	if last := testidElement(t, table, "trend-"+today.String()); !strings.Contains(last, `href="/divisions/150100"`) {
		t.Errorf("today's row links to the live page: %s", last)
	}
	// English month labels.
	en := render(t, b, "en", DivisionView(sampleDivisionPage()))
	if !strings.Contains(en, ">May</text>") || !strings.Contains(en, "Trend over 12 months") {
		t.Error("English chart labels missing")
	}
}

func TestTrendWithoutHistory(t *testing.T) {
	b := newBundle(t)
	p := DivisionPage{Base: sampleBase(model.Admin, "dashboard"), AsOf: today, Trend: Trend{Points: []TrendPoint{{Day: today}}}}
	html := render(t, b, "en", DivisionView(p))
	chart := testidElement(t, html, "chart-all_five")
	if strings.Contains(chart, "<polyline") || strings.Contains(chart, "<circle") || !strings.Contains(chart, "No schools in this period.") {
		t.Errorf("chart without schools: %s", chart)
	}
}

func TestHistoricalDivisionPage(t *testing.T) {
	b := newBundle(t)
	p := samplePastDivisionPage()
	html := render(t, b, "zh-CN", DivisionView(p))
	notice := testidElement(t, html, "history-notice")
	if !strings.Contains(notice, "截至 "+p.AsOf.String()+" 日终") || !strings.Contains(notice, `href="/divisions/150100?dir=desc&amp;sort=security_guards"`) {
		t.Errorf("history notice: %s", notice)
	}
	form := testidElement(t, html, "as-of-form")
	for _, w := range []string{`name="as_of" value="` + p.AsOf.String() + `"`, `max="` + today.String() + `"`, `name="sort" value="security_guards"`, `name="dir" value="desc"`} {
		if !strings.Contains(form, w) {
			t.Errorf("as-of form: %q missing from %s", w, form)
		}
	}
	// Past figures do not link to today's gap list.
	if strings.Contains(html, `data-testid="tile-gaps-`) {
		t.Error("a past page links its tiles to today's gaps")
	}
	if h := testidElement(t, html, "sort-security_guards"); !strings.Contains(h, `aria-sort="descending"`) || !strings.Contains(h, "▼") {
		t.Errorf("sorted header: %s", h)
	}
	if el := testidElement(t, html, "export-coverage-xlsx"); !strings.Contains(el, "as_of="+p.AsOf.String()) || !strings.Contains(el, "sort=security_guards") {
		t.Errorf("export keeps day and order: %s", el)
	}
	// Printed, the report says what, where, when and by whom.
	head := testidElement(t, html, "report-head")
	for _, w := range []string{"覆盖率报告", "内蒙古自治区 › 呼和浩特市", "截至 " + p.AsOf.String(), "zhang.wei 打印于 " + today.String()} {
		if !strings.Contains(head, w) {
			t.Errorf("report head: %q missing from %s", w, head)
		}
	}
	// Today's page: no notice, tiles link to the gaps of their measure.
	live := render(t, b, "zh-CN", DivisionView(sampleDivisionPage()))
	if strings.Contains(live, `data-testid="history-notice"`) {
		t.Error("today's page shows the history notice")
	}
	if tile := testidElement(t, live, "tile-gaps-security_guards"); !strings.Contains(tile, `href="/divisions/150100/gaps#gaps-security_guards"`) || !strings.Contains(tile, "126 所未达标") {
		t.Errorf("guards tile link: %s", tile)
	}
	if strings.Contains(live, `data-testid="tile-gaps-nursing_post"`) {
		t.Error("a tile at 100% links to gaps")
	}
}

func TestGapsView(t *testing.T) {
	b := newBundle(t)
	html := render(t, b, "zh-CN", GapsView(sampleGapsPage()))
	for id, want := range map[string][]string{
		"gap-count-no_check":                    {">12<", `href="/divisions/150100/gaps?kind=no_check"`},
		"gap-count-security_guards-rule_failed": {">31<", `href="/divisions/150100/gaps?kind=rule_failed&amp;measure=security_guards"`},
		"gap-count-security_guards-total":       {">44<"},
		"gap-count-nursing_post-hazard_open":    {">0<"},
		"gap-no_check":                          {"无有效检查表", `href="/schools/1501020002"`, "已提交，等待公安检查员核验", "无有效检查记录", `href="/divisions/150100/gaps?kind=no_check"`, "查看全部 12 所学校", "schools.csv?gap=no_check"},
		"gap-check_expired":                     {"检查表已过期", "已于"},
		"gap-security_guards-rule_failed":       {"专职保安员：未达标准", "2 名保安，1240 名学生需 3 名", "schools.xlsx?gap=rule_failed&amp;uncovered=security_guards"},
		"gap-video_networking-hazard_open":      {"存在未整改隐患 #3"},
		"gaps-security_guards":                  {"44 所未达标", "其中 13 所没有有效检查表"},
	} {
		el := testidElement(t, html, id)
		for _, w := range want {
			if !strings.Contains(el, w) {
				t.Errorf("%s: %q missing from %s", id, w, el)
			}
		}
	}
	// A measure uncovered only where checklists are missing says so, with
	// no groups of its own.
	if el := testidElement(t, html, "gaps-nursing_post"); !strings.Contains(el, "13 所未达标") || strings.Contains(el, "gap-school-") {
		t.Errorf("nursing_post section: %s", el)
	}
	one := render(t, b, "en", GapsView(sampleGapsGroupPage()))
	for _, w := range []string{"Full-time guards: Rule not met", `data-testid="gaps-overview"`, `data-testid="pagination"`} {
		if !strings.Contains(one, w) {
			t.Errorf("one group: %q missing", w)
		}
	}
	if strings.Contains(one, `data-testid="gap-no_check"`) {
		t.Error("one group's page shows other groups")
	}
	none := render(t, b, "en", GapsView(GapsPage{Base: sampleBase(model.Leader, "dashboard"), Division: xincheng}))
	if !strings.Contains(none, "Every open school is covered on all five measures.") {
		t.Error("no gaps: message missing")
	}
}

// Keys built from values (gap kinds, months) exist in both languages.
func TestComputedKeysExist(t *testing.T) {
	b := newBundle(t)
	for _, lang := range i18n.Languages {
		l := b.Localizer(lang)
		var keys []string
		for _, k := range model.GapKinds {
			keys = append(keys, "gap."+string(k))
		}
		for m := 1; m <= 12; m++ {
			keys = append(keys, "month."+itoa(m))
		}
		for _, k := range keys {
			if l.T(k) == k {
				t.Errorf("%s: no message %s", lang, k)
			}
		}
	}
}

func TestSortLinks(t *testing.T) {
	q := url.Values{"basis": {"reported"}, "page": {"2"}, "sort": {"nursing_post"}}
	tests := []struct {
		cur  GridSort
		key  string
		want string
	}{
		{GridSort{}, "nursing_post", "/divisions/150100?basis=reported&page=2&sort=nursing_post#children"},
		{GridSort{Key: "nursing_post"}, "nursing_post", "/divisions/150100?basis=reported&dir=desc&page=2&sort=nursing_post#children"},
		{GridSort{Key: "nursing_post", Desc: true}, "nursing_post", "/divisions/150100?basis=reported&page=2&sort=nursing_post#children"},
		{GridSort{Key: "nursing_post", Desc: true}, "name", "/divisions/150100?basis=reported&page=2&sort=name#children"},
	}
	for _, tt := range tests {
		if got := sortURL("/divisions/150100", q, tt.cur, tt.key); got != tt.want {
			t.Errorf("sortURL(%+v, %s) = %s, want %s", tt.cur, tt.key, got, tt.want)
		}
	}
	for _, k := range []string{"", "name", "schools", "all_five", "video_networking"} {
		if !ValidSortKey(k) {
			t.Errorf("%q should be a sort key", k)
		}
	}
	for _, k := range []string{"code", "other", "SCHOOLS"} {
		if ValidSortKey(k) {
			t.Errorf("%q should not be a sort key", k)
		}
	}
}

// testidElement returns the element carrying data-testid=id, start tag to
// matching end tag.
func testidElement(t *testing.T, html, id string) string {
	t.Helper()
	i := strings.Index(html, `data-testid="`+id+`"`)
	if i < 0 {
		t.Fatalf("no data-testid=%q", id)
	}
	start := strings.LastIndex(html[:i], "<")
	tag := regexp.MustCompile(`^<([a-zA-Z0-9]+)`).FindStringSubmatch(html[start:])[1]
	open, closing := regexp.MustCompile(`<`+tag+`[\s>]`), "</"+tag+">"
	depth, pos := 0, start
	for {
		o := open.FindStringIndex(html[pos:])
		c := strings.Index(html[pos:], closing)
		if c < 0 {
			return html[start:]
		}
		if o != nil && o[0] < c {
			depth++
			pos += o[1]
			continue
		}
		depth--
		pos += c + len(closing)
		if depth == 0 {
			return html[start:pos]
		}
	}
}
