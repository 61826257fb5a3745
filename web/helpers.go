package web

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// staticPrefix is where the server mounts package static.
const staticPrefix = "/static/"

// withTitle fills in the page title unless the handler set one.
func withTitle(b Base, title string) Base {
	if b.Title == "" {
		b.Title = title
	}
	return b
}

// schoolQuery is the school list's filter as a query string, without the
// page, for exports and pagination.
func schoolQuery(f SchoolFilter) url.Values {
	q := url.Values{}
	if f.Basis != "" && f.Basis != model.BasisVerified {
		q.Set("basis", string(f.Basis))
	}
	if f.Query != "" {
		q.Set("q", f.Query)
	}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.Uncovered != "" {
		q.Set("uncovered", string(f.Uncovered))
	}
	if f.Gap != "" {
		q.Set("gap", string(f.Gap))
	}
	if f.Due {
		q.Set("due", "1")
	}
	return q
}

// pageURL is path with q and page (page 1 omitted).
func pageURL(path string, q url.Values, page int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Del("page")
	if page > 1 {
		c.Set("page", strconv.Itoa(page))
	}
	return withQuery(path, c)
}

func pageCount(total, size int) int {
	if size <= 0 || total <= 0 {
		return 1
	}
	return (total + size - 1) / size
}

// pctClass is the look of a percentage: full (every school), high (≥ 90%),
// low, or none (no schools).
func pctClass(p model.Percent) string {
	switch {
	case !p.Valid:
		return "pct-none"
	case p.Full():
		return "pct-full"
	case p.Tenths >= 900:
		return "pct-high"
	default:
		return "pct-low"
	}
}

// barWidth is the filled width of a 0..1000 bar.
func barWidth(p model.Percent) string {
	if !p.Valid {
		return "0"
	}
	return strconv.Itoa(p.Tenths)
}

func itoa(n int) string { return strconv.Itoa(n) }

func divisionTitle(ctx context.Context, d model.Division) string {
	if d.Code == "" {
		return i18n.T(ctx, "division.national")
	}
	return i18n.DivisionName(ctx, d)
}

func dateString(d *model.Date) string {
	if d == nil {
		return "—"
	}
	return d.String()
}

// value reads a raw form value; nil maps are fine.
func value(m map[string]string, k string) string { return m[k] }

func htmlLang(ctx context.Context, b Base) string {
	if b.Lang != "" {
		return b.Lang
	}
	return i18n.Lang(ctx)
}

// navItems lists the header's links for a user.
type navItem struct{ key, href, label string }

func navItems(u *model.User) []navItem {
	if u == nil {
		return nil
	}
	dash := navItem{"dashboard", "/", "nav.dashboard"}
	review := navItem{"review", "/review", "nav.review"}
	hazards := navItem{"hazards", "/hazards", "nav.hazards"}
	admin := navItem{"admin", "/admin/schools", "nav.admin"}
	due := navItem{"due", "/due", "nav.due"}
	audit := navItem{"audit", "/audit", "nav.audit"}
	campaigns := navItem{"campaigns", "/campaigns", "nav.campaigns"}
	switch u.Role {
	case model.Admin:
		return []navItem{dash, review, hazards, due, campaigns, audit, admin}
	case model.Inspector:
		return []navItem{dash, review, hazards, due, campaigns, audit}
	case model.Leader:
		return []navItem{dash, due, campaigns}
	case model.SchoolRep:
		return []navItem{{"dashboard", "/", "nav.my_school"}}
	}
	return nil
}

// fieldID is the HTML id of a form field.
func fieldID(field string) string { return "f-" + field }

// errID is the HTML id of a field's error message.
func errID(field string) string { return "err-" + field }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func orPublic(o model.Ownership) model.Ownership {
	if o == "" {
		return model.Public
	}
	return o
}

func checklistFormTitle(ctx context.Context, p ChecklistFormPage) string {
	if p.ChecklistID == 0 {
		return i18n.T(ctx, "checklist.new")
	}
	return i18n.T(ctx, "checklist.edit")
}

func metCount(rs [5]model.Result) int {
	n := 0
	for _, r := range rs {
		if r.Met {
			n++
		}
	}
	return n
}

// timeString shows an instant in the deployment's time zone.
func timeString(ctx context.Context, t *time.Time) string { return i18n.Time(ctx, t) }

// errorTitle names an HTTP status in words.
func errorTitle(ctx context.Context, status int) string {
	switch status {
	case 400, 401, 403, 404, 409, 413, 422, 429:
		return i18n.T(ctx, "error."+strconv.Itoa(status))
	}
	return i18n.T(ctx, "error.other")
}

func schoolFormTitle(ctx context.Context, isNew bool) string {
	if isNew {
		return i18n.T(ctx, "admin.new_school")
	}
	return i18n.T(ctx, "admin.edit_school")
}

func schoolFormAction(p SchoolFormPage) string {
	if p.IsNew {
		return "/admin/schools"
	}
	return adminSchoolURL(p.Code)
}

func languageName(ctx context.Context, lang string) string {
	switch lang {
	case i18n.Chinese:
		return "中文"
	case i18n.English:
		return "English"
	}
	return i18n.T(ctx, "user.language_browser")
}

// schoolValues are the form's values, with the existing code when editing.
func schoolValues(p SchoolFormPage) map[string]string {
	if p.IsNew || p.Values["code"] != "" {
		return p.Values
	}
	v := map[string]string{"code": p.Code}
	for k, x := range p.Values {
		if k != "code" {
			v[k] = x
		}
	}
	return v
}

// timeText formats an instant the server has already put in the
// deployment's zone.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04")
}

func checked(v string) bool { return v == "1" || v == "on" || v == "yes" }

// orKey is key, or fallback when key is empty.
func orKey(key, fallback string) string {
	if key == "" {
		return fallback
	}
	return key
}
