package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// between reports whether needle occurs in body after the first from and
// before the first to that follows it: "beside the field".
func between(body, from, to, needle string) bool {
	i := strings.Index(body, from)
	if i < 0 {
		return false
	}
	rest := body[i:]
	j := strings.Index(rest, to)
	if j < 0 {
		return false
	}
	return strings.Contains(rest[:j], needle)
}

// schoolsListed returns which of the seeded schools a page links to.
func schoolsListed(body string) []string {
	var out []string
	for _, s := range seedSchools {
		if strings.Contains(body, `href="/schools/`+s.Code+`"`) {
			out = append(out, s.Code)
		}
	}
	return out
}

func TestChecklistFormKeepsTypedValuesAndShowsErrors(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userSchool)
	page, action := "/schools/"+schoolA+"/checklists/new", "/schools/"+schoolA+"/checklists"
	count := func() int {
		cls, err := app.store.SchoolChecklists(t.Context(), app.school(t, schoolA).ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(cls)
	}

	t.Run("a value that is not a number", func(t *testing.T) {
		f := goodForm(t, day0)
		f.Set("security_guards.full_time_guards", "abc")
		for _, k := range []string{"video_networking.cameras", "video_networking.retention_days"} {
			f.Del(k)
		}
		r := c.submit(page, action, f)
		wantStatus(t, "POST the form", r, http.StatusUnprocessableEntity)
		if !r.isHTML() {
			t.Fatalf("Content-Type %q, want the HTML form", r.header.Get("Content-Type"))
		}
		if !regexp.MustCompile(`<input[^>]*name="security_guards.full_time_guards"[^>]*value="abc"|<input[^>]*value="abc"[^>]*name="security_guards.full_time_guards"`).MatchString(r.body) {
			t.Errorf(`the form does not keep "abc" in security_guards.full_time_guards:\n%s`, r.body)
		}
		text := r.text()
		const msg = `“abc”不是整数` // the page is in Chinese, the default
		if !strings.Contains(text, msg) {
			t.Fatalf("no error %q in the page:\n%s", msg, r.body)
		}
		if !between(text, `name="security_guards.full_time_guards"`, `name="security_guards.licensed_guards"`, msg) {
			t.Errorf("the error %q is not beside security_guards.full_time_guards", msg)
		}
		// The other values as typed stay in the form.
		for field, v := range map[string]string{"checked_on": day0.String(), "security_guards.licensed_guards": "2", "nursing_post.am_staff": "2"} {
			re := regexp.MustCompile(`<input[^>]*name="` + regexp.QuoteMeta(field) + `"[^>]*value="` + regexp.QuoteMeta(v) + `"`)
			if !re.MatchString(r.body) {
				t.Errorf("the form lost %s=%s", field, v)
			}
		}
	})

	t.Run("facts missing on submit", func(t *testing.T) {
		f := goodForm(t, day0)
		f.Del("video_networking.retention_days")
		f.Del("nursing_post.set_up")
		r := c.submit(page, action, f)
		wantStatus(t, "POST the form", r, http.StatusUnprocessableEntity)
		text := r.text()
		for _, field := range []string{"video_networking.retention_days", "nursing_post.set_up"} {
			if !strings.Contains(r.body, `data-testid="field-error-`+field+`">此项必填。`) {
				t.Errorf("no required-field error beside %s", field)
			}
		}
		if !between(text, `name="video_networking.retention_days"`, `</fieldset>`, "此项必填") {
			t.Errorf("the missing retention_days error is not beside its field")
		}
		if !strings.Contains(r.body, `value="12"`) {
			t.Errorf("the typed cameras value 12 is lost")
		}
	})

	t.Run("a check date in the future", func(t *testing.T) {
		f := goodForm(t, day0)
		f.Set("checked_on", day0.AddDays(1).String())
		r := c.submit(page, action, f)
		wantStatus(t, "POST the form", r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.text(), day0.AddDays(1).String()+" 是未来的日期") {
			t.Errorf("the page does not say the date %s is in the future", day0.AddDays(1))
		}
	})

	t.Run("a form without a date", func(t *testing.T) {
		f := goodForm(t, day0)
		f.Del("checked_on")
		wantStatus(t, "POST the form", c.submit(page, action, f), http.StatusUnprocessableEntity)
	})

	if n := count(); n != 0 {
		t.Fatalf("refused forms saved %d checklists", n)
	}

	t.Run("submitted", func(t *testing.T) {
		r := c.submit(page, action, goodForm(t, day0))
		wantStatus(t, "POST the form", r, http.StatusSeeOther)
		loc := r.header.Get("Location")
		if !regexp.MustCompile(`^/checklists/[0-9]+$`).MatchString(loc) {
			t.Fatalf("Location %q, want /checklists/{id}", loc)
		}
		wantStatus(t, "GET "+loc, c.get(loc), http.StatusOK)
		s := schoolStatus(t, app.api(t, userSchool), schoolA, "basis=reported")
		if !s.AllFive {
			t.Errorf("after submitting good facts, reported all_five = false: %+v", s.Measures)
		}
	})

	t.Run("draft", func(t *testing.T) {
		f := url.Values{"checked_on": {day0.String()}, "action": {"draft"}, "security_guards.full_time_guards": {"3"}}
		r := c.submit(page, action, f)
		wantStatus(t, "POST a partial draft", r, http.StatusSeeOther)
		cls, err := app.store.SchoolChecklists(t.Context(), app.school(t, schoolA).ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(cls) != 1 || cls[0].State != model.Draft || cls[0].Facts.SecurityGuards.FullTimeGuards == nil || *cls[0].Facts.SecurityGuards.FullTimeGuards != 3 {
			t.Errorf("latest checklist %+v, want a draft with 3 guards", cls)
		}
		// The draft is edited and submitted through its own form.
		draft := r.header.Get("Location")
		wantStatus(t, "submit the draft", c.submit(draft+"/edit", draft, goodForm(t, day0)), http.StatusSeeOther)
		if got := app.checklistState(t, cls[0].ID); got != model.Submitted {
			t.Errorf("the draft after submitting is %s, want submitted", got)
		}
	})
}

func TestReviewThroughTheChecklistPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userInspector)
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	page := "/checklists/" + itoa(cl.ID)

	r := c.get("/review")
	wantStatus(t, "GET /review", r, http.StatusOK)
	if !strings.Contains(r.body, `href="`+page+`"`) && !strings.Contains(r.body, page) {
		t.Errorf("the review queue does not link to %s", page)
	}

	r = c.submit(page, page+"/return", url.Values{"reason": {"  "}})
	wantStatus(t, "return without a reason", r, http.StatusUnprocessableEntity)
	if !r.isHTML() || !strings.Contains(r.body, `name="reason"`) {
		t.Errorf("returning without a reason does not show the form again")
	}

	wantStatus(t, "verify", c.submit(page, page+"/verify", nil), http.StatusSeeOther)
	wantStatus(t, "verify twice", c.submit(page, page+"/verify", nil), http.StatusConflict)
	if got := app.checklistState(t, cl.ID); got != model.Verified {
		t.Errorf("state %s, want verified", got)
	}
}

