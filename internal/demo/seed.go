package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// Login is a demo account.
type Login struct {
	Username, Password string
	Role               model.Role
	Scope              string
}

// Password is every demo account's password; demo databases are throwaway.
const Password = "demo-pass"

// Seed fills an empty database with the synthetic roster and replays about
// five months of checklists, reviews and hazards day by day with the
// store's clock moved along, so the coverage history is a real one; then
// on-site inspections across those months and two campaigns (one running,
// one finished), so reports and campaigns show at once. It returns the
// demo logins. counties must be county-level divisions.
func Seed(ctx context.Context, st *store.Store, counties []model.Division, seed uint64) ([]Login, error) {
	roster := Roster(counties, seed)
	ids, err := Replay(ctx, st, roster, seed)
	if err != nil {
		return nil, err
	}
	// The people exist before today's hazards, so they are told of them.
	logins, err := seedUsers(ctx, st, roster, counties)
	if err != nil {
		return nil, err
	}
	today := st.Today()
	clock := today.Time(st.Location()).Add(10 * time.Hour)
	sim := st.WithClock(func() time.Time { return clock })
	if err := seedHazards(ctx, sim, roster, ids, today, rand.New(rand.NewPCG(seed, 0x4a2a))); err != nil {
		return nil, err
	}
	if err := seedInspections(ctx, st, roster, ids, today, rand.New(rand.NewPCG(seed, 0x14))); err != nil {
		return nil, err
	}
	if err := seedCampaigns(ctx, sim, logins[1].Scope, today); err != nil {
		return nil, err
	}
	if err := seedGuards(ctx, sim, roster, ids, today, rand.New(rand.NewPCG(seed, 0x9a4d))); err != nil {
		return nil, err
	}
	if err := seedEscort(ctx, st, roster, today, rand.New(rand.NewPCG(seed, 0xe5c0))); err != nil {
		return nil, err
	}
	return logins, nil
}

// Replay imports the roster and replays its checklist plans (see Plans):
// each submission on its check date and each review one to four days later
// (never after today), with the coverage history derived from them as the
// product derives it (store.LoadHistory). It returns the schools' ids by
// code. The benchmark uses it at national scale.
func Replay(ctx context.Context, st *store.Store, roster []model.School, seed uint64) (map[string]int64, error) {
	loc := st.Location()
	today := st.Today()
	plans := Plans(roster, today, seed)
	start := today.AddDays(-175)
	for _, p := range plans {
		if !p.Missing && p.CheckedOn < start {
			start = p.CheckedOn
		}
	}
	at := func(d model.Date) time.Time { return d.Time(loc).Add(10 * time.Hour) }
	created := at(start.AddDays(-1))
	sim := st.WithClock(func() time.Time { return created })
	lines := make([]model.SchoolLine, len(roster))
	for i, s := range roster {
		lines[i] = model.SchoolLine{Line: i + 2, School: s}
	}
	seeder := model.User{Username: "demo-seed"}
	for from := 0; from < len(lines); from += 100_000 {
		if _, err := sim.ImportSchools(ctx, seeder, lines[from:min(from+100_000, len(lines))], false); err != nil {
			return nil, fmt.Errorf("seed schools: %w", err)
		}
	}
	codes, err := st.SchoolIDs(ctx)
	if err != nil {
		return nil, err
	}
	// Each plan is a submission on its check date and, for reviewed ones, a
	// review one to four days later (never after today).
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	history := make([]store.HistoricChecklist, 0, len(plans))
	for _, p := range plans {
		if p.Missing {
			continue
		}
		c := store.HistoricChecklist{SchoolID: codes[p.School.Code], CheckedOn: p.CheckedOn, Facts: p.Facts, State: p.State,
			Submitted: at(p.CheckedOn), ReturnReason: p.ReturnReason}
		if p.State == model.Verified || p.State == model.Returned {
			c.Reviewed = at(min(p.CheckedOn.AddDays(1+r.IntN(4)), today))
		}
		history = append(history, c)
	}
	if err := st.LoadHistory(ctx, seeder, history); err != nil {
		return nil, fmt.Errorf("seed checklists: %w", err)
	}
	return codes, nil
}

