package model

import "testing"

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw, key string
	}{
		{"Correct-Horse-9", ""},
		{"abcdefgH1!", ""},
		{"ABCDEFGHIJ1a", ""},
		{"正确的马电池订书钉A1", ""}, // Chinese counts as symbols
		{"Ab1!", "password_too_short"},
		{"Abcdefgh1", "password_too_short"},
		{"abcdefghijkl", "password_too_simple"},
		{"abcdefghij12", "password_too_simple"},
		{"ABCDEFGHIJ!!", "password_too_simple"},
		{"demo-pass", "password_too_short"},
		{"Aa1-" + string(make([]byte, 70)), "password_too_long"},
	} {
		e := CheckPassword("password", tc.pw)
		got := ""
		if e != nil {
			got = e.Key
		}
		if got != tc.key {
			t.Errorf("CheckPassword(%q) = %q, want %q", tc.pw, got, tc.key)
		}
	}
}
