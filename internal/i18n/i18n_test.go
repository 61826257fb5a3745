package i18n

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"safecampus/internal/model"
)

// catalogKeys reads a catalog's raw keys; every value must be a string (the
// catalogs are flat, so go-i18n never mistakes a table for a plural form).
func catalogKeys(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := locales.ReadFile(catalogPath(lang))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	keys := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: %q is %T, want a string (keep keys flat and quoted)", lang, k, v)
			continue
		}
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s: %q is empty", lang, k)
		}
		keys[k] = s
	}
	return keys
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	zh, en := catalogKeys(t, Chinese), catalogKeys(t, English)
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in zh-CN but not in en", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%q is in en but not in zh-CN", k)
		}
	}
}

// reasonCodes reads every Reason* constant from the model's source, so a
// new reason code without a translation fails here.
func reasonCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "model", "reason.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Reason") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				code, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, code)
			}
		}
	}
	if len(codes) < 20 {
		t.Fatalf("found only %d reason codes in model/reason.go", len(codes))
	}
	return codes
}

func TestEveryDomainValueHasAKey(t *testing.T) {
	var want []string
	for _, c := range reasonCodes(t) {
		want = append(want, "reason."+c)
	}
	for _, m := range model.Measures {
		want = append(want, "measure."+string(m), "rule."+string(m))
	}
	want = append(want, "measure."+string(model.MeasureOther), "measure.all_five")
	for _, st := range model.SchoolTypes {
		want = append(want, "type."+string(st.Type))
	}
	for _, r := range model.Roles {
		want = append(want, "role."+string(r))
	}
	for _, s := range []model.ChecklistState{model.Draft, model.Submitted, model.Verified, model.Returned} {
		want = append(want, "state."+string(s))
	}
	for _, s := range []model.HazardState{model.HazardOpen, model.HazardAnswered, model.HazardClosed} {
		want = append(want, "hazard_state."+string(s))
	}
	for _, s := range model.Severities {
		want = append(want, "severity."+string(s))
	}
	for _, l := range []model.Level{model.LevelProvince, model.LevelPrefecture, model.LevelCounty} {
		want = append(want, "level."+string(l))
	}
	for _, b := range model.Bases {
		want = append(want, "basis."+string(b))
	}
	for _, f := range model.FactTable {
		want = append(want, "fact."+f.Key)
		for _, c := range f.Choices {
			want = append(want, f.ChoiceLabel(c))
		}
	}
	for _, o := range []model.Ownership{model.Public, model.Private} {
		want = append(want, "ownership."+string(o))
	}
	for _, lang := range Languages {
		keys := catalogKeys(t, lang)
		for _, k := range want {
			if _, ok := keys[k]; !ok {
				t.Errorf("%s: no message %q", lang, k)
			}
		}
	}
}

// literalKey matches T(ctx, "key"), i18n.T(ctx, "key", …) and
// i18n.T(c.Request().Context(), "key") where the key is the whole argument
// (not a prefix joined to a variable).
var literalKey = regexp.MustCompile(`\bT\((?:ctx|[A-Za-z_.]+\(\)(?:\.[A-Za-z]+\(\))*),\s*"([^"]+)"\s*[,)]`)

