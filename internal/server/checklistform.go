package server

import (
	"net/url"
	"strings"
	"time"

	"safecampus/internal/model"
)

// checklistForm is a checklist form as posted: the raw values (kept to
// re-render the form as typed), what could be parsed, and what could not.
type checklistForm struct {
	Values    map[string]string
	CheckedOn model.Date
	Facts     model.Facts
	Notes     string
	Submit    bool
	Key       string     // idempotency_key: the form's own id, made when it was shown
	MadeAt    *time.Time // made_at: when a form filled offline was filled in
	Errors    model.FieldErrors
}

// parseChecklistForm reads the fields named by model.FactTable. Values that
// do not parse become field errors; empty values stay unanswered.
func parseChecklistForm(form url.Values) checklistForm {
	f := checklistForm{Values: map[string]string{}, Submit: form.Get("action") == "submit"}
	get := func(k string) string {
		v := strings.TrimSpace(form.Get(k))
		f.Values[k] = v
		return v
	}
	bad := func(field, key string, args map[string]any, format string, a ...any) {
		f.Errors = append(f.Errors, model.NewFieldError(field, key, args, format, a...))
	}
	if v := get("checked_on"); v == "" {
		bad("checked_on", "required", nil, "the check date is required")
	} else if d, err := model.ParseDate(v); err != nil {
		bad("checked_on", "not_date", map[string]any{"Value": v}, "%v", err)
	} else {
		f.CheckedOn = d
	}
	f.Key = get("idempotency_key")
	if t, err := time.Parse(time.RFC3339, get("made_at")); err == nil {
		f.MadeAt = &t
	}
	f.Notes = form.Get("notes")
	f.Values["notes"] = f.Notes

	for _, fact := range model.FactTable {
		if v := get(fact.Key); v != "" {
			if err := fact.ParseForm(&f.Facts, v); err != nil {
				f.Errors = append(f.Errors, *err)
			}
		}
	}
	return f
}

func valuesToForm(values map[string]string) url.Values {
	form := url.Values{}
	for k, v := range values {
		form.Set(k, v)
	}
	return form
}