// seedHazards raises a few hazards in the last weeks, some overdue, some
// already closed.
func seedHazards(ctx context.Context, st *store.Store, roster []model.School, ids map[string]int64, today model.Date, r *rand.Rand) error {
	descriptions := map[model.Measure]string{
		model.NursingPost:      "放学时段护学岗人员未到岗（演示数据）",
		model.ClosedManagement: "东侧围墙有缺口，外来人员可进入（演示数据）",
		model.SecurityGuards:   "夜间值守保安离岗（演示数据）",
		model.OneButtonAlarm:   "一键报警按钮测试未接通（演示数据）",
		model.VideoNetworking:  "校门口摄像头画面模糊（演示数据）",
	}
	inspector := model.User{Username: "demo-seed"}
	for i := 0; i < 40; i++ {
		s := roster[r.IntN(len(roster))]
		if i == 1 {
			s = roster[0] // the demo school user's school: an open hazard to see
		}
		id, ok := ids[s.Code]
		if !ok {
			continue
		}
		m := model.Measures[r.IntN(5)]
		h, err := st.CreateHazard(ctx, inspector, id, store.HazardInput{
			Measure: m, Description: descriptions[m], Severity: model.Severities[r.IntN(3)],
			Deadline: today.AddDays(7 + r.IntN(30))})
		if err != nil {
			return fmt.Errorf("seed hazard: %w", err)
		}
		if i%4 == 0 {
			if _, err := st.CloseHazard(ctx, inspector, h.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedUsers creates one account per role.
func seedUsers(ctx context.Context, st *store.Store, roster []model.School, counties []model.Division) ([]Login, error) {
	if len(roster) == 0 || len(counties) == 0 {
		return nil, fmt.Errorf("seed users: no schools")
	}
	prefecture := counties[0].ParentCode
	logins := []Login{
		{Username: "admin", Role: model.Admin},
		{Username: "leader", Role: model.Leader, Scope: counties[0].ParentCode},
		{Username: "inspector", Role: model.Inspector, Scope: prefecture},
		{Username: "school", Role: model.SchoolRep, Scope: roster[0].Code},
	}
	if anc, err := st.Ancestors(ctx, counties[0].Code); err == nil && len(anc) > 0 {
		logins[1].Scope = anc[0].Code // the leader watches the whole region
	}
	for i := range logins {
		logins[i].Password = Password
		u := model.User{Username: logins[i].Username, Role: logins[i].Role, ScopeCode: logins[i].Scope}
		if _, err := st.CreateUser(ctx, model.User{Username: "demo-seed"}, u, Password); err != nil {
			return nil, fmt.Errorf("seed user %s: %w", u.Username, err)
		}
	}
	return logins, nil
}

// seedInspections records on-site inspections across the demo's months, a
// few a day, each on its day with the store's clock there, so that period
// reports have something to count. They find nothing wrong (hazards are
// raised by seedHazards, today), so the coverage history stays as replayed.
func seedInspections(ctx context.Context, st *store.Store, roster []model.School, ids map[string]int64, today model.Date, r *rand.Rand) error {
	loc := st.Location()
	var clock time.Time
	sim := st.WithClock(func() time.Time { return clock })
	inspector := model.User{Username: "demo-seed"}
	for day := today.AddDays(-150); day < today; day++ {
		clock = day.Time(loc).Add(15 * time.Hour)
		for range 1 + r.IntN(4) {
			id, ok := ids[roster[r.IntN(len(roster))].Code]
			if !ok {
				continue
			}
			var findings []store.FindingInput
			for _, m := range model.Measures {
				findings = append(findings, store.FindingInput{Measure: m, Result: model.FindingOK})
			}
			if _, err := sim.CreateInspection(ctx, inspector, id, store.InspectionInput{InspectedOn: day,
				Participants: "演示检查组", Findings: findings}); err != nil {
				return fmt.Errorf("seed inspection: %w", err)
			}
		}
	}
	return nil
}

// seedCampaigns launches two campaigns over the region: one finished two
// months ago, one running now.
func seedCampaigns(ctx context.Context, st *store.Store, region string, today model.Date) error {
	leader := model.User{Username: "demo-seed"}
	finished := model.CampaignInput{Name: "校园安全隐患百日整治（演示）", DivisionCode: region,
		StartsOn: today.AddDays(-160), EndsOn: today.AddDays(-60)}
	finished.Targets[5] = model.Percent{Tenths: 800, Valid: true}
	running := model.CampaignInput{Name: "护校安园专项行动（演示）", DivisionCode: region,
		StartsOn: today.AddDays(-45), EndsOn: today.AddDays(45)}
	running.Targets[2] = model.Percent{Tenths: 980, Valid: true}
	running.Targets[5] = model.Percent{Tenths: 950, Valid: true}
	for _, in := range []model.CampaignInput{finished, running} {
		if _, err := st.CreateCampaign(ctx, leader, in); err != nil {
			return fmt.Errorf("seed campaign: %w", err)
		}
	}
	return nil
}

// escortSchools is how many schools of the roster (the demo school user's
// first) are served by escort posts in the demo, two to a post.
const escortSchools = 24

// seedEscort sets up escort posts (护学岗) for the first schools of the
// roster, two neighbouring schools of a county to a post, and check-ins
// over the last 30 days' school days: most sessions with police, some with
// staff only, a few missed.
func seedEscort(ctx context.Context, st *store.Store, roster []model.School, today model.Date, r *rand.Rand) error {
	seeder := model.User{Username: "demo-seed", Role: model.Admin}
	byCounty := map[string][]string{}
	var counties []string
	for _, s := range roster[:min(escortSchools, len(roster))] {
		if _, ok := byCounty[s.DivisionCode]; !ok {
			counties = append(counties, s.DivisionCode)
		}
		byCounty[s.DivisionCode] = append(byCounty[s.DivisionCode], s.Code)
	}
	var posts []model.EscortPost
	for _, county := range counties {
		codes := byCounty[county]
		for i := 0; i < len(codes); i += 2 {
			p, err := st.CreateEscortPost(ctx, seeder, model.EscortPostInput{DivisionCode: county,
				Name: fmt.Sprintf("护学岗 %s-%d", county, i/2+1), Schools: codes[i:min(i+2, len(codes))]})
			if err != nil {
				return fmt.Errorf("seed escort post in %s: %w", county, err)
			}
			posts = append(posts, p)
		}
	}
	for d := today.AddDays(-30); d < today; d++ {
		if !model.IsSchoolDay(d, nil) {
			continue
		}
		for _, sess := range model.Sessions {
			hour := 7
			if sess == model.SessionPM {
				hour = 16
			}
			at := d.Time(st.Location()).Add(time.Duration(hour) * time.Hour)
			sim := st.WithClock(func() time.Time { return at })
			for _, p := range posts {
				if r.IntN(10) == 0 { // missed
					continue
				}
				in := model.CheckInInput{Session: sess, PoliceOfficers: 1 + r.IntN(2), Staff: 1 + r.IntN(3)}
				if r.IntN(8) == 0 { // staff only
					in.PoliceOfficers = 0
				}
				if _, err := sim.CheckIn(ctx, seeder, p.ID, in); err != nil {
					return fmt.Errorf("seed check-in at post %d: %w", p.ID, err)
				}
			}
		}
	}
	return nil
}

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
