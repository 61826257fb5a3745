package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// notifyUsers creates the people of the notification tests and returns
// their ids by username.
func notifyUsers(t *testing.T, s *Store, users ...model.User) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, u := range users {
		got, err := s.CreateUser(context.Background(), testAdmin, u, "Passw0rd-long")
		if err != nil {
			t.Fatalf("user %s: %v", u.Username, err)
		}
		ids[u.Username] = got.ID
	}
	return ids
}

// runJob runs the daily job for d at 07:00 that day.
func runJob(t *testing.T, s *Store, c *clock, d model.Date) NotifyRun {
	t.Helper()
	c.t = d.Time(time.UTC).Add(7 * time.Hour)
	r, err := s.RunDailyNotifications(context.Background(), d, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// received lists a user's notifications as "kind/stage subject@day", the
// day being when it was made, oldest first.
func received(t *testing.T, s *Store, userID int64) []string {
	t.Helper()
	items, _, err := s.Notifications(context.Background(), NotificationQuery{UserID: userID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(items) - 1; i >= 0; i-- {
		n := items[i]
		kind := string(n.Kind)
		if n.Stage != "" && n.Kind != model.KindReviewsWaiting {
			kind += "/" + n.Stage
		}
		out = append(out, fmt.Sprintf("%s %s@%s", kind, n.SchoolCode, model.DateOf(n.CreatedAt)))
	}
	return out
}

func TestNotificationsAtEveryStageBoundary(t *testing.T) {
	forEachEngine(t, testNotificationsAtEveryStageBoundary)
}

func testNotificationsAtEveryStageBoundary(t *testing.T, engine string) {
	d0 := model.NewDate(2026, 1, 5)
	s, c := newTestStore(t, engine, d0)
	ctx := context.Background()
	a := addSchool(t, s, "A", "150102", 500)  // checked on d0, a hazard
	addSchool(t, s, "B", "150102", 500)       // never checked
	cc := addSchool(t, s, "C", "150202", 500) // another prefecture; returned
	dd := addSchool(t, s, "D", "150103", 500) // waits for review
	ids := notifyUsers(t, s,
		model.User{Username: "school-a", Role: model.SchoolRep, ScopeCode: "A"},
		model.User{Username: "school-b", Role: model.SchoolRep, ScopeCode: "B"},
		model.User{Username: "school-c", Role: model.SchoolRep, ScopeCode: "C"},
		model.User{Username: "insp-county", Role: model.Inspector, ScopeCode: "150102"},
		model.User{Username: "insp-city", Role: model.Inspector, ScopeCode: "150100"},
		model.User{Username: "insp-region", Role: model.Inspector, ScopeCode: "150000"},
		model.User{Username: "insp-baotou", Role: model.Inspector, ScopeCode: "150200"},
		model.User{Username: "lead-city", Role: model.Leader, ScopeCode: "150100"},
		model.User{Username: "lead-region", Role: model.Leader, ScopeCode: "150000"},
	)
	inspector := model.User{ID: ids["insp-city"], Username: "insp-city", Role: model.Inspector, ScopeCode: "150100"}
	schoolA := model.User{ID: ids["school-a"], Username: "school-a", Role: model.SchoolRep, ScopeCode: "A"}

	verify(t, s, submit(t, s, a, d0, goodFacts(d0))) // expires_on d0+180
	ret := submit(t, s, cc, d0, goodFacts(d0))
	var hazard model.Hazard
	horizon := d0.AddDays(200)
	for d := d0; d <= horizon; d++ {
		runJob(t, s, c, d)
		c.day(d) // events at noon
		switch d {
		case d0.AddDays(1):
			if _, err := s.ReturnChecklist(ctx, inspector, ret.ID, "照片不清楚"); err != nil {
				t.Fatal(err)
			}
		case d0.AddDays(10):
			var err error
			hazard, err = s.CreateHazard(ctx, inspector, a.ID, HazardInput{Measure: model.NursingPost, Description: "护学岗无人", Severity: model.High, Deadline: d0.AddDays(20)})
			if err != nil {
				t.Fatal(err)
			}
		case d0.AddDays(12):
			if _, err := s.AnswerHazard(ctx, schoolA, hazard.ID, "已安排人员", nil); err != nil {
				t.Fatal(err)
			}
		case d0.AddDays(40):
			submit(t, s, dd, d.AddDays(-100), goodFacts(d.AddDays(-100))) // expires on d0+120
		case d0.AddDays(50):
			if _, err := s.VerifyChecklists(ctx, inspector, []int64{reviewID(t, s, dd)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := func(n int) string { return d0.AddDays(n).String() }
	expired := d0.AddDays(181) // the day after expires_on = d0+180
	want := map[string][]string{
		"school-a": {
			"hazard_raised A@" + at(10), "hazard_due_soon A@" + at(17), "hazard_overdue A@" + at(21),
			"check_expiring/30d A@" + at(150), "check_expiring/7d A@" + at(173), "check_expired A@" + expired.String(),
		},
		"school-b": {"check_expired/never B@" + at(30)},
		"school-c": {"checklist_returned C@" + at(1), "check_expired/never C@" + at(30)},
		"insp-county": {
			"hazard_answered A@" + at(12), "hazard_overdue A@" + at(21), "check_expired/never B@" + at(30),
			"check_expired A@" + expired.String(),
		},
		"insp-city": append([]string{
			"hazard_answered A@" + at(12), "hazard_overdue A@" + at(21), "hazard_escalated A@" + at(27),
			"check_expired/never B@" + at(30), "check_expired/never D@" + at(30),
		}, append(waiting(d0, 44, 50), "check_expired D@"+at(121), "check_expired A@"+expired.String())...),
		"insp-region": append([]string{"hazard_answered A@" + at(12)}, waiting(d0, 44, 50)...),
		"insp-baotou": {"check_expired/never C@" + at(30)},
		"lead-city":   {"hazard_escalated A@" + at(27)},
		"lead-region": nil,
	}
	for name, w := range want {
		if diff := cmp.Diff(w, received(t, s, ids[name])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}

	// Running a day again, or after its claim is lost, adds nothing.
	before := countNotifications(t, s)
	if r := runJob(t, s, c, horizon); !r.AlreadyRan {
		t.Errorf("second run of %s: want AlreadyRan", horizon)
	}
	if err := s.w.Exec("DELETE FROM notification_runs WHERE day >= ?", d0.AddDays(170).String()).Error; err != nil {
		t.Fatal(err)
	}
	for d := d0.AddDays(170); d <= horizon; d++ {
		runJob(t, s, c, d)
	}
	if after := countNotifications(t, s); after != before {
		t.Errorf("re-running days made %d notifications, want none", after-before)
	}
}

func waiting(d0 model.Date, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, "reviews_waiting @"+d0.AddDays(i).String())
	}
	return out
}

func reviewID(t *testing.T, s *Store, school model.School) int64 {
	t.Helper()
	cs, err := s.SchoolChecklists(context.Background(), school.ID, 10)
	if err != nil || len(cs) == 0 {
		t.Fatalf("checklists of %s: %v", school.Code, err)
	}
	return cs[0].ID
}

func countNotifications(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.r.Model(&notificationRow{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A check first seen within 7 days of its expiry gets the 7-day item only,
// and days missed are caught up by the next run.
func TestNotificationsCatchUpMissedDays(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		d0 := model.NewDate(2026, 1, 5)
		s, c := newTestStore(t, engine, d0)
		a := addSchool(t, s, "A", "150102", 500)
		ids := notifyUsers(t, s, model.User{Username: "school-a", Role: model.SchoolRep, ScopeCode: "A"})
		submit(t, s, a, d0, goodFacts(d0))
		runJob(t, s, c, d0)
		// Nothing runs for 176 days; the next run is 4 days before expiry.
		r := runJob(t, s, c, d0.AddDays(176))
		if r.Counts[model.KindCheckExpiring] != 1 {
			t.Errorf("counts %v, want one check_expiring", r.Counts)
		}
		want := []string{"check_expiring/7d A@" + d0.AddDays(176).String()}
		if diff := cmp.Diff(want, received(t, s, ids["school-a"])); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// A backdated check submitted between runs is seen by the next.
		b := addSchool(t, s, "B", "150102", 500)
		idb := notifyUsers(t, s, model.User{Username: "school-b", Role: model.SchoolRep, ScopeCode: "B"})
		c.day(d0.AddDays(176))
		submit(t, s, b, d0.AddDays(-2), goodFacts(d0.AddDays(-2))) // expires d0+178: in 1 day
		runJob(t, s, c, d0.AddDays(177))
		want = []string{"check_expiring/7d B@" + d0.AddDays(177).String()}
		if diff := cmp.Diff(want, received(t, s, idb["school-b"])); diff != "" {
			t.Errorf("backdated check (-want +got):\n%s", diff)
		}
	})
}

// Two servers running the same day at once make one set of notifications.
func TestNotificationJobRunsOnceAcrossServers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		d0 := model.NewDate(2026, 1, 5)
		dsn := testDSN(t, engine)
		s, c := openTestStoreAt(t, dsn, d0)
		for i := range 20 {
			code := fmt.Sprintf("S%02d", i)
			sc := addSchool(t, s, code, "150102", 500)
			notifyUsers(t, s, model.User{Username: "u" + code, Role: model.SchoolRep, ScopeCode: code})
			submit(t, s, sc, d0.AddDays(-170+i%10), goodFacts(d0.AddDays(-170+i%10)))
		}
		notifyUsers(t, s, model.User{Username: "insp", Role: model.Inspector, ScopeCode: "150102"})
		c.t = d0.Time(time.UTC).Add(7 * time.Hour)
		other := openStoreOn(t, dsn, c)
		var wg sync.WaitGroup
		runs := make([]NotifyRun, 2)
		errs := make([]error, 2)
		for i, st := range []*Store{s, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i], errs[i] = st.RunDailyNotifications(context.Background(), d0, 0)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if runs[0].AlreadyRan == runs[1].AlreadyRan {
			t.Errorf("AlreadyRan %v and %v: want exactly one run", runs[0].AlreadyRan, runs[1].AlreadyRan)
		}
		total := 0
		for _, r := range runs {
			for _, n := range r.Counts {
				total += n
			}
		}
		if got := countNotifications(t, s); got != int64(total) || got == 0 {
			t.Errorf("%d notifications stored, %d counted", got, total)
		}
	})
}

func TestNotificationsReadAndScope(t *testing.T) {
	d0 := model.NewDate(2026, 1, 5)
	s, c := newTestStore(t, "sqlite", d0)
	ctx := context.Background()
	a := addSchool(t, s, "A", "150102", 500)
	ids := notifyUsers(t, s, model.User{Username: "school-a", Role: model.SchoolRep, ScopeCode: "A"},
		model.User{Username: "school-x", Role: model.SchoolRep, ScopeCode: "A"})
	insp := model.User{Username: "insp", Role: model.Inspector, ScopeCode: "150102"}
	for i := range 3 {
		if _, err := s.CreateHazard(ctx, insp, a.ID, HazardInput{Measure: model.MeasureOther, Description: fmt.Sprint("h", i), Severity: model.Low, Deadline: d0.AddDays(30)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = c
	items, unread, err := s.Notifications(ctx, NotificationQuery{UserID: ids["school-a"]})
	if err != nil || unread != 3 || len(items) != 3 || items[0].ID < items[2].ID {
		t.Fatalf("items %v unread %d err %v: want 3 newest first", items, unread, err)
	}
	if err := s.MarkNotificationRead(ctx, ids["school-x"], items[0].ID); err != ErrNotFound {
		t.Errorf("marking another user's notification: %v, want ErrNotFound", err)
	}
	if err := s.MarkNotificationRead(ctx, ids["school-a"], items[0].ID); err != nil {
		t.Fatal(err)
	}
	only, unread, _ := s.Notifications(ctx, NotificationQuery{UserID: ids["school-a"], UnreadOnly: true})
	if unread != 2 || len(only) != 2 {
		t.Errorf("after one read: unread %d, %d unread items", unread, len(only))
	}
	if n, err := s.MarkAllNotificationsRead(ctx, ids["school-a"]); err != nil || n != 2 {
		t.Errorf("mark all: %d, %v", n, err)
	}
	if n, _ := s.UnreadCount(ctx, ids["school-x"]); n != 3 {
		t.Errorf("the other user's unread count changed to %d", n)
	}
}
