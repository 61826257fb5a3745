package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

const auditPageSize = 50

// listAudit is the audit trail: every change, for administrators; the
// changes in their subtree, for inspectors.
func (s *Server) listAudit(c echo.Context) error {
	u, page, err := reviewerPage(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, q, err := s.auditFilterOf(c, u)
	if err != nil {
		return err
	}
	q.Limit, q.Offset = auditPageSize, (page-1)*auditPageSize
	p := web.AuditPage{Entities: store.AuditEntities, Page: page, PageSize: auditPageSize, Filter: f, Query: auditQuery(f)}
	if u.Role == model.Inspector {
		if d, err := s.store.Division(ctx, u.ScopeCode); err == nil {
			p.ScopeNote = i18n.T(ctx, "audit.scope_note", map[string]any{"Division": i18n.DivisionName(ctx, d)})
		}
	}
	p.Base = s.titledBase(c, "audit.title", "audit")
	if p.Divisions, err = s.divisionPicker(ctx, u, "division", f.Division); err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		for i := range f.Errors {
			f.Errors[i].Field = "" // shown above the filter
		}
		p.Filter.Errors = f.Errors
		p.List = listBar(c, "/audit", "", nil, 0)
		return render(c, http.StatusUnprocessableEntity, web.AuditView(p))
	}
	entries, total, err := s.store.AuditTrail(ctx, q)
	if err != nil {
		return err
	}
	p.Total = int(total)
	p.List = listBar(c, "/audit", "/audit.csv", p.Query, p.Total)
	loc := s.store.Location()
	for _, e := range entries {
		row := web.AuditRow{ID: e.ID, At: e.At.In(loc).Format("2006-01-02 15:04:05"), Username: e.Username, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, DivisionName: e.DivisionName, Changes: auditChanges(e.Old, e.New)}
		row.Link = auditLink(e, u)
		p.Rows = append(p.Rows, row)
	}
	return render(c, http.StatusOK, web.AuditView(p))
}

// auditFilterOf reads the trail's filter from the query string and checks
// it against the user's scope. Dates and divisions that cannot be read
// come back in f.Errors, to be shown beside the filter.
func (s *Server) auditFilterOf(c echo.Context, u model.User) (web.AuditFilter, store.AuditQuery, error) {
	ctx := c.Request().Context()
	f := web.AuditFilter{Entity: c.QueryParam("entity"), EntityID: queryText(c, "id"),
		User: queryText(c, "user"), Division: queryText(c, "division"),
		From: queryText(c, "from"), To: queryText(c, "to")}
	q := store.AuditQuery{Entity: f.Entity, EntityID: f.EntityID, Username: f.User}
	if f.Entity != "" && !validEntity(f.Entity) {
		return f, q, echo.NewHTTPError(http.StatusBadRequest, "unknown entity "+strconv.Quote(f.Entity))
	}
	if u.Role == model.Inspector {
		q.Scope = u.ScopeCode
	}
	for _, d := range []struct {
		field string
		value string
		to    *model.Date
	}{{"from", f.From, &q.From}, {"to", f.To, &q.To}} {
		if d.value == "" {
			continue
		}
		day, err := model.ParseDate(d.value)
		if err != nil {
			f.Errors = append(f.Errors, model.FieldError{Field: d.field, Message: i18n.T(ctx, "audit.err_date", map[string]any{"Value": d.value})})
			continue
		}
		*d.to = day
	}
	if f.Division != "" {
		err := s.checkDivisionFilter(ctx, u, f.Division)
		if errors.Is(err, store.ErrNotFound) {
			f.Errors = append(f.Errors, model.FieldError{Field: "division", Message: i18n.T(ctx, "audit.err_division", map[string]any{"Code": f.Division})})
		} else if err != nil {
			return f, q, err
		}
		q.Division = f.Division
	}
	return f, q, nil
}

func validEntity(e string) bool {
	for _, x := range store.AuditEntities {
		if x == e {
			return true
		}
	}
	return false
}

func auditQuery(f web.AuditFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"entity": f.Entity, "id": f.EntityID, "user": f.User, "division": f.Division, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// auditLink is the page of the record an entry is about, if it has one.
func auditLink(e store.AuditEntry, u model.User) string {
	switch e.Entity {
	case "school":
		return web.SchoolURL(e.EntityID)
	case "checklist":
		return "/checklists/" + url.PathEscape(e.EntityID)
	case "hazard":
		return "/hazards/" + url.PathEscape(e.EntityID)
	case "inspection":
		return "/inspections/" + url.PathEscape(e.EntityID)
	case "evidence":
		if e.Action != "detach" {
			return "/evidence/" + url.PathEscape(e.EntityID)
		}
	case "rule_set":
		if u.Role == model.Admin {
			return "/admin/rules" + divisionQuery(e.DivisionCode)
		}
	}
	return ""
}

// maxChangeText is the longest value shown in the trail.
const maxChangeText = 300

// auditChanges lists the fields whose values differ between the old and
// new JSON of an entry (every field, when one side is empty), nested
// objects flattened with dots, in name order.
func auditChanges(oldJSON, newJSON string) []web.Change {
	old, next := flattenJSON(oldJSON), flattenJSON(newJSON)
	names := map[string]bool{}
	for k := range old {
		names[k] = true
	}
	for k := range next {
		names[k] = true
	}
	fields := make([]string, 0, len(names))
	for k := range names {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	var out []web.Change
	for _, k := range fields {
		o, oldOK := old[k]
		n, newOK := next[k]
		if oldOK && newOK && o == n {
			continue
		}
		out = append(out, web.Change{Field: k, Old: orNone(o, oldOK), New: orNone(n, newOK)})
	}
	return out
}

func orNone(v string, ok bool) string {
	if !ok || v == "" {
		return "—"
	}
	return v
}

// flattenJSON turns a JSON object into field → value text; anything else
// is one field named "value".
func flattenJSON(s string) map[string]string {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		out["value"] = clip(s)
		return out
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k, x := range m {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(name, x)
			}
			return
		}
		if prefix == "" {
			prefix = "value"
		}
		out[prefix] = clip(valueText(v))
	}
	walk("", v)
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(buf.String())
}

func clip(s string) string {
	if r := []rune(s); len(r) > maxChangeText {
		return string(r[:maxChangeText]) + "…"
	}
	return s
}
