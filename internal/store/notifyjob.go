package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// The daily job (SPEC section 8): the time-based notifications of one day.
//
// Its cost does not grow with history: it reads the checks whose stage
// days fall between the previous run and this one (through the expiry
// index of school_coverage), the hazards whose deadlines do (through the
// (state, deadline) index), the schools added 30 days before, and what was
// submitted or raised since the previous run. A stage fires on the first
// run on or after its day, so a run after missed days catches up, and a
// check first seen within 7 days of expiry gets the 7-day item only.

// notifyLookback is how far the first run, or a run after a long pause,
// looks back for stage days.
const notifyLookback = 30

// NotifyRun is what the daily job did for one day.
type NotifyRun struct {
	Day model.Date
	// AlreadyRan is true when the day had been run before (by this server
	// or another): nothing was done.
	AlreadyRan bool
	Counts     map[model.NotificationKind]int
}

type notificationRunRow struct {
	Day         string `gorm:"primaryKey"`
	RanAt       time.Time
	MaxHazardID int64
	Counts      string
}

func (notificationRunRow) TableName() string { return "notification_runs" }

// LastNotifyDay is the latest day the daily job ran for, ok false if never.
func (s *Store) LastNotifyDay(ctx context.Context) (model.Date, bool, error) {
	var r notificationRunRow
	err := s.r.WithContext(ctx).Order("day DESC").Limit(1).Take(&r).Error
	if err != nil {
		if notFound(err) == ErrNotFound {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("store: last notify run: %w", err)
	}
	d, err := model.ParseDate(r.Day)
	return d, err == nil, err
}

// RunDailyNotifications runs the daily job for day in one transaction that
// first claims the day: a second run of the same day, here or on another
// server, finds it claimed and does nothing; a run that fails leaves no
// claim and no notification behind. escalationDays <= 0 means the default.
func (s *Store) RunDailyNotifications(ctx context.Context, day model.Date, escalationDays int) (NotifyRun, error) {
	if escalationDays <= 0 {
		escalationDays = model.DefaultEscalationDays
	}
	run := NotifyRun{Day: day, Counts: map[model.NotificationKind]int{}}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		now := s.now().UTC()
		res := tx.Exec("INSERT INTO notification_runs (day, ran_at, max_hazard_id, counts) VALUES (?, ?, 0, '{}') ON CONFLICT (day) DO NOTHING", day.String(), now)
		if res.Error != nil {
			return fmt.Errorf("claim notify day: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			run.AlreadyRan = true
			return nil
		}
		var prev notificationRunRow
		first := false
		if err := tx.Where("day < ?", day.String()).Order("day DESC").Limit(1).Take(&prev).Error; err != nil {
			if notFound(err) != ErrNotFound {
				return err
			}
			first = true
		}
		from := day.AddDays(-notifyLookback) // P: the last day already done
		if !first {
			if p, err := model.ParseDate(prev.Day); err == nil && p > from {
				from = p
			}
		}
		var maxHazard int64
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM hazards").Scan(&maxHazard).Error; err != nil {
			return err
		}
		j := &dailyJob{s: s, tx: tx, day: day, from: from, escalation: escalationDays}
		if !first {
			j.since = prev.RanAt.Add(-time.Hour) // overlap: the unique key drops repeats
			j.hazardsAfter = prev.MaxHazardID
		} else {
			j.hazardsAfter = maxHazard
		}
		if err := j.collect(); err != nil {
			return err
		}
		counts, err := s.insertNotices(tx, j.notices)
		if err != nil {
			return err
		}
		run.Counts = counts
		b, _ := json.Marshal(counts)
		return tx.Model(&notificationRunRow{}).Where("day = ?", day.String()).
			Updates(map[string]any{"max_hazard_id": maxHazard, "counts": string(b)}).Error
	})
	if err != nil {
		return run, fmt.Errorf("store: daily notifications for %s: %w", day, err)
	}
	return run, nil
}

type dailyJob struct {
	s            *Store
	tx           *gorm.DB
	day, from    model.Date
	escalation   int
	since        time.Time // checklists submitted after this are new (zero: first run)
	hazardsAfter int64
	off          *officials
	schoolUsers  map[string][]int64
	notices      []notice
}

// dueCheck is a school's current reported check, or its absence.
type dueCheck struct {
	SchoolID     int64
	Code         string
	Name         string
	DivisionCode string
	ChecklistID  *int64
	ExpiresOn    *model.Date
	CreatedAt    time.Time
}

type dueHazard struct {
	ID           int64
	SchoolID     int64
	Measure      string
	Deadline     model.Date
	Description  string
	Code         string
	Name         string
	DivisionCode string
}

