package model_test

import (
	"encoding/json"
	"testing"

	"safecampus/internal/model"
)

func TestPercentOf(t *testing.T) {
	tests := []struct {
		covered, total int
		tenths         int
		valid, full    bool
		str, number    string
		json           string
		float          float64
	}{
		{6599, 6600, 999, true, false, "99.9%", "99.9", "99.9", 99.9},
		{6600, 6600, 1000, true, true, "100.0%", "100.0", "100.0", 100},
		{0, 0, 0, false, false, "—", "", "null", 0},
		{0, 6600, 0, true, false, "0.0%", "0.0", "0.0", 0},
		{1, 3, 333, true, false, "33.3%", "33.3", "33.3", 33.3},
		{2, 3, 666, true, false, "66.6%", "66.6", "66.6", 66.6}, // 66.67 rounds down
		{1, 2000, 0, true, false, "0.0%", "0.0", "0.0", 0},
		{1, 1000, 1, true, false, "0.1%", "0.1", "0.1", 0.1},
		{999, 1000, 999, true, false, "99.9%", "99.9", "99.9", 99.9},
		{799_999, 800_000, 999, true, false, "99.9%", "99.9", "99.9", 99.9},
		{1, 1, 1000, true, true, "100.0%", "100.0", "100.0", 100},
	}
	for _, tt := range tests {
		p := model.PercentOf(tt.covered, tt.total)
		name := p.String()
		if p.Tenths != tt.tenths || p.Valid != tt.valid {
			t.Errorf("PercentOf(%d, %d) = %+v, want Tenths %d Valid %v", tt.covered, tt.total, p, tt.tenths, tt.valid)
		}
		if got := p.Full(); got != tt.full {
			t.Errorf("PercentOf(%d, %d).Full() = %v, want %v", tt.covered, tt.total, got, tt.full)
		}
		if name != tt.str {
			t.Errorf("PercentOf(%d, %d).String() = %q, want %q", tt.covered, tt.total, name, tt.str)
		}
		if got := p.Number(); got != tt.number {
			t.Errorf("PercentOf(%d, %d).Number() = %q, want %q", tt.covered, tt.total, got, tt.number)
		}
		if got := p.Float(); got != tt.float {
			t.Errorf("PercentOf(%d, %d).Float() = %v, want %v", tt.covered, tt.total, got, tt.float)
		}
		b, err := json.Marshal(p)
		if err != nil || string(b) != tt.json {
			t.Errorf("json.Marshal(PercentOf(%d, %d)) = %s, %v, want %s", tt.covered, tt.total, b, err, tt.json)
		}
	}
}

func TestPercentJSONInObject(t *testing.T) {
	type measure struct {
		Covered int           `json:"covered"`
		Percent model.Percent `json:"percent"`
	}
	tests := []struct {
		in   measure
		want string
	}{
		{measure{6599, model.PercentOf(6599, 6600)}, `{"covered":6599,"percent":99.9}`},
		{measure{0, model.PercentOf(0, 0)}, `{"covered":0,"percent":null}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil || string(b) != tt.want {
			t.Errorf("json.Marshal = %s, %v, want %s", b, err, tt.want)
		}
		var back struct {
			Percent *float64 `json:"percent"`
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("json.Unmarshal(%s): %v", b, err)
		}
		if (back.Percent == nil) != !tt.in.Percent.Valid {
			t.Errorf("percent read back as %v from %s", back.Percent, b)
		}
	}
}
