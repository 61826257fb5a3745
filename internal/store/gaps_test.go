package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"safecampus/internal/model"
)

// TestGapsGroupEveryUncoveredSchoolOnce builds one school per kind of gap
// and checks the counts, the lists behind each count, and that the counts of
// each measure add up to the ledger's uncovered figure.
func TestGapsGroupEveryUncoveredSchoolOnce(t *testing.T) {
	forEachEngine(t, testGapsGroupEveryUncoveredSchoolOnce)
}

func testGapsGroupEveryUncoveredSchoolOnce(t *testing.T, engine string) {
	d0 := model.NewDate(2026, 3, 1)
	s, _ := newTestStore(t, engine, d0)
	ctx := context.Background()
	hazard := func(sc model.School, m model.Measure) {
		t.Helper()
		if _, err := s.CreateHazard(ctx, testAdmin, sc.ID, HazardInput{Measure: m, Description: "broken", Severity: model.High, Deadline: d0.AddDays(10)}); err != nil {
			t.Fatal(err)
		}
	}
	covered := addSchool(t, s, "1000000001", "150102", 500)
	verified(t, s, covered, d0)

	guardsShort := addSchool(t, s, "1000000002", "150102", 1240) // 2 guards, 3 required
	verified(t, s, guardsShort, d0)

	noCheck := addSchool(t, s, "1000000003", "150103", 50)

	old := d0.AddDays(-200)
	expired := addSchool(t, s, "1000000004", "150202", 300)
	verified(t, s, expired, old)

	videoHazard := addSchool(t, s, "1000000005", "150103", 300)
	verified(t, s, videoHazard, d0)
	hazard(videoHazard, model.VideoNetworking)

	// Fails the guards rule and has a hazard on guards: one gap, a hazard.
	both := addSchool(t, s, "1000000006", "150103", 1240)
	verified(t, s, both, d0)
	hazard(both, model.SecurityGuards)
	hazard(both, model.MeasureOther) // not one of the five: changes nothing

	onlyReported := addSchool(t, s, "1000000007", "150102", 300)
	submit(t, s, onlyReported, d0, goodFacts(d0))

	closed := addSchool(t, s, "1000000008", "150102", 300)
	if err := s.SetSchoolActive(ctx, testAdmin, closed.Code, false); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		under string
		basis model.Basis
		want  model.GapCounts
	}{
		{"150000", model.BasisVerified, model.GapCounts{Schools: 7, NoCheck: 2, Expired: 1,
			Hazard: [5]int{0, 0, 1, 0, 1}, Rule: [5]int{0, 0, 1, 0, 0}}},
		{"", model.BasisVerified, model.GapCounts{Schools: 7, NoCheck: 2, Expired: 1,
			Hazard: [5]int{0, 0, 1, 0, 1}, Rule: [5]int{0, 0, 1, 0, 0}}},
		{"150000", model.BasisReported, model.GapCounts{Schools: 7, NoCheck: 1, Expired: 1,
			Hazard: [5]int{0, 0, 1, 0, 1}, Rule: [5]int{0, 0, 1, 0, 0}}},
		{"150100", model.BasisVerified, model.GapCounts{Schools: 6, NoCheck: 2,
			Hazard: [5]int{0, 0, 1, 0, 1}, Rule: [5]int{0, 0, 1, 0, 0}}},
		{"150202", model.BasisVerified, model.GapCounts{Schools: 1, Expired: 1}},
		{"150104", model.BasisVerified, model.GapCounts{}},
	}
	for _, tt := range tests {
		got, err := s.GapCounts(ctx, tt.under, tt.basis)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GapCounts(%q, %s) (-want +got):\n%s", tt.under, tt.basis, diff)
		}
		if tt.under == "" {
			continue
		}
		cov := coverageOf(t, s, tt.under, tt.basis, d0)
		for i, m := range model.Measures {
			if got.Uncovered(i) != cov.Schools-cov.Measures[i] {
				t.Errorf("%s %s %s: gaps add up to %d, ledger says %d uncovered", tt.under, tt.basis, m, got.Uncovered(i), cov.Schools-cov.Measures[i])
			}
		}
	}

	list := func(m string, k model.GapKind) []string {
		t.Helper()
		items, total, err := s.Schools(ctx, SchoolQuery{Under: "150000", Uncovered: m, Gap: k})
		if err != nil {
			t.Fatal(err)
		}
		codes := []string{}
		for _, it := range items {
			codes = append(codes, it.School.Code)
		}
		if int(total) != len(codes) {
			t.Errorf("%s/%s: total %d, %d rows", m, k, total, len(codes))
		}
		return codes
	}
	lists := []struct {
		measure string
		kind    model.GapKind
		want    []string
	}{
		{"", model.GapNoCheck, []string{onlyReported.Code, noCheck.Code}},
		{"nursing_post", model.GapNoCheck, []string{onlyReported.Code, noCheck.Code}},
		{"", model.GapExpired, []string{expired.Code}},
		{"security_guards", model.GapRule, []string{guardsShort.Code}},
		{"security_guards", model.GapHazard, []string{both.Code}},
		{"video_networking", model.GapHazard, []string{videoHazard.Code}},
		{"video_networking", model.GapRule, []string{}},
		{"nursing_post", model.GapRule, []string{}},
	}
	for _, tt := range lists {
		if diff := cmp.Diff(tt.want, list(tt.measure, tt.kind)); diff != "" {
			t.Errorf("list %s/%s (-want +got):\n%s", tt.measure, tt.kind, diff)
		}
	}

	// The rows carry the stored reasons: the hazard group shows the rule's
	// failure too.
	items, _, err := s.Schools(ctx, SchoolQuery{Under: "150000", Uncovered: "security_guards", Gap: model.GapHazard})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range items[0].Status.Measures[2].Reasons {
		codes = append(codes, r.Code)
	}
	if diff := cmp.Diff([]string{model.ReasonGuardsShort, model.ReasonHazardOpen}, codes); diff != "" {
		t.Errorf("reasons of the hazard row (-want +got):\n%s", diff)
	}
	items, _, err = s.Schools(ctx, SchoolQuery{Under: "150000", Gap: model.GapExpired})
	if err != nil {
		t.Fatal(err)
	}
	if r := items[0].Status.Measures[0].Reasons; len(r) == 0 || r[0].Code != model.ReasonCheckExpired {
		t.Errorf("expired row reasons: %+v", r)
	}
}

func TestValidGap(t *testing.T) {
	tests := []struct {
		kind    model.GapKind
		measure model.Measure
		want    bool
	}{
		{"", "", true},
		{model.GapNoCheck, "", true},
		{model.GapExpired, model.NursingPost, true},
		{model.GapRule, model.SecurityGuards, true},
		{model.GapRule, "", false},
		{model.GapHazard, "all_five", false},
		{model.GapHazard, "bogus", false},
	}
	for _, tt := range tests {
		if got := ValidGap(tt.kind, tt.measure); got != tt.want {
			t.Errorf("ValidGap(%q, %q) = %v, want %v", tt.kind, tt.measure, got, tt.want)
		}
	}
}
