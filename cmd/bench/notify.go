package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/crypto/bcrypt"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// notifyResult is the cost of the daily reminder job (SPEC section 8) on a
// dataset: the first run (which looks back 30 days) and a following day's
// run, the steady state. The job reads only what falls due on its day, so
// its cost follows the day's due items, not the history.
type notifyResult struct {
	Officials     int     `json:"officials"`
	Hazards       int     `json:"hazards"`
	FirstSeconds  float64 `json:"first_run_seconds"`
	FirstCreated  int     `json:"first_run_notifications"`
	DailySeconds  float64 `json:"daily_run_seconds"`
	DailyCreated  int     `json:"daily_run_notifications"`
	RepeatSeconds float64 `json:"repeat_run_seconds"`
}

// measureNotify gives every prefecture an inspector and every province a
// leader, raises one hazard per 400 schools, then times the daily job for
// today, for tomorrow, and tomorrow again (which finds the day claimed).
func (b *bench) measureNotify(e engine, d *dataset) (notifyResult, error) {
	ctx := context.Background()
	var r notifyResult
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return r, err
	}
	// The officials never sign in: the cheapest password hash will do.
	st, err := store.Open(store.Options{DSN: d.dsn, Location: loc, NoSync: e == sqlite, PasswordCost: bcrypt.MinCost})
	if err != nil {
		return r, err
	}
	defer st.Close()
	all, _, err := divisions()
	if err != nil {
		return r, err
	}
	seeder := model.User{Username: "bench"}
	for _, dv := range all {
		u := model.User{Username: "insp-" + dv.Code, Role: model.Inspector, ScopeCode: dv.Code}
		switch dv.Level {
		case model.LevelProvince:
			u = model.User{Username: "lead-" + dv.Code, Role: model.Leader, ScopeCode: dv.Code}
		case model.LevelPrefecture:
		default:
			continue
		}
		if _, err := st.CreateUser(ctx, seeder, u, benchPassword); err != nil {
			return r, fmt.Errorf("official %s: %w", u.Username, err)
		}
		r.Officials++
	}
	ids, err := st.SchoolIDs(ctx)
	if err != nil {
		return r, err
	}
	today := st.Today()
	for i := 0; i < len(d.schools); i += 400 {
		id, ok := ids[d.schools[i]]
		if !ok {
			continue
		}
		if _, err := st.CreateHazard(ctx, seeder, id, store.HazardInput{Measure: model.Measures[i%5], Description: "基准测试隐患",
			Severity: model.Medium, Deadline: today.AddDays(i / 400 % 11)}); err != nil {
			return r, err
		}
		r.Hazards++
	}
	run := func(day model.Date) (float64, int, error) {
		start := time.Now()
		res, err := st.RunDailyNotifications(ctx, day, 0)
		n := 0
		for _, c := range res.Counts {
			n += c
		}
		return round2(time.Since(start).Seconds()), n, err
	}
	fmt.Fprintf(os.Stderr, "  daily reminder job (%d officials, %d hazards)…\n", r.Officials, r.Hazards)
	if r.FirstSeconds, r.FirstCreated, err = run(today); err != nil {
		return r, err
	}
	if r.DailySeconds, r.DailyCreated, err = run(today.AddDays(1)); err != nil {
		return r, err
	}
	r.RepeatSeconds, _, err = run(today.AddDays(1))
	return r, err
}
