package server

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"safecampus/internal/model"
	"safecampus/web"
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

// parseChecklistForm reads the fields named by web.FactFields. Values that
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

	// The form becomes the same JSON the API accepts, so model.DecodeFacts
	// stays the one definition of the facts.
	facts := map[string]map[string]any{}
	for _, m := range model.Measures {
		facts[string(m)] = map[string]any{}
		for _, field := range web.FactFields(m) {
			v := get(field.Key)
			if v == "" {
				continue
			}
			_, name, _ := strings.Cut(field.Key, ".")
			switch field.Kind {
			case web.FactBool:
				if v != "yes" && v != "no" {
					bad(field.Key, "not_yes_no", nil, "%q is not yes or no", v)
					continue
				}
				facts[string(m)][name] = v == "yes"
			case web.FactInt:
				n, err := strconv.Atoi(v)
				if err != nil {
					bad(field.Key, "not_whole_number", map[string]any{"Value": v}, "%q is not a whole number", v)
					continue
				}
				facts[string(m)][name] = n
			case web.FactDate:
				if _, err := model.ParseDate(v); err != nil {
					bad(field.Key, "not_date", map[string]any{"Value": v}, "%v", err)
					continue
				}
				facts[string(m)][name] = v
			case web.FactChoice:
				facts[string(m)][name] = v
			}
		}
	}
	b, _ := json.Marshal(facts)
	parsed, err := model.DecodeFacts(b)
	if err != nil {
		bad("", "", nil, "%v", err)
	}
	f.Facts = parsed
	return f
}

func valuesToForm(values map[string]string) url.Values {
	form := url.Values{}
	for k, v := range values {
		form.Set(k, v)
	}
	return form
}
