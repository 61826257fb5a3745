package model_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// FuzzDecodeFacts feeds any bytes to the facts decoder (the API's and the
// checklist form's one definition of the facts): it never panics, an error
// leaves nothing half-trusted, and whatever it accepts survives a round
// trip through JSON and validates without panicking.
func FuzzDecodeFacts(f *testing.F) {
	for _, seed := range []string{
		fullFactsJSON,
		``, `null`, `{}`, `[]`, `"x"`, `1`, `{"nursing_post":null}`,
		`{"nursing_post":{"set_up":"yes"}}`,
		`{"nursing_post":{"am_staff":-1,"pm_staff":1e9}}`,
		`{"security_guards":{"full_time_guards":9223372036854775807,"licensed_guards":-9223372036854775808}}`,
		`{"security_guards":{"full_time_guards":99999999999999999999}}`,
		`{"one_button_alarm":{"last_test_on":"2024-02-30"}}`,
		`{"one_button_alarm":{"last_test_on":"<script>alert(1)</script>"}}`,
		`{"closed_management":{"anti_ramming":"' OR 1=1 --"}}`,
		`{"video_networking":{"cameras":1}} {"x":1}`,
		`{"video_networking":{"cameras":1,"cameras":2}}`,
		`{"unknown_measure":{}}`,
		`{"nursing_post":{"set_up":true,"extra":1}}`,
		"{\"nursing_post\":{\"set_up\":true}}\x00",
		`{"nursing_post":{"set_up":tru`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := model.DecodeFacts(data)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("an error without a message")
			}
			return
		}
		_ = facts.Validate(true)
		_ = facts.Validate(false)
		b, err := json.Marshal(facts)
		if err != nil {
			t.Fatalf("marshal accepted facts: %v", err)
		}
		again, err := model.DecodeFacts(b)
		if err != nil {
			t.Fatalf("accepted facts do not decode again: %v\n%s", err, b)
		}
		if diff := cmp.Diff(facts, again); diff != "" {
			t.Errorf("round trip changed the facts (-first +second):\n%s", diff)
		}
	})
}