func TestDashboardForEachRole(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, tc := range []struct {
		user      string
		wantName  string   // the division or school shown
		wantLinks []string // schools listed
	}{
		{userAdmin, "内蒙古自治区", []string{schoolA, schoolB, schoolC, schoolD, schoolE}},
		{userLeader, "呼和浩特市", []string{schoolA, schoolB, schoolC, schoolE}},
		{userInspector, "呼和浩特市", []string{schoolA, schoolB, schoolC, schoolE}},
		{userInspector2, "包头市", []string{schoolD}},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := app.signedIn(t, tc.user)
			r := c.get("/")
			wantStatus(t, "GET /", r, http.StatusOK)
			if !strings.Contains(r.body, tc.wantName) {
				t.Errorf("the dashboard does not name %s", tc.wantName)
			}
			if got := schoolsListed(r.body); !equalStrings(got, tc.wantLinks) {
				t.Errorf("schools listed %v, want %v", got, tc.wantLinks)
			}
		})
	}
	t.Run(userSchool, func(t *testing.T) {
		c := app.signedIn(t, userSchool)
		r := c.get("/")
		wantStatus(t, "GET /", r, http.StatusSeeOther)
		if got := r.header.Get("Location"); got != "/schools/"+schoolA {
			t.Fatalf("Location %q, want /schools/%s", got, schoolA)
		}
		r = c.get("/schools/" + schoolA)
		wantStatus(t, "GET the school", r, http.StatusOK)
		if !strings.Contains(r.body, "新城区第一小学") {
			t.Errorf("the school page does not name the school")
		}
		if !strings.Contains(r.body, `/schools/`+schoolA+`/checklists/new`) {
			t.Errorf("the school page has no link to fill in a checklist")
		}
	})
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func TestDivisionSchoolListFilters(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// A verified and covered; B verified but short of guards; C nothing;
	// E submitted (covered on the reported basis only).
	app.verified(t, day0, schoolA, schoolB)
	app.checklist(t, schoolE, day0, goodFacts(day0), true)

	c := app.signedIn(t, userLeader)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{schoolA, schoolB, schoolC, schoolE}},
		{"type=kindergarten", []string{schoolB}},
		{"type=primary", []string{schoolA}},
		{"uncovered=security_guards", []string{schoolB, schoolC, schoolE}},
		{"uncovered=all_five", []string{schoolB, schoolC, schoolE}},
		{"uncovered=nursing_post", []string{schoolC, schoolE}},
		{"uncovered=security_guards&basis=reported", []string{schoolB, schoolC}},
		{"due=1", []string{schoolC}},
		{"type=primary&uncovered=all_five", nil},
		{"q=幼儿园", []string{schoolB}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := c.get("/divisions/" + prefHohhot + "?" + tc.query)
			wantStatus(t, "GET the division", r, http.StatusOK)
			if got := schoolsListed(r.body); !equalStrings(got, tc.want) {
				t.Errorf("schools listed %v, want %v", got, tc.want)
			}
		})
	}
	for _, q := range []string{"type=university", "uncovered=fire_drill", "basis=all", "page=0", "as_of=2026-02-31"} {
		if r := c.get("/divisions/" + prefHohhot + "?" + q); r.status != http.StatusBadRequest {
			t.Errorf("GET the division with %s: status %d, want 400", q, r.status)
		}
	}
}