func (j *dailyJob) collect() error {
	var err error
	if j.off, err = loadOfficials(j.tx); err != nil {
		return err
	}
	d, p := j.day, j.from
	// The three windows of stage days in (P, D]: expired (the day after
	// expiry), 7 days before, 30 days before. Steady state: one day each.
	windows := [][2]model.Date{{p, d.AddDays(-1)}, {max(d, p.AddDays(8)), d.AddDays(7)}, {max(d.AddDays(8), p.AddDays(31)), d.AddDays(30)}}
	checks, fresh, err := j.checksExpiring(windows)
	if err != nil {
		return err
	}
	hazards, err := j.hazardsByDeadline(p.AddDays(1-j.escalation), d.AddDays(3))
	if err != nil {
		return err
	}
	never, err := j.neverChecked()
	if err != nil {
		return err
	}
	drills, drillRules, err := j.drillsDue()
	if err != nil {
		return err
	}
	var codes []string
	for _, d := range drills {
		codes = append(codes, d.Code)
	}
	for _, list := range [][]dueCheck{checks, fresh, never} {
		for _, c := range list {
			codes = append(codes, c.Code)
		}
	}
	for _, h := range hazards {
		codes = append(codes, h.Code)
	}
	if j.schoolUsers, err = schoolUsers(j.tx, codes); err != nil {
		return err
	}
	for _, c := range checks {
		j.classifyCheck(c, false)
	}
	for _, c := range fresh {
		j.classifyCheck(c, true)
	}
	for _, c := range never {
		ref := schoolRef{ID: c.SchoolID, Code: c.Code, Name: c.Name, Division: c.DivisionCode}
		added := model.DateOf(c.CreatedAt.In(j.s.loc))
		j.add(model.KindCheckExpired, c.SchoolID, model.StageNever, ref, map[string]any{"added_on": added.String()},
			append(j.schoolUsers[c.Code], j.off.countyInspectors(c.DivisionCode)...))
	}
	for _, h := range hazards {
		j.classifyHazard(h)
	}
	j.notifyDrills(drills, drillRules)
	return j.reviewsWaiting()
}

// classifyCheck adds the stage a check is at today, if its stage day
// falls after the previous run (or the check is new since then).
func (j *dailyJob) classifyCheck(c dueCheck, isNew bool) {
	if c.ChecklistID == nil || c.ExpiresOn == nil {
		return
	}
	d, p, e := j.day, j.from, *c.ExpiresOn
	ref := schoolRef{ID: c.SchoolID, Code: c.Code, Name: c.Name, Division: c.DivisionCode}
	params := map[string]any{"expires_on": e.String()}
	users := j.schoolUsers[c.Code]
	switch {
	case e < d && (isNew || e >= p): // the day after expiry is in (P, D]
		j.add(model.KindCheckExpired, *c.ChecklistID, "", ref, params, append(users, j.off.countyInspectors(c.DivisionCode)...))
	case e >= d && e <= d.AddDays(7) && (isNew || e > p.AddDays(7)):
		j.add(model.KindCheckExpiring, *c.ChecklistID, model.Stage7Days, ref, params, users)
	case e > d.AddDays(7) && e <= d.AddDays(30) && (isNew || e > p.AddDays(30)):
		j.add(model.KindCheckExpiring, *c.ChecklistID, model.Stage30Days, ref, params, users)
	}
}

func (j *dailyJob) classifyHazard(h dueHazard) {
	d, p, dl := j.day, j.from, h.Deadline
	ref := schoolRef{ID: h.SchoolID, Code: h.Code, Name: h.Name, Division: h.DivisionCode}
	desc := []rune(h.Description)
	if len(desc) > 120 {
		desc = append(desc[:120], '…')
	}
	params := map[string]any{"deadline": dl.String(), "measure": h.Measure, "description": string(desc)}
	isNew := h.ID > j.hazardsAfter
	users := j.schoolUsers[h.Code]
	if dl >= d && dl <= d.AddDays(3) && (isNew || dl > p.AddDays(3)) {
		j.add(model.KindHazardDueSoon, h.ID, "", ref, params, users)
	}
	if dl < d && dl >= p {
		j.add(model.KindHazardOverdue, h.ID, "", ref, params, append(users, j.off.countyInspectors(h.DivisionCode)...))
	}
	if esc := dl.AddDays(j.escalation); esc <= d && esc > p {
		j.add(model.KindHazardEscalated, h.ID, "", ref, params, j.off.escalationRecipients(h.DivisionCode))
	}
}

