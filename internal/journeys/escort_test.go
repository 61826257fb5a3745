package journeys

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"safecampus/internal/model"
)

// A school administrator checks in at the school's escort post on a 390 px
// phone without JavaScript: the post's screen from the registers page,
// then one button (the session preselected, the counts of the last
// check-in filled in).
func TestCheckInOnPhoneWithoutJavaScript(t *testing.T) {
	a := newApp(t, userSchool)
	ctx := context.Background()
	post, err := a.store.CreateEscortPost(ctx, model.User{Username: "journey", Role: model.Admin},
		model.EscortPostInput{DivisionCode: "150102", Name: "新城路口", Schools: []string{schoolXC1}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, a.url)
	tb := b.newTab("check-in", phone)
	if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	tb.login(userSchool)
	if status := tb.open("/schools/" + schoolXC1 + "/registers"); status != 200 {
		tb.fatalf("registers: status %d", status)
	}
	if status := tb.press(tid("school-escort-posts") + " a"); status != 200 { // tap 1
		tb.fatalf("check-in screen: status %d", status)
	}
	tb.noSidewaysScroll("check-in screen")
	if tb.count(`input[name="session"]:checked`) != 1 {
		tb.fatalf("no session preselected")
	}
	tb.typeIn("#f-police_officers", "1")
	tb.typeIn("#f-staff", "2")
	if status := tb.press(tid("save-check-in")); status != 200 {
		tb.fatalf("check in: status %d", status)
	}
	if !tb.has(tid("flash")) || !tb.has(tid("recent-check-ins")) {
		tb.fatalf("no confirmation after checking in")
	}
	// The next time: the counts are filled in; the same session again is refused beside the field.
	if got := tb.value("#f-staff"); got != "2" {
		tb.fatalf("staff prefilled %q, want 2", got)
	}
	if status := tb.press(tid("save-check-in")); status != 409 { // the same session again
		tb.fatalf("second check-in: status %d, want 409", status)
	}
	if !tb.has(tid("field-error-session")) {
		tb.fatalf("the 409 lacks its message beside the session")
	}
	tb.noSidewaysScroll("refused check-in")
	tb.shoot("check-in-phone")
	ins, err := a.store.PostCheckIns(ctx, post.ID, 10)
	if err != nil || len(ins) != 1 || ins[0].PoliceOfficers != 1 || ins[0].Staff != 2 {
		t.Errorf("check-ins %+v %v", ins, err)
	}
}