func TestAdminCreatesASchool(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	before := app.schoolCount(t)
	form := url.Values{"code": {"1501040001"}, "name": {"玉泉区第二小学"}, "type": {"primary"}, "division_code": {countyYQ},
		"address": {"玉泉区大南街1号"}, "students": {"many"}, "boarders": {"0"}, "police_station": {"大南街派出所"}, "ownership": {"public"}}

	r := c.submit("/admin/schools/new", "/admin/schools", form)
	wantStatus(t, "create with a bad students value", r, http.StatusUnprocessableEntity)
	for _, v := range []string{`value="many"`, `value="1501040001"`, `value="玉泉区第二小学"`, `value="大南街派出所"`} {
		if !strings.Contains(r.body, v) {
			t.Errorf("the form lost %s", v)
		}
	}
	if !strings.Contains(r.text(), `“many”不是整数`) {
		t.Errorf("no error for students in the page")
	}

	for _, tc := range []struct {
		field, value, msg string
	}{
		{"division_code", prefHohhot, "不是县级行政区划"},
		{"division_code", unknownDivision, "不存在"},
		{"code", schoolA, "已被其他学校使用"},
		{"boarders", "900", "多于在校生"},
	} {
		f := cloneValues(form)
		f.Set("students", "650")
		f.Set(tc.field, tc.value)
		r := c.submit("/admin/schools/new", "/admin/schools", f)
		wantStatus(t, tc.field+"="+tc.value, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.text(), tc.msg) {
			t.Errorf("%s=%s: the page does not say %q", tc.field, tc.value, tc.msg)
		}
	}
	if n := app.schoolCount(t); n != before {
		t.Fatalf("refused forms created schools: %d, want %d", n, before)
	}

	form.Set("students", "650")
	r = c.submit("/admin/schools/new", "/admin/schools", form)
	wantStatus(t, "create", r, http.StatusSeeOther)
	if got := r.header.Get("Location"); got != "/schools/1501040001" {
		t.Errorf("Location %q, want /schools/1501040001", got)
	}
	s := schoolStatus(t, app.api(t, userAdmin), "1501040001", "")
	if s.Name != "玉泉区第二小学" || s.Students != 650 || s.DivisionCode != countyYQ || s.Type != "primary" || !s.Active {
		t.Errorf("created school %+v", s)
	}

	// Editing keeps the code and changes the rest.
	form.Set("students", "700")
	r = c.submit("/admin/schools/1501040001/edit", "/admin/schools/1501040001", form)
	wantStatus(t, "update", r, http.StatusSeeOther)
	if s := schoolStatus(t, app.api(t, userAdmin), "1501040001", ""); s.Students != 700 {
		t.Errorf("students after update = %d, want 700", s.Students)
	}
}

