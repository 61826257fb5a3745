package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"safecampus/internal/model"
	"safecampus/internal/store"
)

// escortSchools is how many schools of the roster (the demo school user's
// first) are served by escort posts in the demo, two to a post.
const escortSchools = 24

// seedEscort sets up escort posts (护学岗) for the first schools of the
// roster, two neighbouring schools of a county to a post, and check-ins
// over the last 30 days' school days: most sessions with police, some with
// staff only, a few missed.
func seedEscort(ctx context.Context, st *store.Store, roster []model.School, today model.Date, r *rand.Rand) error {
	seeder := model.User{Username: "demo-seed", Role: model.Admin}
	byCounty := map[string][]string{}
	var counties []string
	for _, s := range roster[:min(escortSchools, len(roster))] {
		if _, ok := byCounty[s.DivisionCode]; !ok {
			counties = append(counties, s.DivisionCode)
		}
		byCounty[s.DivisionCode] = append(byCounty[s.DivisionCode], s.Code)
	}
	var posts []model.EscortPost
	for _, county := range counties {
		codes := byCounty[county]
		for i := 0; i < len(codes); i += 2 {
			p, err := st.CreateEscortPost(ctx, seeder, model.EscortPostInput{DivisionCode: county,
				Name: fmt.Sprintf("护学岗 %s-%d", county, i/2+1), Schools: codes[i:min(i+2, len(codes))]})
			if err != nil {
				return fmt.Errorf("seed escort post in %s: %w", county, err)
			}
			posts = append(posts, p)
		}
	}
	for d := today.AddDays(-30); d < today; d++ {
		if !model.IsSchoolDay(d, nil) {
			continue
		}
		for _, sess := range model.Sessions {
			hour := 7
			if sess == model.SessionPM {
				hour = 16
			}
			at := d.Time(st.Location()).Add(time.Duration(hour) * time.Hour)
			sim := st.WithClock(func() time.Time { return at })
			for _, p := range posts {
				if r.IntN(10) == 0 { // missed
					continue
				}
				in := model.CheckInInput{Session: sess, PoliceOfficers: 1 + r.IntN(2), Staff: 1 + r.IntN(3)}
				if r.IntN(8) == 0 { // staff only
					in.PoliceOfficers = 0
				}
				if _, err := sim.CheckIn(ctx, seeder, p.ID, in); err != nil {
					return fmt.Errorf("seed check-in at post %d: %w", p.ID, err)
				}
			}
		}
	}
	return nil
}
