package server

import (
	"context"
	"time"

	"safecampus/internal/model"
	"safecampus/web"
)

// trendMonths is how many points the trend shows: the ends of the 11
// months before the as-of day's month, and the as-of day itself.
const trendMonths = 12

// trendDays returns the days of the trend ending on asOf, oldest first.
func trendDays(asOf model.Date, n int) []model.Date {
	days := make([]model.Date, n)
	days[n-1] = asOf
	for i := n - 2; i >= 0; i-- {
		// The day before the first of the next point's month.
		t := days[i+1].Time(time.UTC)
		days[i] = model.DateOf(t.AddDate(0, 0, -t.Day()))
	}
	return days
}

// trend reads the division's coverage on both bases at each trend day.
// Every point is one ledger read per basis (Store.Coverage), so the cost
// does not depend on the number of schools. The national root (no code)
// is the sum of its children.
func (s *Server) trend(ctx context.Context, d model.Division, children []model.Division, asOf model.Date) (web.Trend, error) {
	return s.trendOn(ctx, d, children, trendDays(asOf, trendMonths))
}

// trendOn reads the division's coverage on both bases at each of days.
func (s *Server) trendOn(ctx context.Context, d model.Division, children []model.Division, days []model.Date) (web.Trend, error) {
	codes := []string{d.Code}
	if d.Code == "" {
		codes = codes[:0]
		for _, ch := range children {
			codes = append(codes, ch.Code)
		}
	}
	t := web.Trend{Points: make([]web.TrendPoint, len(days))}
	for i, day := range days {
		t.Points[i].Day = day
		for _, basis := range model.Bases {
			counts, err := s.store.Coverage(ctx, codes, basis, day)
			if err != nil {
				return t, err
			}
			var sum model.Counts
			for _, c := range counts {
				sum = sum.Add(c)
			}
			if basis == model.BasisVerified {
				t.Points[i].Verified = sum
			} else {
				t.Points[i].Reported = sum
			}
		}
	}
	return t, nil
}
