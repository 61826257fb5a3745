package model

import (
	"fmt"
	"strings"
)

// SchoolType is the kind of school, as the education authorities count them.
type SchoolType string

const (
	Kindergarten      SchoolType = "kindergarten"
	Primary           SchoolType = "primary"
	Junior            SchoolType = "junior"
	Senior            SchoolType = "senior"
	NineYear          SchoolType = "nine_year"
	TwelveYear        SchoolType = "twelve_year"
	CompleteSecondary SchoolType = "complete_secondary"
	Vocational        SchoolType = "vocational"
	Special           SchoolType = "special"
)

// SchoolTypes lists every type with its Chinese name, in display order.
var SchoolTypes = []struct {
	Type SchoolType
	Zh   string
}{
	{Kindergarten, "幼儿园"},
	{Primary, "小学"},
	{Junior, "初级中学"},
	{Senior, "高级中学"},
	{NineYear, "九年一贯制学校"},
	{TwelveYear, "十二年一贯制学校"},
	{CompleteSecondary, "完全中学"},
	{Vocational, "中等职业学校"},
	{Special, "特殊教育学校"},
}

// ParseSchoolType accepts the English key or the Chinese name.
func ParseSchoolType(s string) (SchoolType, bool) {
	s = strings.TrimSpace(s)
	for _, t := range SchoolTypes {
		if s == string(t.Type) || s == t.Zh {
			return t.Type, true
		}
	}
	return "", false
}

// Ownership says who runs a school.
type Ownership string

const (
	Public  Ownership = "public"
	Private Ownership = "private"
)

// ParseOwnership accepts the key or the Chinese name; empty means public.
func ParseOwnership(s string) (Ownership, bool) {
	switch strings.TrimSpace(s) {
	case "", "public", "公办":
		return Public, true
	case "private", "民办":
		return Private, true
	}
	return "", false
}

// School is a school or kindergarten in a county-level division.
type School struct {
	ID            int64
	Code          string
	Name          string
	Type          SchoolType
	DivisionCode  string
	Address       string
	Students      int
	Boarders      int
	PoliceStation string
	Ownership     Ownership
	Active        bool
}

// FieldError names a bad field and says why, for forms and imports.
// Message is English (logs, the API, imports); Key, when set, names the
// translation "field_error.<Key>" that pages show beside the field, filled
// with Args.
type FieldError struct {
	Field   string
	Message string
	Key     string
	Args    map[string]any
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// NewFieldError builds a translatable field error.
func NewFieldError(field, key string, args map[string]any, format string, a ...any) FieldError {
	return FieldError{Field: field, Message: fmt.Sprintf(format, a...), Key: key, Args: args}
}

// FieldErrors is every problem found in one record.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Get returns the first error of field.
func (es FieldErrors) Get(field string) (FieldError, bool) {
	for _, e := range es {
		if e.Field == field {
			return e, true
		}
	}
	return FieldError{}, false
}

// Without returns the errors on other fields than field.
func (es FieldErrors) Without(field string) FieldErrors {
	var out FieldErrors
	for _, e := range es {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

// For returns the message for field, or "".
func (es FieldErrors) For(field string) string {
	for _, e := range es {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// ValidSchoolCode reports whether code is 1–32 ASCII letters, digits, -
// or _: anything else could make a school unreachable by its URL, break
// an export or smuggle markup. Rows saved before this rule stay readable.
func ValidSchoolCode(code string) bool {
	if len(code) == 0 || len(code) > 32 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Validate checks the school's own fields; whether its division exists is
// the store's to check.
func (s School) Validate() FieldErrors {
	var errs FieldErrors
	add := func(f, key string, args map[string]any, format string, a ...any) {
		errs = append(errs, NewFieldError(f, key, args, format, a...))
	}
	v := func(x any) map[string]any { return map[string]any{"Value": x} }
	if strings.TrimSpace(s.Code) == "" {
		add("code", "required", nil, "code is required")
	} else if !ValidSchoolCode(s.Code) {
		add("code", "bad_code", v(s.Code), "code %q must be up to 32 letters, digits, - or _", s.Code)
	}
	if strings.TrimSpace(s.Name) == "" {
		add("name", "required", nil, "name is required")
	} else if len([]rune(s.Name)) > 200 {
		add("name", "too_long", map[string]any{"Max": 200}, "name is longer than 200 characters")
	}
	if _, ok := ParseSchoolType(string(s.Type)); !ok {
		add("type", "not_school_type", v(s.Type), "type %q is not a school type", s.Type)
	}
	if len(s.DivisionCode) != 6 || strings.Trim(s.DivisionCode, "0123456789") != "" {
		add("division_code", "not_division_code", v(s.DivisionCode), "division code %q is not six digits", s.DivisionCode)
	}
	if s.Students < 0 {
		add("students", "negative", nil, "students %d is negative", s.Students)
	}
	if s.Boarders < 0 {
		add("boarders", "negative", nil, "boarders %d is negative", s.Boarders)
	} else if s.Boarders > s.Students {
		add("boarders", "boarders_over_students", map[string]any{"Boarders": s.Boarders, "Students": s.Students},
			"boarders %d is more than students %d", s.Boarders, s.Students)
	}
	if _, ok := ParseOwnership(string(s.Ownership)); !ok {
		add("ownership", "bad_ownership", v(s.Ownership), "ownership %q is not public or private", s.Ownership)
	}
	return errs
}
