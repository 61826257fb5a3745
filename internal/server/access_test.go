package server_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/model"
	"safecampus/internal/server"
)

// matrixUsers are the columns of the access tables, in order.
var matrixUsers = [5]string{userAdmin, userLeader, userInspector, userSchool, userInspector2}

// by lists the wanted status for admin, leader (150100), inspector
// (150100), school user (schoolA) and inspector2 (150200).
func by(admin, leader, inspector, school, inspector2 int) [5]int {
	return [5]int{admin, leader, inspector, school, inspector2}
}

func all(status int) [5]int { return by(status, status, status, status, status) }

// adminOnly: admins get status, everyone else 403.
func adminOnly(status int) [5]int { return by(status, 403, 403, 403, 403) }

// accessCase is one route with a record in or out of someone's scope.
// Placeholders in path are replaced by fresh records for every request:
// {subA}/{subD} a submitted checklist of schoolA/schoolD, {draftA} a draft
// of schoolA ({draftD} of schoolD), {hazA}/{hazD} an open hazard of schoolA/schoolD.
type accessCase struct {
	method, path string
	form         url.Values // pages
	body         any        // API
	want         [5]int
}

// resolve replaces the placeholders of path by fresh records.
func (a *testApp) resolve(t *testing.T, path string) string {
	t.Helper()
	fresh := map[string]func() int64{
		"{subA}":   func() int64 { return a.checklist(t, schoolA, day0, goodFacts(day0), true).ID },
		"{subD}":   func() int64 { return a.checklist(t, schoolD, day0, goodFacts(day0), true).ID },
		"{draftA}": func() int64 { return a.checklist(t, schoolA, day0, goodFacts(day0), false).ID },
		"{draftD}": func() int64 { return a.checklist(t, schoolD, day0, goodFacts(day0), false).ID },
		"{hazA}":   func() int64 { return a.hazard(t, schoolA, model.VideoNetworking).ID },
		"{hazD}":   func() int64 { return a.hazard(t, schoolD, model.VideoNetworking).ID },
		"{inspA}":  func() int64 { return a.inspection(t, schoolA).ID },
		"{inspD}":  func() int64 { return a.inspection(t, schoolD).ID },
		"{evA}":    func() int64 { return a.evidence(t, schoolA).ID },
		"{evD}":    func() int64 { return a.evidence(t, schoolD).ID },
		"{spare}":  func() int64 { return a.users[userSpare].ID },
		"{noteA}":  func() int64 { return a.notification(t, schoolA) },
		"{campH}":  func() int64 { return a.campaign(t, prefHohhot).ID },
		"{campB}":  func() int64 { return a.campaign(t, prefBaotou).ID },
		"{guardA}": func() int64 { return a.guard(t, schoolA).ID },
		"{guardD}": func() int64 { return a.guard(t, schoolD).ID },
		"{postA}":  func() int64 { return a.escortPost(t, countyXC, schoolA).ID },
		"{postB}":  func() int64 { return a.escortPost(t, countyXC, schoolB).ID },
		"{postD}":  func() int64 { return a.escortPost(t, countyDH, schoolD).ID },
	}
	for k, f := range fresh {
		if strings.Contains(path, k) {
			path = strings.ReplaceAll(path, k, fmt.Sprint(f()))
		}
	}
	return path
}

