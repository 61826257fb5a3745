package web

import (
	"context"
	"strconv"
	"strings"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// RegistersPage is a school's registers: the guard register (保安员) with
// its licence conflicts, and the forms that add to it.
type RegistersPage struct {
	Base
	School        model.School
	CanKeep       bool               // may add and change entries (the school's users, admins)
	EscortPosts   []model.EscortPost // the escort posts serving the school
	Guards        []model.Guard
	GuardValues   map[string]string // the entry form as typed: the API's field names
	GuardErrors   model.FieldErrors
	ImportErrors  []string          // "line N: reason" of a refused import
	Imported      int               // guards added by the import just made
	AlarmTests    []model.AlarmTest // newest first
	AlarmValues   map[string]string // the test form as typed: tested_on, ok, police_notified, response_minutes
	AlarmErrors   model.FieldErrors
	Drills        []model.Drill     // newest first
	DrillInterval int               // days allowed between two drills at this school
	DrillValues   map[string]string // the drill form as typed: held_on, kind, participants
	DrillErrors   model.FieldErrors
}

// GuardLeavePage records the first day a guard no longer works there.
type GuardLeavePage struct {
	Base
	School model.School
	Guard  model.Guard
	Values map[string]string // left_on
	Errors model.FieldErrors
}

// GuardConflictsPage lists the licence numbers active at two or more
// schools, for inspectors of a division.
type GuardConflictsPage struct {
	Base
	Division   model.Division
	Breadcrumb []model.Division // the division's ancestors, top first
	Conflicts  []model.GuardConflict
}

// RegisterSummary is what a school's page shows of its registers.
type RegisterSummary struct {
	ActiveGuards int
	Conflicts    []model.Guard // active guards whose licence is active elsewhere
}

// SummarizeRegisters counts a register's active guards and conflicts on day d.
func SummarizeRegisters(guards []model.Guard, d model.Date) RegisterSummary {
	var s RegisterSummary
	for _, g := range guards {
		if g.ActiveOn(d) {
			s.ActiveGuards++
			if g.Conflict {
				s.Conflicts = append(s.Conflicts, g)
			}
		}
	}
	return s
}

func activeGuardCount(guards []model.Guard, d model.Date) int {
	return SummarizeRegisters(guards, d).ActiveGuards
}

func joinCodes(codes []string) string { return strings.Join(codes, ", ") }

// guardImportSample is a header row and one guard, as the import expects.
const guardImportSample = "name,id_number,licence_no,employer,hired_on,trained_on\n" +
	"张三,11010519491231002X,蒙公保证字0001,某保安服务公司,2024-03-01,2024-03-15\n"

// minutesText is a police response time, "—" when not measured.
func minutesText(m *int) string {
	if m == nil {
		return "—"
	}
	return strconv.Itoa(*m)
}

// yesNoText words a yes or no answer.
func yesNoText(ctx context.Context, b bool) string {
	if b {
		return i18n.T(ctx, "form.yes")
	}
	return i18n.T(ctx, "form.no")
}

// factOf is the fact table's entry of a key ("<measure>.<fact>").
func factOf(key string) model.Fact {
	for _, f := range model.FactTable {
		if f.Key == key {
			return f
		}
	}
	return model.Fact{Key: key}
}

// drillDue reports whether the school is due a drill today.
func drillDue(p RegistersPage) bool {
	var last model.Date
	if len(p.Drills) > 0 {
		last = p.Drills[0].HeldOn
	}
	return model.DrillDue(last, p.Today, p.DrillInterval)
}
