package model

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// Date is a calendar day in the deployment's time zone, counted in days since
// 1970-01-01. Days are what the rules speak of (validity, test intervals,
// deadlines), so arithmetic on them must not meet daylight-saving or
// time-of-day surprises.
type Date int32

const dateLayout = "2006-01-02"

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// NewDate returns the given calendar day.
func NewDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate reads a YYYY-MM-DD day.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// Time returns midnight at the start of the day in loc.
func (d Date) Time(loc *time.Location) time.Time {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
}

// String formats the day as YYYY-MM-DD.
func (d Date) String() string { return d.Time(time.UTC).Format(dateLayout) }

// AddDays returns the day n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// DaysSince returns d − e in days.
func (d Date) DaysSince(e Date) int { return int(d - e) }

// MonthEnd returns the last day of d's month.
func (d Date) MonthEnd() Date {
	t := d.Time(time.UTC)
	return DateOf(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC))
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD"; null leaves d unchanged, as the json
// package does for other types. A bad value is reported as a
// *json.UnmarshalTypeError so the decoder adds the name of the field.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Date]()}
	}
	p, err := ParseDate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[Date]()}
	}
	*d = p
	return nil
}

// Value stores the day as YYYY-MM-DD text, which sorts and compares the same
// way in SQLite and PostgreSQL.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a day stored as text or as a database date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case string:
		p, err := ParseDate(v[:min(len(v), 10)])
		if err != nil {
			return err
		}
		*d = p
	case []byte:
		return d.Scan(string(v))
	case time.Time:
		*d = DateOf(v)
	default:
		return fmt.Errorf("cannot scan %T into a Date", src)
	}
	return nil
}

// FirstRealDay is the earliest day accepted where a real date is meant:
// nothing this product records happened before it.
var FirstRealDay = NewDate(2000, 1, 1)

// LastRealDay is the latest day accepted where a real date is meant:
// five years after today (a rectification deadline, a planned date).
func LastRealDay(today Date) Date { return DateOf(today.Time(time.UTC).AddDate(5, 0, 0)) }

// RealDateError refuses a day outside FirstRealDay … LastRealDay(today),
// such as 0001-01-01 or 9999-12-31; nil when d is within.
func RealDateError(field string, d, today Date) *FieldError {
	if d >= FirstRealDay && d <= LastRealDay(today) {
		return nil
	}
	e := NewFieldError(field, "unreal_date", map[string]any{"Date": d.String(), "From": FirstRealDay.String(), "To": LastRealDay(today).String()},
		"%s %s is outside %s … %s", field, d, FirstRealDay, LastRealDay(today))
	return &e
}
