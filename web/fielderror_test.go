package web

import (
	"strings"
	"testing"

	"safecampus/internal/model"
)

// TestFieldErrorsInThePagesLanguage renders a form error with a
// translation key in both languages, and one without a key in English.
func TestFieldErrorsInThePagesLanguage(t *testing.T) {
	b := newBundle(t)
	errs := model.FieldErrors{
		model.NewFieldError("students", "not_whole_number", map[string]any{"Value": "abc"}, "%q is not a whole number", "abc"),
		{Field: "other", Message: "something English"},
	}
	tests := []struct {
		lang, field, want string
	}{
		{"zh-CN", "students", "“abc”不是整数。"},
		{"en", "students", "“abc” is not a whole number."},
		{"zh-CN", "other", "something English"},
	}
	for _, tt := range tests {
		got := render(t, b, tt.lang, FieldError(errs, tt.field))
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s %s: got %s, want it to contain %q", tt.lang, tt.field, got, tt.want)
		}
	}
}

// TestEveryFieldErrorKeyIsTranslated makes sure the keys the model and the
// server use exist: an unknown key would silently fall back to English.
func TestEveryFieldErrorKeyIsTranslated(t *testing.T) {
	b := newBundle(t)
	for _, key := range []string{"required", "bad_code", "too_long", "not_school_type", "not_division_code", "negative",
		"too_large", "boarders_over_students", "bad_ownership", "bad_choice", "licensed_over_full_time", "future_date",
		"not_date", "not_yes_no", "not_whole_number", "division_unknown", "division_not_county", "code_taken", "reason_required"} {
		for _, lang := range []string{"zh-CN", "en"} {
			if got := b.Localizer(lang).T("field_error." + key); got == "field_error."+key {
				t.Errorf("%s: no translation of field_error.%s", lang, key)
			}
		}
	}
}