func TestDeactivatedSchoolLeavesTheDenominator(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	api := app.api(t, userLeader)
	app.checklist(t, schoolA, day0, goodFacts(day0), true)
	schools := func() (int, cov) {
		t.Helper()
		got := coverage(t, api, countyXC, "basis=reported", "reported", day0.String())
		return got.Schools, covOf(t, got)
	}
	if n, got := schools(); n != 2 || got.AllFive != sh(1, "50.0") {
		t.Fatalf("新城区 before: %d schools, all five %+v; want 2 and 1 (50.0)", n, got.AllFive)
	}

	r := c.submit("/admin/schools/"+schoolB+"/edit", "/admin/schools/"+schoolB+"/deactivate", nil)
	wantStatus(t, "deactivate", r, http.StatusSeeOther)
	if n, got := schools(); n != 1 || got.AllFive != sh(1, "100.0") {
		t.Errorf("新城区 without B: %d schools, all five %+v; want 1 and 1 (100.0)", n, got.AllFive)
	}
	if s := schoolStatus(t, api, schoolB, ""); s.Active {
		t.Errorf("B after deactivation: active")
	}
	// Its page still opens, and its checklists can no longer be filled.
	wantStatus(t, "the closed school's page", c.get("/schools/"+schoolB), http.StatusOK)
	wantStatus(t, "a checklist for the closed school", c.get("/schools/"+schoolB+"/checklists/new"), http.StatusForbidden)

	wantStatus(t, "activate", c.submit("/admin/schools/"+schoolB+"/edit", "/admin/schools/"+schoolB+"/activate", nil), http.StatusSeeOther)
	if n, _ := schools(); n != 2 {
		t.Errorf("新城区 after reactivation: %d schools, want 2", n)
	}
}

const importHeader = "code,name,type,division_code,address,students,boarders,police_station,ownership\n"

