package journeys

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"safecampus/internal/model"
)

// A leader keeps the dashboard of 呼和浩特市 open while an inspector, in
// another browser, verifies a checklist: on reload the figures follow.
//
// In scope: XC1 (good checklist submitted), XC2 (submitted, one guard for
// 300 students where two are required) and HM1 (no checklist) — 3 schools.
// DH1 in 包头市, verified and good, must count nowhere here.
func TestLeaderSeesDashboardFollowVerification(t *testing.T) {
	a := newApp(t, userLeader, userInspector)
	good := a.checklist(t, schoolXC1, goodFacts(), true)
	short := goodFacts()
	short.SecurityGuards = model.SecurityGuardsFacts{FullTimeGuards: ptr(1), LicensedGuards: ptr(1)}
	oneGuard := a.checklist(t, schoolXC2, short, true)
	outside := a.checklist(t, schoolDH1, model.Facts{
		NursingPost:      goodFacts().NursingPost,
		ClosedManagement: goodFacts().ClosedManagement,
		SecurityGuards:   model.SecurityGuardsFacts{FullTimeGuards: ptr(3), LicensedGuards: ptr(3)},
		OneButtonAlarm:   goodFacts().OneButtonAlarm,
		VideoNetworking:  goodFacts().VideoNetworking,
	}, true)
	if _, err := a.store.VerifyChecklist(context.Background(), seeder, outside.ID); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, a.url)
	leader := b.newTab("leader", desktop)
	leader.login(userLeader)
	if status := leader.open("/"); status != 200 {
		leader.fatalf("GET /: status %d", status)
	}
	if got := leader.text(tid("division-name")); got == "" || !strings.Contains(got, "呼和浩特") {
		leader.fatalf("the leader's dashboard is %q, want 呼和浩特市", got)
	}

	// Nothing verified yet. Reported: XC1 and XC2 on four measures, only
	// XC1 on guards and all five: 2/3 = 66.6% (rounded down), 1/3 = 33.3%.
	want := dashboard{
		verified: map[string]string{"nursing_post": "0.0%", "security_guards": "0.0%", "all_five": "0.0%"},
		reported: map[string]string{"nursing_post": "66.6%", "security_guards": "33.3%", "all_five": "33.3%"},
		xc:       "0.0%", hm: "0.0%", allFive: 0,
	}
	want.check(leader, "before any review")
	leader.shoot("dashboard")

	// The inspector, in a browser of their own, verifies XC1.
	inspector := b.newTab("inspector", desktop)
	inspector.login(userInspector)
	if status := inspector.open(fmt.Sprintf("/checklists/%d", good.ID)); status != 200 {
		inspector.fatalf("open checklist: status %d", status)
	}
	if status := inspector.press(tid("verify")); status != 200 || !inspector.hasClass(tid("checklist-state"), "state-verified") {
		inspector.fatalf("verify: status %d, state %q", status, inspector.text(tid("checklist-state")))
	}

	// Verified: XC1 of 3 on every measure: 33.3%; in 新城区 1 of 2: 50.0%.
	leader.mark()
	leader.reload()
	if leader.marked() {
		leader.fatalf("the dashboard did not reload")
	}
	want.verified = map[string]string{"nursing_post": "33.3%", "security_guards": "33.3%", "all_five": "33.3%"}
	want.xc, want.allFive = "50.0%", 1
	want.check(leader, "after the inspector verified 新城区实验小学")

	// XC2 verified too (in the store): four measures 2/3, but its one guard
	// keeps guards and all five at 1/3.
	if _, err := a.store.VerifyChecklist(context.Background(), seeder, oneGuard.ID); err != nil {
		t.Fatal(err)
	}
	leader.reload()
	want.verified = map[string]string{"nursing_post": "66.6%", "security_guards": "33.3%", "all_five": "33.3%"}
	want.check(leader, "after 新城区第二小学 was verified with one guard")
	leader.shoot("dashboard-verified")
}

// dashboard is what the leader should read: tile values by measure on both
// bases, and the all-five cell of the two county rows of the grid.
type dashboard struct {
	verified, reported map[string]string
	xc, hm             string
	allFive            int // schools covered on all five, verified
}

func (d dashboard) check(tb *tab, when string) {
	tb.t.Helper()
	for m, want := range d.verified {
		if got := tb.text(tid("tile-"+m) + " .tile-value"); got != want {
			tb.fatalf("%s: tile %s shows %q, want %q", when, m, got, want)
		}
	}
	for m, want := range d.reported {
		if got := tb.text(tid("tile-reported-" + m)); got != want {
			tb.fatalf("%s: tile %s (reported) shows %q, want %q", when, m, got, want)
		}
	}
	for code, want := range map[string]string{countyXC: d.xc, countyHM: d.hm} {
		sel := tid("child-"+code) + " td.pct:last-child .value"
		if got := tb.text(sel); got != want {
			tb.fatalf("%s: grid row %s, all five, shows %q, want %q", when, code, got, want)
		}
	}
	if got, want := tb.text(tid("tile-all_five")+" .tile-frac"), fmt.Sprintf("%d/3 ", d.allFive); !strings.HasPrefix(got, want) {
		tb.fatalf("%s: the all-five tile counts %q, want %q…", when, got, want)
	}
}
