package model

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// FactKind is how a checklist fact is answered.
type FactKind int

const (
	FactBool   FactKind = iota // yes or no; form values "yes" and "no"
	FactInt                    // a whole number from 0 to the fact's Max
	FactDate                   // a day, YYYY-MM-DD
	FactChoice                 // one of the fact's Choices
)

// Fact is one checklist fact, as derived from the Facts structs.
type Fact struct {
	Measure Measure
	Name    string // the JSON name inside the measure, e.g. "am_staff"
	// Key is "<measure>.<name>": the form field, the FieldErrors field and,
	// as "fact.<Key>", the translation key of the label.
	Key     string
	Kind    FactKind
	Max     int      // the largest accepted FactInt
	Choices []string // the values of a FactChoice; labels are "<name>.<choice>"
	index   [2]int   // the field in Facts: measure struct, then fact
}

// chooser is a fact type with a fixed list of values (e.g. AntiRamming).
type chooser interface{ Choices() []string }

var choicesType = reflect.TypeFor[chooser]()

// FactTable lists every fact of the checklist, measure by measure in
// Measures order and, within a measure, in the order the form shows them.
var FactTable = buildFactTable()

// buildFactTable reads the facts from the Facts structs. It panics on a
// field it cannot read, so a wrongly declared fact fails every test.
func buildFactTable() []Fact {
	var out []Fact
	ft := reflect.TypeFor[Facts]()
	for i := range ft.NumField() {
		mf := ft.Field(i)
		m := Measure(jsonName(mf))
		if m.Index() != i {
			panic(fmt.Sprintf("model: facts of %q are not in Measures order", m))
		}
		for j := range mf.Type.NumField() {
			f := mf.Type.Field(j)
			fact := Fact{Measure: m, Name: jsonName(f), index: [2]int{i, j}}
			fact.Key = string(m) + "." + fact.Name
			switch t := f.Type.Elem(); {
			case f.Type.Kind() != reflect.Pointer:
				panic("model: fact " + fact.Key + " is not a pointer")
			case t == reflect.TypeFor[bool]():
				fact.Kind = FactBool
			case t == reflect.TypeFor[int]():
				fact.Kind = FactInt
				max, err := strconv.Atoi(f.Tag.Get("max"))
				if err != nil {
					panic("model: fact " + fact.Key + " needs a max tag")
				}
				fact.Max = max
			case t == reflect.TypeFor[Date]():
				fact.Kind = FactDate
			case t.Implements(choicesType) && t.Kind() == reflect.String:
				fact.Kind = FactChoice
				fact.Choices = reflect.Zero(t).Interface().(chooser).Choices()
			default:
				panic("model: fact " + fact.Key + " has an unknown type " + t.String())
			}
			out = append(out, fact)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// MeasureFacts returns the facts of measure m, in form order.
func MeasureFacts(m Measure) []Fact {
	var out []Fact
	for _, f := range FactTable {
		if f.Measure == m {
			out = append(out, f)
		}
	}
	return out
}

// field is the fact's pointer field in facts.
func (f Fact) field(facts *Facts) reflect.Value {
	return reflect.ValueOf(facts).Elem().Field(f.index[0]).Field(f.index[1])
}

// ChoiceLabel is the translation key of one of a choice fact's values.
func (f Fact) ChoiceLabel(choice string) string { return f.Name + "." + choice }

// FormValue is the fact's answer as the form shows it: "yes"/"no", a number,
// a date or a choice; "" when unanswered.
func (f Fact) FormValue(facts Facts) string {
	v := f.field(&facts)
	if v.IsNil() {
		return ""
	}
	switch v := v.Elem(); f.Kind {
	case FactBool:
		if v.Bool() {
			return "yes"
		}
		return "no"
	case FactInt:
		return strconv.FormatInt(v.Int(), 10)
	case FactDate:
		return v.Interface().(Date).String()
	default:
		return v.String()
	}
}

// FormValues renders every answered fact under its key as FormValue does.
// Unanswered facts are absent.
func (facts Facts) FormValues() map[string]string {
	out := map[string]string{}
	for _, f := range FactTable {
		if v := f.FormValue(facts); v != "" {
			out[f.Key] = v
		}
	}
	return out
}

// ParseForm sets the fact in facts from its non-empty form value. A value
// that does not parse leaves the fact unanswered and is returned as the
// field's error. Choices are checked by Validate, as for the API.
func (f Fact) ParseForm(facts *Facts, s string) *FieldError {
	bad := func(key string, args map[string]any, format string, a ...any) *FieldError {
		e := NewFieldError(f.Key, key, args, format, a...)
		return &e
	}
	var v reflect.Value
	switch f.Kind {
	case FactBool:
		if s != "yes" && s != "no" {
			return bad("not_yes_no", nil, "%q is not yes or no", s)
		}
		v = reflect.ValueOf(s == "yes")
	case FactInt:
		n, err := strconv.Atoi(s)
		if err != nil {
			return bad("not_whole_number", map[string]any{"Value": s}, "%q is not a whole number", s)
		}
		v = reflect.ValueOf(n)
	case FactDate:
		d, err := ParseDate(s)
		if err != nil {
			return bad("not_date", map[string]any{"Value": s}, "%v", err)
		}
		v = reflect.ValueOf(d)
	case FactChoice:
		v = reflect.ValueOf(s)
	}
	field := f.field(facts)
	p := reflect.New(field.Type().Elem())
	p.Elem().Set(v.Convert(field.Type().Elem()))
	field.Set(p)
	return nil
}

// Validate checks the values; complete also demands every fact of all five
// measures, as a submitted checklist must carry them. Field names are the
// facts' keys, "<measure>.<fact>".
func (facts Facts) Validate(complete bool) FieldErrors {
	var errs FieldErrors
	for i, f := range FactTable {
		v := f.field(&facts)
		if v.IsNil() {
			if complete {
				errs = append(errs, NewFieldError(f.Key, "required", nil, "%s is required to submit", f.Key))
			}
		} else {
			errs = append(errs, f.check(v.Elem())...)
		}
		if i+1 == len(FactTable) || FactTable[i+1].Measure != f.Measure {
			errs = append(errs, facts.crossCheck(f.Measure)...)
		}
	}
	return errs
}

// RealDateErrors refuses every answered date fact outside the real days
// (RealDateError): a fact records the past, not year 1 or 9999.
func (facts Facts) RealDateErrors(today Date) FieldErrors {
	var errs FieldErrors
	for _, f := range FactTable {
		if v := f.field(&facts); f.Kind == FactDate && !v.IsNil() {
			if e := RealDateError(f.Key, v.Elem().Interface().(Date), today); e != nil {
				errs = append(errs, *e)
			}
		}
	}
	return errs
}

// check checks one answered fact against its bounds or choices.
func (f Fact) check(v reflect.Value) FieldErrors {
	switch f.Kind {
	case FactInt:
		n := int(v.Int())
		if n < 0 {
			return FieldErrors{NewFieldError(f.Key, "negative", nil, "%s %d is negative", f.Key, n)}
		}
		if n > f.Max {
			return FieldErrors{NewFieldError(f.Key, "too_large", nil, "%s %d is too large", f.Key, n)}
		}
	case FactChoice:
		if !slices.Contains(f.Choices, v.String()) {
			return FieldErrors{NewFieldError(f.Key, "bad_choice", map[string]any{"Value": v.Interface()},
				"%s %q is not one of %s", f.Name, v.String(), strings.Join(f.Choices, ", "))}
		}
	}
	return nil
}

// crossCheck checks the facts of measure m against each other, once each
// fact of m has been checked on its own.
func (facts Facts) crossCheck(m Measure) FieldErrors {
	switch m {
	case SecurityGuards:
		sg := facts.SecurityGuards
		if sg.FullTimeGuards != nil && sg.LicensedGuards != nil && *sg.LicensedGuards > *sg.FullTimeGuards {
			return FieldErrors{NewFieldError("security_guards.licensed_guards", "licensed_over_full_time",
				map[string]any{"Licensed": *sg.LicensedGuards, "Guards": *sg.FullTimeGuards},
				"licensed_guards %d is more than full_time_guards %d", *sg.LicensedGuards, *sg.FullTimeGuards)}
		}
	}
	return nil
}
