package roster

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

func TestProblemsInLineOrder(t *testing.T) {
	var p problems
	if err := p.err(); err != nil {
		t.Fatalf("err() of no problems = %v, want nil", err)
	}
	p.add(3, `type "x" is not a school type`)
	p.add(2, "name is required")
	p.addf(3, "code %q already on line %d", "A", 2)

	want := model.LineErrors{
		{Line: 2, Message: "name is required"},
		{Line: 3, Message: `type "x" is not a school type`},
		{Line: 3, Message: `code "A" already on line 2`},
	}
	if diff := cmp.Diff(want, lineErrors(t, p.err())); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantText := "line 2: name is required\nline 3: type \"x\" is not a school type\nline 3: code \"A\" already on line 2"
	if got := p.err().Error(); got != wantText {
		t.Errorf("Error() =\n%s\nwant\n%s", got, wantText)
	}
}

func TestErrorLines(t *testing.T) {
	storeErr := model.LineErrors{{Line: 4, Message: "division_code 150999 does not exist"}}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"line errors", storeErr, []string{"line 4: division_code 150999 does not exist"}},
		{"wrapped", fmt.Errorf("import: %w", storeErr), []string{"line 4: division_code 150999 does not exist"}},
		{"other error", ErrUnsupportedType, nil},
		{"nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ErrorLines(tt.err)); diff != "" {
				t.Errorf("ErrorLines (-want +got):\n%s", diff)
			}
		})
	}
}
