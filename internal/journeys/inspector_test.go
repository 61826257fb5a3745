package journeys

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// An inspector works through the review queue: returns one checklist (the
// reason is mandatory), verifies another, then finds the verified school
// covered on its page — until a hazard opens on one of its measures.
func TestInspectorReviewsChecklistsAndHazardUncovers(t *testing.T) {
	a := newApp(t, userInspector)
	toReturn := a.checklist(t, schoolXC2, goodFacts(), true)
	toVerify := a.checklist(t, schoolHM1, goodFacts(), true)
	b := newBrowser(t, a.url)
	tb := b.newTab("inspector", desktop)
	tb.login(userInspector)

	if status := tb.press(tid("nav-review")); status != 200 {
		tb.fatalf("review queue: status %d", status)
	}
	for _, cl := range []model.Checklist{toReturn, toVerify} {
		if !tb.has(tid(fmt.Sprintf("review-row-%d", cl.ID))) {
			tb.fatalf("the review queue does not list checklist %d", cl.ID)
		}
	}
	tb.shoot("review-queue")

	// Return one: first without a reason.
	if status := tb.press(tid(fmt.Sprintf("review-row-%d", toReturn.ID)) + " " + tid("review-open")); status != 200 {
		tb.fatalf("open checklist %d: status %d", toReturn.ID, status)
	}
	if !tb.has(tid("review-forms")) {
		tb.fatalf("a submitted checklist offers the inspector no review forms")
	}
	tb.shoot("checklist-review")
	returnPath := fmt.Sprintf("/checklists/%d/return", toReturn.ID)

	// An empty reason: the browser refuses to send the form and says why.
	tb.tap(tid("return"))
	if msg, _ := tb.eval(`document.getElementById("f-reason").validationMessage`).(string); msg == "" {
		tb.fatalf("returning without a reason: the browser shows no message")
	}
	// A reason of blanks passes the browser; the server refuses it and
	// says so beside the field.
	tb.typeIn("#f-reason", "   ")
	if status := tb.press(tid("return")); status != 422 {
		tb.fatalf("returning with a blank reason: status %d, want 422", status)
	}
	if n := a.log.count("POST", returnPath); n != 1 {
		tb.fatalf("the server got %d return requests, want 1: the empty reason must not have been sent", n)
	}
	if !tb.has(tid("field-error-reason")) || tb.text(tid("field-error-reason")) == "" {
		tb.fatalf("returning with a blank reason shows no error")
	}
	if !tb.hasClass(tid("checklist-state"), "state-submitted") {
		tb.fatalf("after a refused return the page shows state %q, want still submitted", tb.text(tid("checklist-state")))
	}
	if s := a.state(t, toReturn.ID); s != model.Submitted {
		tb.fatalf("a refused return changed the checklist to %s", s)
	}

	const reason = "护学岗排班表未存档，请补充后重新提交"
	tb.typeIn("#f-reason", reason)
	if status := tb.press(tid("return")); status != 200 {
		tb.fatalf("return with a reason: status %d", status)
	}
	if !tb.hasClass(tid("checklist-state"), "state-returned") {
		tb.fatalf("after returning the page shows state %q, want returned", tb.text(tid("checklist-state")))
	}
	if got := tb.text(tid("return-reason")); !strings.Contains(got, reason) {
		tb.fatalf("the returned checklist shows %q, want the reason %q", got, reason)
	}
	if s := a.state(t, toReturn.ID); s != model.Returned {
		tb.fatalf("stored state %s, want returned", s)
	}

	// Verify the other one from the queue, which no longer lists the first.
	if status := tb.press(tid("nav-review")); status != 200 {
		tb.fatalf("review queue: status %d", status)
	}
	if tb.has(tid(fmt.Sprintf("review-row-%d", toReturn.ID))) {
		tb.fatalf("the review queue still lists the returned checklist")
	}
	if status := tb.press(tid(fmt.Sprintf("review-row-%d", toVerify.ID)) + " " + tid("review-open")); status != 200 {
		tb.fatalf("open checklist %d: status %d", toVerify.ID, status)
	}
	dialogs := tb.dialogCount()
	if status := tb.press(tid("verify")); status != 200 {
		tb.fatalf("verify: status %d", status)
	}
	if tb.dialogCount() != dialogs+1 {
		tb.fatalf("verifying did not ask for confirmation first")
	}
	if !tb.hasClass(tid("checklist-state"), "state-verified") {
		tb.fatalf("after verifying the page shows state %q, want verified", tb.text(tid("checklist-state")))
	}
	if tb.has(tid("review-forms")) {
		tb.fatalf("a verified checklist still offers the review forms")
	}
	if s := a.state(t, toVerify.ID); s != model.Verified {
		tb.fatalf("stored state %s, want verified", s)
	}
	if status := tb.press(tid("nav-review")); status != 200 || !tb.has(tid("review-empty")) {
		tb.fatalf("the review queue is not empty after both reviews (status %d)", status)
	}

	// The verified school is covered on all five, on both bases.
	schoolPage := "/schools/" + schoolHM1
	if status := tb.open(schoolPage); status != 200 {
		tb.fatalf("GET %s: status %d", schoolPage, status)
	}
	for _, m := range model.Measures {
		for col, basis := range []string{"verified", "reported"} {
			sel := fmt.Sprintf(`%s td:nth-of-type(%d) %s`, tid("status-"+string(m)), col+1, tid("badge-"+string(m)))
			if !tb.hasClass(sel, "badge-ok") {
				tb.fatalf("%s is not covered on the %s basis: %q", m, basis, tb.text(sel))
			}
		}
	}
	if !tb.hasClass(tid("status-all_five")+" td:nth-of-type(1) "+tid("badge-all_five"), "badge-ok") {
		tb.fatalf("the verified school is not shown covered on all five")
	}
	if !tb.has(tid(fmt.Sprintf("checklist-%d", toVerify.ID)) + " .state-verified") {
		tb.fatalf("the history does not list the checklist as verified")
	}
	if !tb.has(tid("hazards-empty")) {
		tb.fatalf("the school shows open hazards before any was raised")
	}
	tb.shoot("school-verified")

	// A hazard on the video system: while it is open, that measure is not
	// covered, and the school is no longer covered on all five.
	h, err := a.store.CreateHazard(context.Background(), a.users[userInspector], a.schools[schoolHM1].ID, store.HazardInput{
		Measure: model.VideoNetworking, Description: "校门口摄像头画面模糊，无法辨认人脸",
		Severity: model.High, Deadline: today.AddDays(7)})
	if err != nil {
		t.Fatalf("raise hazard: %v", err)
	}
	tb.reload()
	item := tid(fmt.Sprintf("hazard-%d", h.ID))
	if !tb.has(item) {
		tb.fatalf("the school page does not show hazard %d", h.ID)
	}
	if got := tb.text(item); !strings.Contains(got, "校门口摄像头画面模糊") || !strings.Contains(got, today.AddDays(7).String()) {
		tb.fatalf("the hazard shows %q, want its description and deadline", got)
	}
	if tb.has(item + " " + tid("overdue")) {
		tb.fatalf("a hazard due in a week is flagged overdue")
	}
	for _, m := range model.Measures {
		sel := fmt.Sprintf(`%s td:nth-of-type(1) %s`, tid("status-"+string(m)), tid("badge-"+string(m)))
		wantCovered := m != model.VideoNetworking
		if tb.hasClass(sel, "badge-ok") != wantCovered {
			tb.fatalf("with a hazard open on video networking, %s covered = %v, want %v (%q)", m, !wantCovered, wantCovered, tb.text(sel))
		}
	}
	if tb.text(tid("status-video_networking")+" td .reasons") == "" {
		tb.fatalf("the uncovered measure gives no reason")
	}
	if !tb.hasClass(tid("status-all_five")+" td:nth-of-type(1) "+tid("badge-all_five"), "badge-no") {
		tb.fatalf("with a hazard open the school is still shown covered on all five")
	}
	tb.shoot("school-hazard")
}