func pageAccessCases(t *testing.T) []accessCase {
	none := url.Values{}
	reason := url.Values{"reason": {"the roster is missing"}}
	answer := url.Values{"answer": {"the camera was replaced"}}
	return []accessCase{
		{"GET", "/", nil, nil, by(200, 200, 200, 303, 200)},
		{"GET", "/divisions/" + province, nil, nil, adminOnly(200)},
		{"GET", "/divisions/" + prefHohhot, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + countyXC, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + countyXC + "?type=primary&uncovered=all_five&due=1", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + countyDH, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision, nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/gaps", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/gaps", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/gaps", nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/coverage.csv", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefHohhot + "/coverage.xlsx", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefHohhot + "/schools.csv", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefHohhot + "/schools.xlsx", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/coverage.csv", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + prefBaotou + "/schools.xlsx", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + province + "/schools.csv", nil, nil, adminOnly(200)},
		{"GET", "/divisions/" + unknownDivision + "/coverage.csv", nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/report", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/report?from=2026-02-01&to=2026-02-28", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + province + "/report", nil, nil, adminOnly(200)},
		{"GET", "/divisions/" + unknownDivision + "/report", nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/report.xlsx", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/report.xlsx", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/report.xlsx", nil, nil, all(404)},
		{"GET", "/campaigns", nil, nil, by(200, 200, 200, 403, 200)},
		{"POST", "/campaigns", none, nil, by(422, 422, 403, 403, 403)},
		{"POST", "/campaigns", url.Values{"division_code": {prefBaotou}}, nil, by(422, 403, 403, 403, 403)},
		{"GET", "/campaigns/{campH}", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/campaigns/{campB}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/campaigns/999999", nil, nil, all(404)},
		{"GET", "/campaigns/{campH}/ledger.csv", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/campaigns/{campB}/ledger.xlsx", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/campaigns/{campH}/ledger.xlsx", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/campaigns/999999/ledger.csv", nil, nil, all(404)},

		{"GET", "/schools/" + schoolA, nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/schools/" + schoolB, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/schools/" + schoolD, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/schools/" + unknownSchool, nil, nil, all(404)},

		{"GET", "/schools/" + schoolA + "/checklists/new", nil, nil, by(200, 403, 403, 200, 403)},
		{"GET", "/schools/" + schoolB + "/checklists/new", nil, nil, adminOnly(200)},
		{"GET", "/schools/" + schoolD + "/checklists/new", nil, nil, adminOnly(200)},
		{"GET", "/schools/" + unknownSchool + "/checklists/new", nil, nil, all(404)},
		// An empty form is refused for its values (422) only once the
		// user may fill in that school's checklists at all.
		{"POST", "/schools/" + schoolA + "/checklists", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/schools/" + schoolB + "/checklists", none, nil, adminOnly(422)},
		{"POST", "/schools/" + schoolD + "/checklists", none, nil, adminOnly(422)},
		{"POST", "/schools/" + unknownSchool + "/checklists", none, nil, all(404)},
		{"POST", "/schools/" + schoolA + "/checklists/preview", none, nil, by(200, 403, 403, 200, 403)},
		{"POST", "/schools/" + schoolD + "/checklists/preview", none, nil, adminOnly(200)},

		{"GET", "/checklists/{subA}", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/checklists/{subD}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/checklists/999999", nil, nil, all(404)},
		{"GET", "/checklists/not-a-number", nil, nil, all(404)},
		{"GET", "/checklists/{draftA}/edit", nil, nil, by(200, 403, 403, 200, 403)},
		{"GET", "/checklists/{subA}/edit", nil, nil, by(409, 403, 403, 409, 403)},
		{"GET", "/checklists/{subD}/edit", nil, nil, by(409, 403, 403, 403, 403)},
		{"POST", "/checklists/{draftA}", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/checklists/{draftA}/preview", none, nil, by(200, 403, 403, 200, 403)},
		{"GET", "/checklists/{draftD}/edit", nil, nil, adminOnly(200)},
		{"POST", "/checklists/{draftD}", none, nil, adminOnly(422)},
		{"POST", "/checklists/{draftD}/preview", none, nil, adminOnly(200)},
		{"POST", "/checklists/{subD}/preview", none, nil, adminOnly(200)},
		{"POST", "/checklists/999999", none, nil, all(404)},
		{"POST", "/checklists/{subA}/verify", none, nil, by(303, 403, 303, 403, 403)},
		{"POST", "/checklists/{subD}/verify", none, nil, by(303, 403, 403, 403, 303)},
		{"POST", "/checklists/999999/verify", none, nil, all(404)},
		{"POST", "/checklists/{subA}/return", reason, nil, by(303, 403, 303, 403, 403)},
		{"POST", "/checklists/{subD}/return", reason, nil, by(303, 403, 403, 403, 303)},
		{"POST", "/checklists/{subA}/return", none, nil, by(422, 403, 422, 403, 403)},
		{"POST", "/checklists/999999/return", reason, nil, all(404)},

		{"GET", "/review", nil, nil, by(200, 403, 200, 403, 200)},
		{"GET", "/review?division=" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/review?division=" + countyXC, nil, nil, by(200, 403, 200, 403, 403)},

		// The inspectors' tools (issue 3).
		{"GET", "/hazards", nil, nil, all(200)},
		{"GET", "/hazards?division=" + prefBaotou, nil, nil, by(200, 403, 403, 200, 200)},
		{"GET", "/hazards?school=" + schoolD + "&state=all&overdue=1", nil, nil, by(200, 403, 403, 200, 200)},
		{"GET", "/hazards?state=bogus", nil, nil, all(400)},
		{"GET", "/hazards/{hazA}", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/hazards/{hazD}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/hazards/999999", nil, nil, all(404)},
		{"POST", "/hazards/{hazA}/answer", answer, nil, by(303, 403, 403, 303, 403)},
		{"POST", "/hazards/{hazD}/answer", answer, nil, adminOnly(303)},
		{"POST", "/hazards/{hazA}/answer", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/hazards/{hazA}/close", none, nil, by(303, 403, 303, 403, 403)},
		{"POST", "/hazards/{hazD}/close", none, nil, by(303, 403, 403, 403, 303)},
		{"POST", "/hazards/999999/close", none, nil, all(404)},
		// An open hazard cannot be sent back: only an answered one.
		{"POST", "/hazards/{hazA}/send-back", reason, nil, by(409, 403, 409, 403, 403)},
		{"POST", "/hazards/{hazD}/send-back", reason, nil, by(409, 403, 403, 403, 409)},
		{"GET", "/schools/" + schoolA + "/hazards/new", nil, nil, by(200, 403, 200, 403, 403)},
		{"GET", "/schools/" + schoolD + "/hazards/new", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/schools/" + schoolA + "/hazards", none, nil, by(422, 403, 422, 403, 403)},
		{"POST", "/schools/" + schoolD + "/hazards", none, nil, by(422, 403, 403, 403, 422)},
		{"POST", "/schools/" + unknownSchool + "/hazards", none, nil, all(404)},
		{"GET", "/schools/" + schoolA + "/inspections/new", nil, nil, by(200, 403, 200, 403, 403)},
		{"GET", "/schools/" + schoolD + "/inspections/new", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/schools/" + schoolA + "/inspections", none, nil, by(422, 403, 422, 403, 403)},
		{"POST", "/schools/" + schoolD + "/inspections", none, nil, by(422, 403, 403, 403, 422)},
		{"GET", "/inspections/{inspA}", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/inspections/{inspD}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/inspections/999999", nil, nil, all(404)},
		{"POST", "/checklists/{draftA}/evidence", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/checklists/{draftD}/evidence", none, nil, adminOnly(422)},
		{"GET", "/evidence/{evA}", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/evidence/{evD}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/evidence/999999", nil, nil, all(404)},
		{"GET", "/evidence/{evA}/thumb", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/evidence/{evD}/thumb", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/evidence/999999/thumb", nil, nil, all(404)},
		{"POST", "/evidence/{evA}/delete", none, nil, by(303, 403, 403, 303, 403)},
		{"POST", "/evidence/{evD}/delete", none, nil, adminOnly(303)},
		{"GET", "/due", nil, nil, by(303, 303, 303, 403, 303)},
		{"GET", "/divisions/" + prefHohhot + "/due", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/due?kind=expired&basis=verified", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/due", nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/due.csv", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefHohhot + "/due.xlsx", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/due.csv", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/audit", nil, nil, by(200, 403, 200, 403, 200)},
		{"GET", "/audit?division=" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/audit?entity=hazard&from=2026-01-01&to=2026-12-31", nil, nil, by(200, 403, 200, 403, 200)},

		// Lists as people use them (issue 18): the exports of exactly what
		// each list shows, the division picker's moves, forgetting filters.
		{"GET", "/review.csv", nil, nil, by(200, 403, 200, 403, 200)},
		{"GET", "/review.csv?division=" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/review?clear=1", nil, nil, by(200, 403, 200, 403, 200)},
		{"GET", "/hazards.csv", nil, nil, all(200)},
		{"GET", "/hazards.csv?division=" + prefBaotou, nil, nil, by(200, 403, 403, 200, 200)},
		{"GET", "/hazards.csv?state=bogus", nil, nil, all(400)},
		{"GET", "/audit.csv", nil, nil, by(200, 403, 200, 403, 200)},
		{"GET", "/audit.csv?division=" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/due?division=" + prefBaotou, nil, nil, by(303, 303, 303, 403, 303)},
		{"GET", "/divisions/" + prefHohhot + "/due?division=" + countyXC, nil, nil, by(303, 303, 303, 403, 403)},
		{"GET", "/divisions/" + countyXC + "/due", nil, nil, by(200, 200, 200, 403, 403)},
		{"POST", "/review/confirm", none, nil, by(422, 403, 422, 403, 422)},
		{"POST", "/review/verify", none, nil, by(422, 403, 422, 403, 422)},

		// Every signed-in user changes their own password (issue 6); a
		// wrong current password is refused for its value.
		{"GET", "/account/password", nil, nil, all(200)},
		{"POST", "/account/password", url.Values{"current_password": {"wrong-password"}, "new_password": {"Another-Pass-1"},
			"confirm_password": {"Another-Pass-1"}}, nil, all(422)},
		// Every signed-in user keeps their own API tokens (issue 16).
		{"GET", "/account/tokens", nil, nil, all(200)},
		{"POST", "/account/tokens", none, nil, all(422)},
		{"POST", "/account/tokens/999999/revoke", none, nil, all(404)},

		{"GET", "/admin/schools", nil, nil, adminOnly(200)},
		{"GET", "/admin/schools/new", nil, nil, adminOnly(200)},
		{"POST", "/admin/schools", none, nil, adminOnly(422)},
		{"GET", "/admin/schools/" + schoolA + "/edit", nil, nil, adminOnly(200)},
		{"GET", "/admin/schools/" + unknownSchool + "/edit", nil, nil, adminOnly(404)},
		{"POST", "/admin/schools/" + schoolA, none, nil, adminOnly(422)},
		{"POST", "/admin/schools/" + unknownSchool, none, nil, adminOnly(404)},
		{"POST", "/admin/schools/" + schoolE + "/deactivate", none, nil, adminOnly(303)},
		{"POST", "/admin/schools/" + schoolE + "/activate", none, nil, adminOnly(303)},
		{"POST", "/admin/schools/" + unknownSchool + "/deactivate", none, nil, adminOnly(404)},
		{"GET", "/admin/import", nil, nil, adminOnly(200)},
		{"POST", "/admin/import", none, nil, adminOnly(422)},
		{"GET", "/admin/users", nil, nil, adminOnly(200)},
		{"GET", "/admin/users/new", nil, nil, adminOnly(200)},
		{"POST", "/admin/users", none, nil, adminOnly(422)},
		{"POST", "/admin/users/{spare}/disable", none, nil, adminOnly(303)},
		{"POST", "/admin/users/{spare}/enable", none, nil, adminOnly(303)},
		{"POST", "/admin/users/999999/disable", none, nil, adminOnly(404)},
		{"POST", "/admin/users/not-a-number/enable", none, nil, adminOnly(404)},
		{"GET", "/admin/users/{spare}/password", nil, nil, adminOnly(200)},
		{"POST", "/admin/users/{spare}/password", none, nil, adminOnly(422)},
		{"GET", "/admin/users/999999/password", nil, nil, adminOnly(404)},
		{"GET", "/admin/rules", nil, nil, adminOnly(200)},
		{"POST", "/admin/rules", none, nil, adminOnly(422)},
		{"POST", "/admin/rules/preview", none, nil, adminOnly(200)},
		{"POST", "/admin/rules/999999/cancel", none, nil, adminOnly(404)},

		// Notifications (issue 12): each user reads and marks only their own.
		{"GET", "/notifications", nil, nil, all(200)},
		{"GET", "/notifications?unread=true", nil, nil, all(200)},
		{"POST", "/notifications/read-all", none, nil, all(303)},
		{"POST", "/notifications/{noteA}/read", none, nil, by(404, 404, 404, 303, 404)},
		{"POST", "/notifications/999999/read", none, nil, all(404)},
		{"GET", "/account/email", nil, nil, all(200)},
		{"POST", "/account/email", url.Values{"email": {"not an address"}}, nil, all(422)},
		{"GET", "/admin/users/{spare}/email", nil, nil, adminOnly(200)},
		{"POST", "/admin/users/{spare}/email", url.Values{"email": {"bad@"}}, nil, adminOnly(422)},
		{"GET", "/admin/users/999999/email", nil, nil, adminOnly(404)},
		{"GET", "/admin/webhooks", nil, nil, adminOnly(200)},
		{"POST", "/admin/webhooks", url.Values{"division": {prefHohhot}, "url": {"ftp://x"}}, nil, adminOnly(422)},
		{"POST", "/admin/webhooks/999999/delete", none, nil, adminOnly(404)},

		// Registers (issue 13): schools keep their own, inspectors and leaders read.
		{"GET", "/schools/" + schoolA + "/registers", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/schools/" + schoolD + "/registers", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/schools/" + unknownSchool + "/registers", nil, nil, all(404)},
		{"POST", "/schools/" + schoolA + "/guards", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/schools/" + schoolD + "/guards", none, nil, adminOnly(422)},
		{"POST", "/schools/" + schoolA + "/guards/import", none, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/schools/" + schoolD + "/guards/import", none, nil, adminOnly(422)},
		{"GET", "/guards/{guardA}/leave", nil, nil, by(200, 403, 403, 200, 403)},
		{"GET", "/guards/{guardD}/leave", nil, nil, adminOnly(200)},
		{"GET", "/guards/999999/leave", nil, nil, all(404)},
		{"POST", "/guards/{guardA}/leave", url.Values{"left_on": {day0.String()}}, nil, by(303, 403, 403, 303, 403)},
		{"POST", "/guards/{guardA}/leave", url.Values{"left_on": {"2001-01-01"}}, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/guards/{guardD}/leave", none, nil, adminOnly(422)},
		{"POST", "/schools/" + schoolA + "/alarm-tests", url.Values{"tested_on": {"2099-01-01"}}, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/schools/" + schoolD + "/alarm-tests", none, nil, adminOnly(422)},
		{"POST", "/schools/" + schoolA + "/drills", url.Values{"held_on": {"2099-01-01"}, "kind": {"fire"}}, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/schools/" + schoolD + "/drills", none, nil, adminOnly(422)},
		{"GET", "/divisions/" + prefHohhot + "/guard-conflicts", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/guard-conflicts", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/guard-conflicts", nil, nil, all(404)},
		{"GET", "/divisions/" + prefHohhot + "/escort-posts", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/escort-posts", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/escort-posts", nil, nil, all(404)},
		{"POST", "/divisions/" + prefHohhot + "/escort-posts", none, nil, by(422, 403, 422, 403, 403)},
		{"GET", "/divisions/" + prefHohhot + "/escort-presence", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/divisions/" + prefBaotou + "/escort-presence", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/divisions/" + unknownDivision + "/escort-presence", nil, nil, all(404)},
		{"GET", "/escort-posts/{postA}/check-in", nil, nil, by(200, 403, 200, 200, 403)},
		{"GET", "/escort-posts/{postB}/check-in", nil, nil, by(200, 403, 200, 403, 403)},
		{"GET", "/escort-posts/{postD}/check-in", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/escort-posts/999999/check-in", nil, nil, all(404)},
		{"POST", "/escort-posts/{postA}/check-ins", url.Values{"session": {"am"}, "police_officers": {"1"}, "staff": {"2"}}, nil, by(303, 403, 303, 303, 403)},
		{"POST", "/escort-posts/{postB}/check-ins", url.Values{"session": {"am"}, "police_officers": {"1"}, "staff": {"2"}}, nil, by(303, 403, 303, 403, 403)},
		{"POST", "/escort-posts/{postA}/check-ins", url.Values{"session": {"noon"}, "police_officers": {"x"}}, nil, by(422, 403, 422, 422, 403)},
		{"GET", "/admin/calendar", nil, nil, adminOnly(200)},
		{"POST", "/admin/calendar", none, nil, adminOnly(422)},
		{"POST", "/admin/calendar/2026-01-01/delete", none, nil, adminOnly(404)},
	}
}

func apiAccessCases(t *testing.T) []accessCase {
	draft := map[string]any{"checked_on": day0.String(), "submit": false, "facts": goodFactsJSON(day0)}
	hazard := map[string]any{"measure": "video_networking", "description": "camera broken", "severity": "high",
		"deadline": day0.AddDays(14).String()}
	reason := map[string]any{"reason": "the roster is missing"}
	inspection := map[string]any{"inspected_on": day0.String(), "notes": "gate checked"}
	alarmTest := map[string]any{"tested_on": day0.String(), "ok": true, "police_notified": true, "response_minutes": 5}
	drill := map[string]any{"held_on": day0.String(), "kind": "evacuation", "participants": 500}
	badGuard := map[string]any{"name": "张三", "id_number": "150102199003071238", "hired_on": day0.String()}
	return []accessCase{
		{"GET", "/api/v1/coverage/" + province, nil, nil, adminOnly(200)},
		{"GET", "/api/v1/coverage/" + prefHohhot, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/coverage/" + countyXC, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/coverage/" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/coverage/" + unknownDivision, nil, nil, all(404)},

		{"GET", "/api/v1/schools/" + schoolA, nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/api/v1/schools/" + schoolB, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/schools/" + schoolD, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/schools/" + unknownSchool, nil, nil, all(404)},

		{"POST", "/api/v1/schools/" + schoolA + "/checklists", nil, draft, by(201, 403, 403, 201, 403)},
		{"POST", "/api/v1/schools/" + schoolB + "/checklists", nil, draft, adminOnly(201)},
		{"POST", "/api/v1/schools/" + schoolD + "/checklists", nil, draft, adminOnly(201)},
		{"POST", "/api/v1/schools/" + unknownSchool + "/checklists", nil, draft, all(404)},

		{"POST", "/api/v1/checklists/{subA}/verify", nil, nil, by(200, 403, 200, 403, 403)},
		{"POST", "/api/v1/checklists/{subD}/verify", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/api/v1/checklists/999999/verify", nil, nil, all(404)},
		{"POST", "/api/v1/checklists/{subA}/return", nil, reason, by(200, 403, 200, 403, 403)},
		{"POST", "/api/v1/checklists/{subD}/return", nil, reason, by(200, 403, 403, 403, 200)},
		{"POST", "/api/v1/checklists/999999/return", nil, reason, all(404)},

		{"POST", "/api/v1/schools/" + schoolA + "/hazards", nil, hazard, by(201, 403, 201, 403, 403)},
		{"POST", "/api/v1/schools/" + schoolD + "/hazards", nil, hazard, by(201, 403, 403, 403, 201)},
		{"POST", "/api/v1/schools/" + unknownSchool + "/hazards", nil, hazard, all(404)},
		{"POST", "/api/v1/hazards/{hazA}/close", nil, nil, by(200, 403, 200, 403, 403)},
		{"POST", "/api/v1/hazards/{hazD}/close", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/api/v1/hazards/999999/close", nil, nil, all(404)},
		{"POST", "/api/v1/schools/" + schoolA + "/inspections", nil, inspection, by(201, 403, 201, 403, 403)},
		{"POST", "/api/v1/schools/" + schoolD + "/inspections", nil, inspection, by(201, 403, 403, 403, 201)},
		{"POST", "/api/v1/schools/" + unknownSchool + "/inspections", nil, inspection, all(404)},
		{"GET", "/api/v1/reports/" + province, nil, nil, adminOnly(200)},
		{"GET", "/api/v1/reports/" + prefHohhot, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/reports/" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/reports/" + unknownDivision, nil, nil, all(404)},
		{"POST", "/api/v1/campaigns", nil, campaign(prefHohhot), by(201, 201, 403, 403, 403)},
		{"POST", "/api/v1/campaigns", nil, campaign(prefBaotou), by(201, 403, 403, 403, 403)},
		{"GET", "/api/v1/campaigns/{campH}", nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/campaigns/{campB}", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/campaigns/999999", nil, nil, all(404)},
		// A body without a file: in scope it is refused for the missing file.
		{"POST", "/api/v1/checklists/{draftA}/evidence", nil, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/api/v1/checklists/{draftD}/evidence", nil, nil, adminOnly(422)},
		{"POST", "/api/v1/checklists/999999/evidence", nil, nil, all(404)},
		{"POST", "/api/v1/hazards/{hazA}/evidence", nil, nil, by(422, 403, 403, 422, 403)},
		{"POST", "/api/v1/hazards/{hazD}/evidence", nil, nil, adminOnly(422)},
		{"POST", "/api/v1/hazards/999999/evidence", nil, nil, all(404)},
		{"GET", "/api/v1/rules/" + province, nil, nil, adminOnly(200)},
		{"GET", "/api/v1/rules/" + prefHohhot, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/rules/" + countyXC, nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/api/v1/rules/" + prefBaotou, nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/rules/" + unknownDivision, nil, nil, all(404)},
		{"POST", "/api/v1/rules", nil, map[string]any{"division_code": prefBaotou, "effective_from": day0.AddDays(30).String(),
			"params": map[string]any{"guards_small": 1}}, adminOnly(201)},
		{"GET", "/api/v1/notifications", nil, nil, all(200)},
		{"GET", "/api/v1/notifications?unread=true", nil, nil, all(200)},
		{"GET", "/api/v1/notifications?unread=maybe", nil, nil, all(400)},
		{"POST", "/api/v1/notifications/{noteA}/read", nil, nil, by(404, 404, 404, 200, 404)},
		{"POST", "/api/v1/notifications/999999/read", nil, nil, all(404)},
		{"GET", "/api/v1/schools/" + schoolA + "/guards", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/api/v1/schools/" + schoolD + "/guards", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/schools/" + unknownSchool + "/guards", nil, nil, all(404)},
		// A wrong check digit: refused for its value where the user may write.
		{"POST", "/api/v1/schools/" + schoolA + "/guards", nil, badGuard, by(422, 403, 403, 422, 403)},
		{"POST", "/api/v1/schools/" + schoolD + "/guards", nil, badGuard, adminOnly(422)},
		{"POST", "/api/v1/guards/{guardA}/leave", nil, map[string]any{"left_on": day0.String()}, by(200, 403, 403, 200, 403)},
		{"POST", "/api/v1/guards/{guardD}/leave", nil, map[string]any{"left_on": day0.String()}, adminOnly(200)},
		{"POST", "/api/v1/guards/999999/leave", nil, map[string]any{"left_on": day0.String()}, all(404)},
		{"GET", "/api/v1/schools/" + schoolA + "/alarm-tests", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/api/v1/schools/" + schoolD + "/alarm-tests", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/api/v1/schools/" + schoolA + "/alarm-tests", nil, alarmTest, by(201, 403, 403, 201, 403)},
		{"POST", "/api/v1/schools/" + schoolD + "/alarm-tests", nil, alarmTest, adminOnly(201)},
		{"POST", "/api/v1/schools/" + unknownSchool + "/alarm-tests", nil, alarmTest, all(404)},
		{"GET", "/api/v1/schools/" + schoolA + "/drills", nil, nil, by(200, 200, 200, 200, 403)},
		{"GET", "/api/v1/schools/" + schoolD + "/drills", nil, nil, by(200, 403, 403, 403, 200)},
		{"POST", "/api/v1/escort-posts", nil, map[string]any{"division_code": countyXC, "name": "路口", "schools": []string{schoolA}}, by(201, 403, 201, 403, 403)},
		{"POST", "/api/v1/escort-posts", nil, map[string]any{"division_code": countyDH, "name": "路口", "schools": []string{schoolD}}, by(201, 403, 403, 403, 201)},
		{"POST", "/api/v1/escort-posts", nil, map[string]any{"division_code": countyXC, "name": "路口", "schools": []string{schoolD}}, by(422, 403, 422, 403, 403)},
		{"POST", "/api/v1/escort-posts/{postA}/check-ins", nil, map[string]any{"session": "am", "police_officers": 1, "staff": 0}, by(201, 403, 201, 201, 403)},
		{"POST", "/api/v1/escort-posts/{postB}/check-ins", nil, map[string]any{"session": "pm", "police_officers": 0, "staff": 2}, by(201, 403, 201, 403, 403)},
		{"POST", "/api/v1/escort-posts/{postD}/check-ins", nil, map[string]any{"session": "am", "police_officers": 1, "staff": 1}, by(201, 403, 403, 403, 201)},
		{"POST", "/api/v1/escort-posts/999999/check-ins", nil, map[string]any{"session": "am"}, all(404)},
		{"GET", "/api/v1/escort-presence/" + prefHohhot, nil, nil, by(200, 200, 200, 403, 403)},
		{"GET", "/api/v1/escort-presence/" + prefBaotou + "?from=2026-01-01", nil, nil, by(200, 403, 403, 403, 200)},
		{"GET", "/api/v1/escort-presence/" + unknownDivision, nil, nil, all(404)},
		{"POST", "/api/v1/schools/" + schoolA + "/drills", nil, drill, by(201, 403, 403, 201, 403)},
		{"POST", "/api/v1/schools/" + schoolD + "/drills", nil, drill, adminOnly(201)},
		{"POST", "/api/v1/schools/" + unknownSchool + "/drills", nil, drill, all(404)},
		{"GET", "/api/v1/no-such-thing", nil, nil, all(404)},
	}
}

func TestPageAccessByRoleAndScope(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	clients := map[string]*client{}
	for _, u := range matrixUsers {
		clients[u] = app.signedIn(t, u)
	}
	for _, tc := range pageAccessCases(t) {
		for i, u := range matrixUsers {
			c := clients[u]
			path := app.resolve(t, tc.path)
			var r response
			if tc.method == http.MethodGet {
				r = c.get(path)
			} else {
				r = c.post(path, tc.form)
			}
			if r.status != tc.want[i] {
				t.Errorf("%s %s as %s: got status %d, want %d", tc.method, tc.path, u, r.status, tc.want[i])
				continue
			}
			if r.status >= 400 && !r.isHTML() {
				t.Errorf("%s %s as %s: error page Content-Type %q, want HTML", tc.method, tc.path, u, r.header.Get("Content-Type"))
			}
		}
	}
	// The school user's dashboard is its school.
	if got := clients[userSchool].get("/").header.Get("Location"); got != "/schools/"+schoolA {
		t.Errorf("school user GET /: Location %q, want /schools/%s", got, schoolA)
	}
}

func TestPageAccessSignedOut(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.newClient(t)
	c.get("/login") // a CSRF token, so that POSTs get as far as the sign-in check
	for _, tc := range pageAccessCases(t) {
		path := app.resolve(t, tc.path)
		if tc.method == http.MethodGet {
			r := c.get(path)
			want := "/login?next=" + url.QueryEscape(path)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
				t.Errorf("GET %s signed out: got %d %q, want 303 %q", tc.path, r.status, r.header.Get("Location"), want)
			}
			continue
		}
		if r := c.post(path, tc.form); r.status != http.StatusUnauthorized {
			t.Errorf("POST %s signed out: got status %d, want 401", tc.path, r.status)
		}
	}
}

func TestAPIAccessByRoleAndScope(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	clients := map[string]*apiClient{}
	for _, u := range matrixUsers {
		clients[u] = app.api(t, u)
	}
	for _, tc := range apiAccessCases(t) {
		for i, u := range matrixUsers {
			path := app.resolve(t, tc.path)
			r := clients[u].call(tc.method, path, tc.body)
			what := fmt.Sprintf("%s %s as %s", tc.method, tc.path, u)
			if r.status >= 300 || tc.want[i] >= 300 {
				wantJSONError(t, what, r, tc.want[i])
				continue
			}
			if r.status != tc.want[i] {
				t.Errorf("%s: got status %d, want %d", what, r.status, tc.want[i])
			}
			var v map[string]any
			decode(t, r, &v)
		}
	}
}

func TestAPIAccessWithoutCredentials(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, auth := range []string{"", "Bearer sc_not-a-token", "Bearer ", "Basic YWRtaW46Q29ycmVjdC1Ib3JzZS05", "bearer x"} {
		for _, tc := range apiAccessCases(t) {
			c := app.api(t, "")
			path := app.resolve(t, tc.path)
			body := ""
			if tc.body != nil {
				body = jsonString(tc.body)
			}
			req, _ := http.NewRequest(tc.method, c.base+path, strings.NewReader(body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			res, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := readResponse(t, res)
			wantJSONError(t, fmt.Sprintf("%s %s with Authorization %q", tc.method, tc.path, auth), r, http.StatusUnauthorized)
		}
	}
}

// A disabled or unknown token's owner is nobody; a token works only for its
// own user's scope, whatever the URL says.
func TestAPITokenOfAnotherUserGivesNoExtraRights(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	school := app.api(t, userSchool)
	r := school.post("/api/v1/schools/"+schoolB+"/checklists", map[string]any{"checked_on": day0.String(), "facts": map[string]any{}})
	wantJSONError(t, "school user writing another school", r, http.StatusForbidden)
	r = school.post("/api/v1/schools/"+schoolA+"/hazards", map[string]any{"measure": "other", "description": "x", "severity": "low", "deadline": day0.String()})
	wantJSONError(t, "school user raising a hazard", r, http.StatusForbidden)
}

// publicCase is a route open to everyone, or a sign-in form: the status
// for each matrix user and for a client that is not signed in.
type publicCase struct {
	method, path string
	form         url.Values
	want         [5]int
	signedOut    int
}

// publicAccessCases are the routes outside the signed-in pages: the
// sign-in forms, operations and static files.
func publicAccessCases() []publicCase {
	bad := url.Values{"username": {"nobody-at-all"}, "password": {"wrong-password"}}
	return []publicCase{
		{"GET", "/login", nil, all(303), 200},
		{"POST", "/login", bad, all(401), 401},
		{"POST", "/logout", url.Values{}, all(303), 303},
		{"POST", "/settings/language", url.Values{"lang": {"en"}}, all(303), 303},
		{"POST", "/settings/language", url.Values{"lang": {"xx"}}, all(422), 422},
		{"GET", "/healthz", nil, all(200), 200},
		{"GET", "/readyz", nil, all(200), 200},
		{"HEAD", "/healthz", nil, all(200), 200},
		{"HEAD", "/readyz", nil, all(200), 200},
		{"GET", "/metrics", nil, all(200), 200},
		{"GET", "/static/css/app.css", nil, all(200), 200},
		{"GET", "/static/no-such-file.js", nil, all(404), 404},
		{"GET", "/favicon.ico", nil, all(301), 301},
		{"GET", "/manifest.webmanifest", nil, all(200), 200},
		{"GET", "/sw.js", nil, all(200), 200},
	}
}

func TestPublicRoutesByRole(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, tc := range publicAccessCases() {
		for i, u := range append(matrixUsers[:], "") {
			// A fresh client each time: one case signs out.
			var c *client
			want := tc.signedOut
			if u == "" {
				c = app.newClient(t)
				c.get("/login")
			} else {
				c, want = app.signedIn(t, u), tc.want[i]
			}
			var r response
			switch tc.method {
			case http.MethodGet:
				r = c.get(tc.path)
			case http.MethodHead:
				r = c.do(c.newRequest(http.MethodHead, tc.path, nil))
			default:
				r = c.post(tc.path, tc.form)
			}
			if r.status != want {
				t.Errorf("%s %s as %q: got status %d, want %d", tc.method, tc.path, u, r.status, want)
			}
		}
	}
}

// routePattern turns an Echo path into a regular expression matching the
// request paths (with query) that it serves.
func routePattern(path string) *regexp.Regexp {
	if path == "" {
		path = "/"
	}
	p := regexp.QuoteMeta(path)
	p = regexp.MustCompile(`:\w+`).ReplaceAllString(p, `[^/?]+`)
	p = strings.ReplaceAll(p, `\*`, `[^?]*`)
	return regexp.MustCompile("^" + p + `(\?.*)?$`)
}

// TestAccessTablesCoverEveryRoute walks the router's own route table: a
// route added to routes.go without a row in the access tables fails here.
func TestAccessTablesCoverEveryRoute(t *testing.T) {
	t.Parallel()
	routes := routeTable(t)
	if len(routes) < 30 {
		t.Fatalf("the router lists only %d routes", len(routes))
	}
	type row struct{ method, path string }
	var rows []row
	for _, c := range append(pageAccessCases(t), apiAccessCases(t)...) {
		rows = append(rows, row{c.method, c.path})
	}
	for _, c := range publicAccessCases() {
		rows = append(rows, row{c.method, c.path})
	}
	placeholder := regexp.MustCompile(`\{\w+\}`)
	for _, r := range routes {
		re := routePattern(r.Path)
		found := false
		for _, c := range rows {
			if c.method == r.Method && re.MatchString(placeholder.ReplaceAllString(c.path, "1")) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("route %s %s has no row in the access tables (access_test.go)", r.Method, r.Path)
		}
	}
}

// routeTable is the router's list of routes; building the routes needs no
// database.
func routeTable(t *testing.T) []server.RouteInfo {
	t.Helper()
	return server.New(server.Config{}, nil, nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry()).Routes()
}

// Exports take the session cookie or a Bearer token, under the same scope
// rules as the pages.
func TestExportsNeedCredentials(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	path := "/divisions/" + prefHohhot + "/coverage.csv"
	if r := app.newClient(t).get(path); r.status != http.StatusSeeOther {
		t.Errorf("signed out: status %d, want 303 to /login", r.status)
	}
	bad := app.api(t, "")
	bad.token = "sc_forged"
	if r := bad.get(path); r.status != http.StatusUnauthorized {
		t.Errorf("a bad token: status %d, want 401", r.status)
	}
	for _, tc := range []struct {
		user string
		want int
	}{
		{userLeader, http.StatusOK},
		{userInspector, http.StatusOK},
		{userInspector2, http.StatusForbidden},
		{userSchool, http.StatusForbidden},
	} {
		if r := app.api(t, tc.user).get(path); r.status != tc.want {
			t.Errorf("%s's token: status %d, want %d", tc.user, r.status, tc.want)
		}
	}
}
