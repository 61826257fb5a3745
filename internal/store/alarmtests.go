package store

import (
	"context"
	"time"

	"safecampus/internal/model"
)

type alarmTestRow struct {
	ID              int64 `gorm:"primaryKey"`
	SchoolID        int64
	TestedOn        model.Date
	OK              bool `gorm:"column:ok"`
	PoliceNotified  bool
	ResponseMinutes *int
	CreatedBy       *int64
	Creator         string
	CreatedAt       time.Time
}

func (alarmTestRow) TableName() string { return "alarm_tests" }

func (r alarmTestRow) model() model.AlarmTest {
	return model.AlarmTest{ID: r.ID, SchoolID: r.SchoolID, TestedOn: r.TestedOn, OK: r.OK, PoliceNotified: r.PoliceNotified,
		ResponseMinutes: r.ResponseMinutes, CreatedBy: r.Creator, CreatedAt: r.CreatedAt}
}

// AddAlarmTest logs a test of a school's alarm. A test in the future and
// other bad values are model.FieldErrors; a closed school ErrSchoolClosed.
func (s *Store) AddAlarmTest(ctx context.Context, actor model.User, schoolID int64, in model.AlarmTestInput) (_ model.AlarmTest, err error) {
	defer wrap(&err, "log alarm test of school %d", schoolID)
	if errs := in.Validate(s.Today()); len(errs) > 0 {
		return model.AlarmTest{}, errs
	}
	row := alarmTestRow{SchoolID: schoolID, TestedOn: in.TestedOn, OK: in.OK, PoliceNotified: in.PoliceNotified,
		ResponseMinutes: in.ResponseMinutes, CreatedBy: actorID(actor), Creator: actor.Username, CreatedAt: s.now().UTC()}
	err = s.createAudited(ctx, actor, schoolID, "alarm_test", &row, func() int64 { return row.ID }, func(school string) map[string]any {
		return map[string]any{"school": school, "tested_on": row.TestedOn, "ok": row.OK, "police_notified": row.PoliceNotified,
			"response_minutes": row.ResponseMinutes}
	})
	return row.model(), err
}

// SchoolAlarmTests returns a school's latest logged tests, newest first.
func (s *Store) SchoolAlarmTests(ctx context.Context, schoolID int64, limit int) (_ []model.AlarmTest, err error) {
	defer wrap(&err, "alarm tests of school %d", schoolID)
	return schoolLog(ctx, s.r, schoolID, "tested_on", limit, alarmTestRow.model)
}

// RegisterFacts is what a school's registers say on day d: its guards
// then, and its newest alarm test on or before d.
func (s *Store) RegisterFacts(ctx context.Context, schoolID int64, d model.Date) (_ model.RegisterFacts, err error) {
	defer wrap(&err, "register facts of school %d on %s", schoolID, d)
	var out model.RegisterFacts
	if out.Guards, err = s.GuardCount(ctx, schoolID, d); err != nil {
		return out, err
	}
	var rows []alarmTestRow
	if err := s.r.WithContext(ctx).Where("school_id = ? AND tested_on <= ?", schoolID, d).
		Order("tested_on DESC, id DESC").Limit(1).Find(&rows).Error; err != nil {
		return out, err
	}
	if len(rows) > 0 {
		t := rows[0].model()
		out.AlarmTest = &t
	}
	return out, nil
}
