package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// Resident ID numbers with valid check characters, for the register tests.
const (
	idA = "150102199003071237"
	idB = "150203198506154410"
	idC = "11010519491231002X"
)

func guardIn(name, id, licence string, hired model.Date) model.GuardInput {
	return model.GuardInput{Name: name, IDNumber: id, LicenceNo: licence, Employer: "保安服务公司", HiredOn: hired}
}

func TestGuardRegisterConflictsAndMasking(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		start := model.NewDate(2026, 9, 1)
		s, c := newTestStore(t, engine, start)
		ctx := context.Background()
		a := addSchool(t, s, "1501020001", "150102", 500)
		b := addSchool(t, s, "1502020001", "150202", 500)

		ga, err := s.AddGuard(ctx, testAdmin, a.ID, guardIn("张三", idA, "NM-001", start-30))
		if err != nil {
			t.Fatal(err)
		}
		if ga.IDMasked != "150102********1237" {
			t.Errorf("masked = %q", ga.IDMasked)
		}
		// The same person twice at one school is refused, whatever the case of x.
		_, err = s.AddGuard(ctx, testAdmin, a.ID, guardIn("张三", idA, "NM-009", start-3))
		var fe model.FieldErrors
		if !errors.As(err, &fe) || fe.For("id_number") == "" {
			t.Fatalf("duplicate person: err = %v, want an id_number field error", err)
		}
		if _, err := s.AddGuard(ctx, testAdmin, a.ID, guardIn("李四", "150102199003071238", "", start)); !errors.As(err, &fe) {
			t.Fatalf("bad check digit: err = %v", err)
		}
		if strings.Contains(err.Error(), "150102199003071238") {
			t.Errorf("error quotes the ID number: %v", err)
		}

		// Licence NM-001 at school b too: a conflict on both.
		gb, err := s.AddGuard(ctx, testAdmin, b.ID, guardIn("王五", idB, "NM-001", start-10))
		if err != nil {
			t.Fatal(err)
		}
		conflictAt := func(schoolID int64) []string {
			t.Helper()
			gs, err := s.SchoolGuards(ctx, schoolID)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gs {
				if g.Conflict {
					return g.ConflictSchools
				}
			}
			return nil
		}
		if got := conflictAt(a.ID); len(got) != 1 || got[0] != b.Code {
			t.Errorf("conflict at a = %v, want [%s]", got, b.Code)
		}
		if got := conflictAt(b.ID); len(got) != 1 || got[0] != a.Code {
			t.Errorf("conflict at b = %v, want [%s]", got, a.Code)
		}
		list, err := s.GuardConflicts(ctx, "150100")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].LicenceNo != "NM-001" || len(list[0].Guards) != 2 {
			t.Fatalf("conflicts under 150100 = %+v", list)
		}
		if list, _ := s.GuardConflicts(ctx, "150103"); len(list) != 0 {
			t.Errorf("conflicts under 150103 = %+v, want none", list)
		}

		// b's guard leaves tomorrow: still a conflict today, gone from then.
		if _, err := s.LeaveGuard(ctx, testAdmin, gb.ID, start+1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LeaveGuard(ctx, testAdmin, gb.ID, start+2); !errors.Is(err, ErrConflict) {
			t.Errorf("leaving twice: err = %v, want ErrConflict", err)
		}
		if got := conflictAt(a.ID); len(got) != 1 {
			t.Errorf("before the leaving day: conflict = %v", got)
		}
		c.day(start + 1)
		if got := conflictAt(a.ID); got != nil {
			t.Errorf("after leaving: conflict = %v, want none", got)
		}
		if list, _ := s.GuardConflicts(ctx, ""); len(list) != 0 {
			t.Errorf("after leaving: conflicts = %+v", list)
		}
		n, err := s.GuardCount(ctx, b.ID, start+1)
		if err != nil || n != (model.GuardCount{Kept: true}) {
			t.Errorf("b's register after leaving = %+v, %v", n, err)
		}

		// No whole ID number in any table row the audit log holds.
		entries, _, err := s.AuditTrail(ctx, AuditQuery{Entity: "guard", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 {
			t.Errorf("%d guard audit entries, want 3", len(entries))
		}
		for _, e := range entries {
			for _, id := range []string{idA, idB} {
				if strings.Contains(e.Old+e.New, id) || strings.Contains(e.Old+e.New, id[:17]) {
					t.Errorf("audit entry %d holds an ID number: %s %s", e.ID, e.Old, e.New)
				}
			}
			if !strings.Contains(e.New, "********") {
				t.Errorf("audit entry %d lacks the masked number: %s", e.ID, e.New)
			}
		}
		var leaked int64
		if err := s.r.Table("guards").Where("id_hash LIKE ? OR id_masked LIKE ? OR id_hash LIKE ?", "%"+idA[6:14]+"%", "%"+idA[6:14]+"%", "%"+idB[6:14]+"%").Count(&leaked).Error; err != nil {
			t.Fatal(err)
		}
		if leaked != 0 {
			t.Errorf("%d guard rows hold the birth-date digits of an ID number", leaked)
		}
	})
}

func TestImportGuardsAllOrNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		start := model.NewDate(2026, 9, 1)
		s, _ := newTestStore(t, engine, start)
		ctx := context.Background()
		a := addSchool(t, s, "1501020001", "150102", 500)
		if _, err := s.AddGuard(ctx, testAdmin, a.ID, guardIn("张三", idA, "NM-001", start-30)); err != nil {
			t.Fatal(err)
		}
		lines := []model.GuardLine{
			{Line: 2, Guard: guardIn("李四", idB, "NM-002", start-5)},
			{Line: 3, Guard: guardIn("王五", idA, "NM-003", start-5)},            // already on the register
			{Line: 4, Guard: guardIn("赵六", "150102199003071238", "", start-5)}, // bad check digit
			{Line: 5, Guard: guardIn("钱七", strings.ToLower(idB), "", start+3)}, // twice in the file, and in the future
		}
		_, err := s.ImportGuards(ctx, testAdmin, a.ID, lines, model.LineErrors{{Line: 6, Message: "hired_on \"x\" is not a date (YYYY-MM-DD)"}})
		var le model.LineErrors
		if !errors.As(err, &le) {
			t.Fatalf("err = %v, want LineErrors", err)
		}
		got := err.Error()
		for _, want := range []string{"line 3: this person is already", "line 4: the resident ID number's check character", "line 5: hired_on 2026-09-04 is in the future", "line 5: the same resident ID number is already on line 2", "line 6: hired_on \"x\""} {
			if !strings.Contains(got, want) {
				t.Errorf("errors lack %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, idB) || strings.Contains(got, "150102199003071238") {
			t.Errorf("errors quote an ID number:\n%s", got)
		}
		if n, _ := s.GuardCount(ctx, a.ID, start); n.FullTime != 1 {
			t.Errorf("after a refused import the register has %d active guards, want 1", n.FullTime)
		}
		n, err := s.ImportGuards(ctx, testAdmin, a.ID, lines[:1], nil)
		if err != nil || n != 1 {
			t.Fatalf("good import: %d, %v", n, err)
		}
		if c, _ := s.GuardCount(ctx, a.ID, start); c != (model.GuardCount{Kept: true, FullTime: 2, Licensed: 2}) {
			t.Errorf("register = %+v", c)
		}
	})
}
