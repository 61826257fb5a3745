package server_test

import (
	"context"
	"regexp"
	"testing"
)

// TestDashboardCacheFollowsWrites reads the leader's dashboard twice (the
// second time from the page cache), then records a review: the next read
// must show it, however the page was cached.
func TestDashboardCacheFollowsWrites(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, userLeader)
	tile := regexp.MustCompile(`data-testid="tile-all_five"[\s\S]*?(\d+\.\d)%`)
	allFive := func() string {
		t.Helper()
		r := c.get("/divisions/" + prefHohhot)
		if r.status != 200 {
			t.Fatalf("dashboard: status %d", r.status)
		}
		m := tile.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatal("no all-five tile on the dashboard")
		}
		return m[1]
	}
	cl := app.checklist(t, schoolA, day0, goodFacts(day0), true)
	before, again := allFive(), allFive()
	if before != again {
		t.Fatalf("two reads without a write differ: %s then %s", before, again)
	}
	if _, err := app.store.VerifyChecklist(context.Background(), app.users[userAdmin], cl.ID); err != nil {
		t.Fatal(err)
	}
	if after := allFive(); after == before {
		t.Errorf("all five still %s%% after a verification: the cached page was served", after)
	}
}