// TestUsedKeysExist checks every literal message id in the pages
// (web/*.templ, web/*.go) and in the handlers (internal/server/*.go).
func TestUsedKeysExist(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../web/*.templ", "../../web/*.go", "../server/*.go"} {
		m, err := filepath.Glob(filepath.FromSlash(pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_templ.go") && !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	used := map[string][]string{}
	templKeys := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literalKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = append(used[m[1]], filepath.Base(f))
			if strings.HasSuffix(f, ".templ") {
				templKeys++
			}
		}
	}
	if templKeys < 50 {
		t.Fatalf("found only %d keys in web/*.templ; is the pattern right?", templKeys)
	}
	for _, lang := range Languages {
		keys := catalogKeys(t, lang)
		var missing []string
		for k, where := range used {
			if _, ok := keys[k]; !ok {
				missing = append(missing, k+" (in "+strings.Join(where, ", ")+")")
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s: no message %s", lang, m)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		langs []string
		want  string
	}{
		{[]string{"en-US,en;q=0.9"}, English},
		{[]string{"zh-CN,zh;q=0.9"}, Chinese},
		{[]string{""}, Chinese},
		{nil, Chinese},
		{[]string{"", "", "en"}, English},
		{[]string{"en", "zh-CN"}, English},                 // the user's setting wins over the header
		{[]string{"", "zh-CN", "en-US,en;q=0.9"}, Chinese}, // then the cookie
		{[]string{"fr-FR,fr;q=0.9,en;q=0.5"}, English},
		{[]string{"de-DE"}, Chinese},
		{[]string{"zh-TW,zh;q=0.9"}, Chinese},
		{[]string{"en;q=0.5,zh-CN;q=0.9"}, Chinese},
		{[]string{"not a language header!!"}, Chinese},
	}
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := b.Localizer(tt.langs...).Lang(); got != tt.want {
			t.Errorf("Localizer(%q).Lang() = %q, want %q", tt.langs, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	zh := WithLocalizer(context.Background(), b.Localizer("zh-CN"))
	en := WithLocalizer(context.Background(), b.Localizer("en"))
	guards := model.Reason{Code: model.ReasonGuardsShort, Args: map[string]any{"Guards": 2, "Required": 3, "Students": 1240}}
	tests := []struct {
		name, got, want string
	}{
		{"zh measure", Measure(zh, model.NursingPost), "护学岗"},
		{"en measure", Measure(en, model.NursingPost), "Escort post"},
		{"zh reason", Reason(zh, guards), "2 名保安，1240 名学生需 3 名"},
		{"en reason", Reason(en, guards), "2 guards, 3 required for 1240 students"},
		{"en reason of the localizer", b.Localizer("en").Reason(guards), "2 guards, 3 required for 1240 students"},
		{"en reasons", b.Localizer("en").Reasons([]model.Reason{{Code: model.ReasonNoCameras}, guards}), "no cameras; 2 guards, 3 required for 1240 students"},
		{"zh reasons", Reasons(zh, []model.Reason{{Code: model.ReasonNoCameras}, {Code: model.ReasonGateNotCovered}}), "无监控摄像头；监控未覆盖校门"},
		{"missing id", T(zh, "no.such.key"), "no.such.key"},
		{"no localizer is zh-CN", T(context.Background(), "measure.security_guards"), "专职保安员"},
		{"no localizer lang", Lang(context.Background()), "zh-CN"},
		{"en lang", Lang(en), "en"},
		{"en plural one", T(en, "coverage.schools", map[string]any{"Count": 1}), "1 school"},
		{"en plural many", T(en, "coverage.schools", map[string]any{"Count": 12}), "12 schools"},
		{"school type", SchoolType(zh, model.NineYear), "九年一贯制学校"},
		{"role", Role(en, model.Inspector), "Police inspector"},
		{"state", State(zh, model.Returned), "已退回"},
		{"division en", DivisionName(en, model.Division{Name: "新城区", NameEn: "Xincheng"}), "Xincheng"},
		{"division en fallback", DivisionName(en, model.Division{Name: "新城区"}), "新城区"},
		{"division zh", DivisionName(zh, model.Division{Name: "新城区", NameEn: "Xincheng"}), "新城区"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// Every reason reads as a whole sentence in both languages: its arguments
// all filled, none left as a template.
func TestReasonsFilled(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"Guards": 2, "Required": 3, "Students": 1240, "Licensed": 1, "Days": 120, "Limit": 90, "Min": 30,
		"CheckedOn": "2025-01-02", "ExpiresOn": "2025-07-01", "Hazard": int64(7), "DayStudents": 800, "Boarders": 400}
	for _, code := range reasonCodes(t) {
		r := model.Reason{Code: code, Args: args}
		for _, lang := range Languages {
			got := b.Localizer(lang).Reason(r)
			if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") || got == "reason."+code {
				t.Errorf("reason %s in %s: %q", code, lang, got)
			}
		}
	}
}
