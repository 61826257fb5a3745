package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// registerSchools is how many schools of the roster keep a guard register
// in the demo: enough for figures and conflicts, few enough to seed fast.
const registerSchools = 200

// seedGuards keeps the registers of the first schools of the roster (the
// demo school user's among them): as many guards as the rules ask for, a
// few licence numbers active at two schools (conflicts for inspectors to
// see), and alarm tests and drills over the last months.
func seedGuards(ctx context.Context, st *store.Store, roster []model.School, ids map[string]int64, today model.Date, r *rand.Rand) error {
	rules := model.DefaultRuleSet()
	seeder := model.User{Username: "demo-seed"}
	serial := 0
	var licences []string
	for i, s := range roster[:min(registerSchools, len(roster))] {
		id, ok := ids[s.Code]
		if !ok {
			continue
		}
		n := rules.Guards.Required(s.Students, s.Boarders)
		lines := make([]model.GuardLine, n)
		for j := range lines {
			serial++
			first17 := fmt.Sprintf("%s19%02d%02d%02d%03d", s.DivisionCode, 70+r.IntN(30), 1+r.IntN(12), 1+r.IntN(28), serial%1000)
			check, _ := model.ResidentIDCheck(first17)
			g := model.GuardInput{Name: guardName(r), IDNumber: first17 + string(check), Employer: "演示保安服务有限公司",
				HiredOn: today.AddDays(-30 - r.IntN(700))}
			g.TrainedOn = g.HiredOn.AddDays(r.IntN(20))
			if r.IntN(10) > 0 { // one in ten not yet licensed
				g.LicenceNo = fmt.Sprintf("蒙公保%06d", serial)
			}
			// Every 40th school's first guard holds a licence already
			// active at an earlier school: a conflict.
			if j == 0 && i%40 == 39 && len(licences) > 0 {
				g.LicenceNo = licences[r.IntN(len(licences))]
			}
			if g.LicenceNo != "" {
				licences = append(licences, g.LicenceNo)
			}
			lines[j] = model.GuardLine{Line: j + 2, Guard: g}
		}
		if _, err := st.ImportGuards(ctx, seeder, id, lines, nil); err != nil {
			return fmt.Errorf("seed guards of %s: %w", s.Code, err)
		}
		// An alarm test and a drill most months; some schools fall behind.
		for back := 10 + r.IntN(20); back < 200; back += 25 + r.IntN(20) {
			minutes := 3 + r.IntN(10)
			if _, err := st.AddAlarmTest(ctx, seeder, id, model.AlarmTestInput{TestedOn: today.AddDays(-back), OK: r.IntN(12) > 0,
				PoliceNotified: true, ResponseMinutes: &minutes}); err != nil {
				return fmt.Errorf("seed alarm test of %s: %w", s.Code, err)
			}
			if _, err := st.AddDrill(ctx, seeder, id, model.DrillInput{HeldOn: today.AddDays(-back - r.IntN(5)),
				Kind: model.DrillKinds[r.IntN(len(model.DrillKinds))], Participants: s.Students}); err != nil {
				return fmt.Errorf("seed drill of %s: %w", s.Code, err)
			}
		}
	}
	return nil
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "巴特尔", "其其格"}
	givenNames = []string{"建国", "志强", "海军", "宝音", "苏和", "永胜", "德力格尔", "金山", "立新", "国庆"}
)

func guardName(r *rand.Rand) string {
	return surnames[r.IntN(len(surnames))] + givenNames[r.IntN(len(givenNames))]
}