func TestImportSchools(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	upload := func(name, content string, dryRun bool) response {
		t.Helper()
		form := url.Values{}
		if dryRun {
			form.Set("dry_run", "1")
		}
		return c.upload("/admin/import", "/admin/import", "file", name, []byte(content), form)
	}
	good := "\ufeff" + importHeader +
		"1501040001,玉泉区第一小学,primary,150104,,800,0,,public\n" +
		"1501040002,玉泉区幼儿园,幼儿园,150104,,120,,,公办\n"
	before := app.schoolCount(t)

	for _, tc := range []struct {
		name      string
		csv       string
		wantLines []string // each must be listed
	}{
		{"bad values", importHeader +
			"1501040001,玉泉区第一小学,primary,150104,,800,0,,public\n" +
			"1501040003,玉泉区中学,junior,150104,,lots,0,,public\n" +
			"1501040004,玉泉区大学,university,150104,,100,0,,public\n",
			[]string{`line 3: students "lots"`, `line 4: type "university"`}},
		{"bad divisions", importHeader +
			"1501040001,玉泉区第一小学,primary,150104,,800,0,,public\n" +
			"1501040003,某某小学,primary,159999,,100,0,,public\n" +
			"1501040004,呼市小学,primary,150100,,100,0,,public\n",
			[]string{"line 3: division_code 159999", "line 4: division_code 150100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				r := upload("schools.csv", tc.csv, dry)
				wantStatus(t, "upload", r, http.StatusUnprocessableEntity)
				text := r.text()
				for _, l := range tc.wantLines {
					if !strings.Contains(text, l) {
						t.Errorf("dry run %v: the page does not list %q", dry, l)
					}
				}
				if strings.Contains(text, "line 2:") {
					t.Errorf("dry run %v: the good line 2 is listed as bad", dry)
				}
				if n := app.schoolCount(t); n != before {
					t.Errorf("dry run %v: a refused import wrote schools: %d, want %d", dry, n, before)
				}
			}
		})
	}

	// A dry run writes nothing.
	wantStatus(t, "dry run", upload("schools.csv", good, true), http.StatusOK)
	if n := app.schoolCount(t); n != before {
		t.Fatalf("a dry run wrote schools: %d, want %d", n, before)
	}

	// The real upload creates both.
	r := upload("schools.csv", good, false)
	wantStatus(t, "import", r, http.StatusOK)
	if n := app.schoolCount(t); n != before+2 {
		t.Fatalf("after import: %d schools, want %d", n, before+2)
	}
	api := app.api(t, userAdmin)
	if s := schoolStatus(t, api, "1501040002", ""); s.Name != "玉泉区幼儿园" || s.Type != "kindergarten" || s.Students != 120 || s.DivisionCode != countyYQ {
		t.Errorf("imported school %+v", s)
	}
	if got := coverage(t, api, countyYQ, "", "verified", day0.String()).Schools; got != 2 {
		t.Errorf("玉泉区 after import: %d schools, want 2", got)
	}

	// Importing again updates by code: no new schools.
	again := strings.Replace(good, "玉泉区第一小学,primary,150104,,800", "玉泉区实验小学,primary,150104,,850", 1)
	wantStatus(t, "re-import", upload("schools.csv", again, false), http.StatusOK)
	if n := app.schoolCount(t); n != before+2 {
		t.Errorf("after re-import: %d schools, want %d", n, before+2)
	}
	if s := schoolStatus(t, api, "1501040001", ""); s.Name != "玉泉区实验小学" || s.Students != 850 {
		t.Errorf("re-imported school %+v, want the new name and 850 students", s)
	}
	wantStatus(t, "the same file a third time", upload("schools.csv", again, false), http.StatusOK)
	if n := app.schoolCount(t); n != before+2 {
		t.Errorf("after a third import: %d schools, want %d", n, before+2)
	}
}

// SPEC: "every bad row is reported". The parser checks values, the store
// checks divisions; a file with both kinds of problem must list both.
func TestImportListsBadValuesAndBadDivisionsTogether(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	csv := importHeader +
		"1501040001,玉泉区第一小学,primary,150104,,800,0,,public\n" +
		"1501040003,玉泉区中学,junior,150104,,lots,0,,public\n" +
		"1501040004,某某小学,primary,159999,,100,0,,public\n"
	r := c.upload("/admin/import", "/admin/import", "file", "schools.csv", []byte(csv), nil)
	wantStatus(t, "upload", r, http.StatusUnprocessableEntity)
	for _, l := range []string{`line 3: students "lots"`, "line 4: division_code 159999"} {
		if !strings.Contains(r.text(), l) {
			t.Errorf("the page does not list %q", l)
		}
	}
}

func TestImportRefusesUnreadableFiles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	before := app.schoolCount(t)
	wantStatus(t, "POST /admin/import without a file", c.submit("/admin/import", "/admin/import", nil), http.StatusUnprocessableEntity)
	for _, tc := range []struct {
		name, file, content, say string
	}{
		{"a PDF", "schools.pdf", "%PDF-1.4", ".pdf"},
		{"an XLSX named .csv", "schools.csv", "PK\x03\x04 not really a zip", "XLSX"},
		{"UTF-16 text", "schools.csv", "\xff\xfec\x00o\x00d\x00e\x00", "UTF-16"},
		{"a broken XLSX", "schools.xlsx", "this is not a zip file", "XLSX"},
	} {
		r := c.upload("/admin/import", "/admin/import", "file", tc.file, []byte(tc.content), nil)
		wantStatus(t, "upload of "+tc.name, r, http.StatusUnprocessableEntity)
		if !r.isHTML() || !strings.Contains(r.text(), tc.say) {
			t.Errorf("upload of %s: the page does not say why (%q)", tc.name, tc.say)
		}
	}
	if n := app.schoolCount(t); n != before {
		t.Errorf("unreadable uploads wrote schools: %d, want %d", n, before)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
