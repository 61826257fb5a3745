package model_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"safecampus/internal/model"
)

func TestParseDateRoundTrip(t *testing.T) {
	for _, s := range []string{"1970-01-01", "1969-12-31", "2000-02-29", "2024-02-29", "2024-12-31", "2025-01-01", "2099-06-15"} {
		d, err := model.ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if got := d.String(); got != s {
			t.Errorf("ParseDate(%q).String() = %q", s, got)
		}
	}
	if got := model.NewDate(1970, 1, 1); got != 0 {
		t.Errorf("NewDate(1970-01-01) = %d, want 0", got)
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, s := range []string{"", "2024-02-30", "2023-02-29", "2024-13-01", "2024-2-3", "20240203", "2024/02/03", "2024-02-03T00:00:00Z", " 2024-02-03"} {
		if d, err := model.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %s, want an error", s, d)
		} else if !strings.Contains(err.Error(), "not a date") {
			t.Errorf("ParseDate(%q) error = %q, want it to say not a date", s, err)
		}
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-28", 1, "2024-02-29"},
		{"2024-02-29", 1, "2024-03-01"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2024-01-31", 1, "2024-02-01"},
		{"2024-12-31", 1, "2025-01-01"},
		{"2025-01-01", -1, "2024-12-31"},
		{"2024-03-01", -1, "2024-02-29"},
		{"2024-03-01", 180, "2024-08-28"},
		{"2024-09-01", 180, "2025-02-28"},
		{"2024-03-31", 0, "2024-03-31"},
		{"2024-01-01", 366, "2025-01-01"},
	}
	for _, tt := range tests {
		d := mustDate(t, tt.from)
		if got := d.AddDays(tt.n).String(); got != tt.want {
			t.Errorf("%s + %d = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		if got := d.AddDays(tt.n).DaysSince(d); got != tt.n {
			t.Errorf("(%s + %d).DaysSince(%s) = %d, want %d", tt.from, tt.n, tt.from, got, tt.n)
		}
	}
}

func TestDateMonthEnd(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-02-01", "2024-02-29"},
		{"2024-02-29", "2024-02-29"},
		{"2023-02-15", "2023-02-28"},
		{"2100-02-15", "2100-02-28"},
		{"2000-02-15", "2000-02-29"},
		{"2024-04-30", "2024-04-30"},
		{"2024-12-01", "2024-12-31"},
		{"2025-01-31", "2025-01-31"},
	}
	for _, tt := range tests {
		if got := mustDate(t, tt.in).MonthEnd().String(); got != tt.want {
			t.Errorf("MonthEnd(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestDateOfUsesTheTimesLocation(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 3, 1, 0, 30, 0, 0, shanghai), "2024-03-01"}, // still 2024-02-29 in UTC
		{time.Date(2024, 2, 29, 23, 59, 59, 0, shanghai), "2024-02-29"},
		{time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), "2024-02-29"},
	}
	for _, tt := range tests {
		if got := model.DateOf(tt.t).String(); got != tt.want {
			t.Errorf("DateOf(%s) = %s, want %s", tt.t, got, tt.want)
		}
	}
	d := mustDate(t, "2024-03-01")
	if got, want := d.Time(shanghai), time.Date(2024, 3, 1, 0, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Errorf("Time(CST) = %s, want %s", got, want)
	}
}

func TestDateJSON(t *testing.T) {
	d := mustDate(t, "2024-02-29")
	b, err := json.Marshal(d)
	if err != nil || string(b) != `"2024-02-29"` {
		t.Fatalf("json.Marshal = %s, %v, want \"2024-02-29\"", b, err)
	}
	var back model.Date
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("json.Unmarshal(%s) = %s, %v, want %s", b, back, err, d)
	}

	var p struct {
		On *model.Date `json:"on"`
	}
	if err := json.Unmarshal([]byte(`{"on":null}`), &p); err != nil || p.On != nil {
		t.Errorf("null into *Date = %v, %v, want nil, nil", p.On, err)
	}
	var v struct {
		On model.Date `json:"checked_on"`
	}
	v.On = d
	if err := json.Unmarshal([]byte(`{"checked_on":null}`), &v); err != nil || v.On != d {
		t.Errorf("null into Date = %s, %v, want it unchanged", v.On, err)
	}

	for _, in := range []string{`{"checked_on":20240229}`, `{"checked_on":"2024-02-30"}`, `{"checked_on":"yesterday"}`, `{"checked_on":true}`} {
		err := json.Unmarshal([]byte(in), &v)
		if err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error, want one", in)
		} else if !strings.Contains(err.Error(), "checked_on") {
			t.Errorf("json.Unmarshal(%s) error %q does not name the field", in, err)
		}
	}
}

func TestDateScan(t *testing.T) {
	want := mustDate(t, "2024-02-29")
	tests := []struct {
		name string
		src  any
	}{
		{"text", "2024-02-29"},
		{"text with a time", "2024-02-29 00:00:00+00:00"},
		{"RFC 3339 text", "2024-02-29T00:00:00Z"},
		{"bytes", []byte("2024-02-29")},
		{"time in UTC", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"time in Shanghai", time.Date(2024, 2, 29, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))},
	}
	for _, tt := range tests {
		var got model.Date
		if err := got.Scan(tt.src); err != nil || got != want {
			t.Errorf("Scan(%s) = %s, %v, want %s", tt.name, got, err, want)
		}
	}
	for _, src := range []any{nil, 42, "", "29.02.2024", []byte("x")} {
		var d model.Date
		if err := d.Scan(src); err == nil {
			t.Errorf("Scan(%#v) = %s, want an error", src, d)
		}
	}
	v, err := want.Value()
	if err != nil || v != "2024-02-29" {
		t.Errorf("Value() = %#v, %v, want \"2024-02-29\"", v, err)
	}
}

func mustDate(t *testing.T, s string) model.Date {
	t.Helper()
	d, err := model.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}
