package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// notification raises a hazard at the school and returns the id of the
// notification its school user got.
func (a *testApp) notification(t *testing.T, code string) int64 {
	t.Helper()
	a.hazard(t, code, model.VideoNetworking)
	items, _, err := a.store.Notifications(context.Background(), store.NotificationQuery{UserID: a.users[userSchool].ID, Limit: 1})
	if err != nil || len(items) == 0 {
		t.Fatalf("notification of %s: %v", userSchool, err)
	}
	return items[0].ID
}

func TestBellListAndMarkRead(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userSchool)
	api := app.api(t, userSchool)
	if r := c.get("/notifications"); r.status != 200 {
		t.Fatalf("GET /notifications: %d", r.status)
	}
	r := c.get("/")
	r = c.get(r.header.Get("Location"))
	if strings.Contains(r.body, `data-testid="bell-count"`) {
		t.Fatal("bell shows a count before any notification")
	}
	h := app.hazard(t, schoolA, model.VideoNetworking)
	app.hazard(t, schoolA, model.NursingPost)
	r = c.get("/hazards")
	if !strings.Contains(r.body, `data-testid="bell-count" aria-hidden="true">2</span>`) {
		t.Errorf("bell on /hazards lacks the count 2")
	}
	r = c.get("/notifications?unread=true")
	if n := strings.Count(r.body, `data-testid="notification"`); n != 2 {
		t.Errorf("%d unread items, want 2", n)
	}
	// Newest first; each links to its hazard; text in the user's language.
	first := strings.Index(r.body, "/hazards/")
	if first < 0 || !strings.Contains(r.body[first:], "/hazards/"+itoa(h.ID)) {
		t.Errorf("items do not link their hazards")
	}
	// The API agrees and marks one read.
	res := api.call("GET", "/api/v1/notifications?unread=true", nil)
	var got struct {
		Unread int64 `json:"unread"`
		Items  []struct {
			ID         int64  `json:"id"`
			Kind       string `json:"kind"`
			SchoolCode string `json:"school_code"`
			SubjectID  int64  `json:"subject_id"`
			Text       string `json:"text"`
			Link       string `json:"link"`
			Read       bool   `json:"read"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Unread != 2 || len(got.Items) != 2 || got.Items[0].ID < got.Items[1].ID || got.Items[1].SubjectID != h.ID ||
		got.Items[1].Kind != "hazard_raised" || got.Items[1].SchoolCode != schoolA || got.Items[1].Link != "/hazards/"+itoa(h.ID) || got.Items[1].Text == "" {
		t.Errorf("API: %+v", got)
	}
	if r := api.call("POST", "/api/v1/notifications/"+itoa(got.Items[0].ID)+"/read", nil); r.status != 200 {
		t.Errorf("API mark read: %d %s", r.status, r.body)
	}
	r = c.get("/notifications?unread=true")
	if n := strings.Count(r.body, `data-testid="notification"`); n != 1 {
		t.Errorf("%d unread after marking one, want 1", n)
	}
	if r := c.post("/notifications/read-all", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("read-all: %d", r.status)
	}
	r = c.get("/notifications")
	if strings.Contains(r.body, `data-testid="bell-count"`) || strings.Count(r.body, `data-testid="notification"`) != 2 {
		t.Errorf("after mark all read: the count remains, or items are missing")
	}
	// Nobody else was told: the inspector of another prefecture has nothing.
	other := app.api(t, userInspector2).call("GET", "/api/v1/notifications", nil)
	if !strings.Contains(other.body, `"unread":0`) || !strings.Contains(other.body, `"items":[]`) {
		t.Errorf("inspector2 got %s", other.body)
	}
}

func TestEmailSettingsRefuseABadAddressAndKeepIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userSchool)
	r := c.post("/account/email", url.Values{"email": {"head@@school"}, "digest": {"true"}})
	if r.status != 422 || !strings.Contains(r.body, `value="head@@school"`) || !strings.Contains(r.body, `data-testid="field-error-email"`) {
		t.Errorf("bad address: status %d, value kept %v", r.status, strings.Contains(r.body, "head@@school"))
	}
	if r := c.post("/account/email", url.Values{"email": {"head@school.example.cn"}, "digest": {"true"}}); r.status != http.StatusSeeOther {
		t.Errorf("save e-mail: %d", r.status)
	}
	u, err := app.store.User(context.Background(), app.users[userSchool].ID)
	if err != nil || u.Email != "head@school.example.cn" || !u.EmailDigest {
		t.Errorf("saved %+v %v", u, err)
	}
}

func TestAdminWebhooksPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn(t, userAdmin)
	r := c.post("/admin/webhooks", url.Values{"division": {prefHohhot}, "url": {"gopher://x"}, "format": {"json"}})
	if r.status != 422 || !strings.Contains(r.body, `value="gopher://x"`) || !strings.Contains(r.body, `data-testid="field-error-url"`) {
		t.Errorf("bad URL: status %d", r.status)
	}
	if r := c.post("/admin/webhooks", url.Values{"division": {prefHohhot}, "url": {"https://oapi.dingtalk.example/robot/send"}, "format": {"dingtalk"}, "secret": {"k"}}); r.status != http.StatusSeeOther {
		t.Errorf("add webhook: %d", r.status)
	}
	r = c.get("/admin/webhooks")
	if !strings.Contains(r.body, "https://oapi.dingtalk.example/robot/send") || !strings.Contains(r.body, `data-testid="outbox-webhook"`) {
		t.Errorf("webhook page lacks the hook or the figures")
	}
	m := c.get("/metrics")
	if !strings.Contains(m.body, `safecampus_outbox_deliveries{state="failed",target="webhook"}`) {
		t.Errorf("/metrics lacks the outbox gauge")
	}
}