func (j *dailyJob) add(kind model.NotificationKind, subject int64, stage string, ref schoolRef, params map[string]any, to []int64) {
	if len(to) == 0 {
		return
	}
	params["school"] = ref.Name
	j.notices = append(j.notices, notice{kind: kind, subject: subject, stage: stage, school: ref, params: params, recipients: to})
}

// checksExpiring reads the active schools whose current reported check
// expires in one of the windows, and apart those whose check was submitted since the
// previous run (whatever their expiry).
func (j *dailyJob) checksExpiring(windows [][2]model.Date) (window, fresh []dueCheck, err error) {
	base := func() *gorm.DB {
		return j.tx.Table("school_coverage c").
			Select("c.school_id, s.code, s.name, s.division_code, c.checklist_id, c.expires_on, s.created_at").
			Joins("JOIN schools s ON s.id = c.school_id").
			Where("c.basis = ? AND s.active = ?", string(model.BasisReported), true)
	}
	for _, w := range windows {
		if w[0] > w[1] {
			continue
		}
		var part []dueCheck
		if err := base().Where("c.expires_on >= ? AND c.expires_on <= ?", w[0], w[1]).Scan(&part).Error; err != nil {
			return nil, nil, fmt.Errorf("checks expiring: %w", err)
		}
		window = append(window, part...)
	}
	if j.since.IsZero() {
		return window, nil, nil
	}
	if err := base().Where("c.school_id IN (SELECT school_id FROM checklists WHERE state IN ? AND submitted_at > ?)",
		[]string{string(model.Submitted), string(model.Verified)}, j.since.UTC()).Scan(&fresh).Error; err != nil {
		return nil, nil, fmt.Errorf("checks submitted since the last run: %w", err)
	}
	return window, fresh, nil
}

// hazardsByDeadline reads the hazards not closed whose deadline is in
// [lo, hi], and those raised since the previous run.
func (j *dailyJob) hazardsByDeadline(lo, hi model.Date) ([]dueHazard, error) {
	var out []dueHazard
	err := j.tx.Table("hazards h").
		Select("h.id, h.school_id, h.measure, h.deadline, h.description, s.code, s.name, s.division_code").
		Joins("JOIN schools s ON s.id = h.school_id").
		Where("h.state IN ? AND s.active = ?", []string{string(model.HazardOpen), string(model.HazardAnswered)}, true).
		Where("((h.deadline >= ? AND h.deadline <= ?) OR h.id > ?)", lo, hi, j.hazardsAfter).
		Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("hazards by deadline: %w", err)
	}
	return out, nil
}

// neverChecked reads the active schools added on a day whose 30th day
// after falls in (P, D] and that have no reported check.
func (j *dailyJob) neverChecked() ([]dueCheck, error) {
	lo := j.from.AddDays(1 - 30).Time(j.s.loc).UTC()
	hi := j.day.AddDays(1 - 30).Time(j.s.loc).UTC()
	var out []dueCheck
	err := j.tx.Table("schools s").
		Select("s.id AS school_id, s.code, s.name, s.division_code, s.created_at").
		Joins("LEFT JOIN school_coverage c ON c.school_id = s.id AND c.basis = ?", string(model.BasisReported)).
		Where("s.created_at >= ? AND s.created_at < ? AND s.active = ? AND c.checklist_id IS NULL", lo, hi, true).
		Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("schools never checked: %w", err)
	}
	return out, nil
}

// reviewsWaiting tells each inspector how many checklists in their scope
// have waited for review more than ReviewWaitDays days: one item a day.
func (j *dailyJob) reviewsWaiting() error {
	before := j.day.AddDays(-model.ReviewWaitDays).Time(j.s.loc).UTC()
	var rows []struct {
		DivisionCode string
		N            int
	}
	err := j.tx.Table("checklists c").Select("s.division_code, COUNT(*) AS n").
		Joins("JOIN schools s ON s.id = c.school_id").
		Where("c.state = ? AND c.submitted_at < ?", string(model.Submitted), before).
		Group("s.division_code").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("reviews waiting: %w", err)
	}
	perScope := map[string]int{}
	for _, r := range rows {
		for _, a := range j.off.ancestors(r.DivisionCode) {
			perScope[a.Code] += r.N
		}
	}
	for _, u := range j.off.users {
		if u.Role != model.Inspector || perScope[u.ScopeCode] == 0 {
			continue
		}
		n := perScope[u.ScopeCode]
		j.notices = append(j.notices, notice{kind: model.KindReviewsWaiting, stage: j.day.String(),
			school: schoolRef{Division: u.ScopeCode}, params: map[string]any{"count": n}, recipients: []int64{u.ID}})
	}
	return nil
}
