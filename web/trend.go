package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
)

// Trend is a division's coverage at the end of each month, oldest first;
// the last point is the page's as-of day itself.
type Trend struct {
	Points []TrendPoint
}

// TrendPoint is the coverage on both bases at the end of one day.
type TrendPoint struct {
	Day                model.Date
	Verified, Reported model.Counts
}

// share returns measure i's percentage (model.AllFive for i = 5) on a basis.
func (p TrendPoint) share(i int, reported bool) (model.Percent, int, int) {
	c := p.Verified
	if reported {
		c = p.Reported
	}
	if i == len(model.Measures) {
		return c.AllFivePercent(), c.AllFive, c.Schools
	}
	return c.Percent(i), c.Measures[i], c.Schools
}

// trendMeasures are the charts: the five measures, then all five.
var trendMeasures = append(model.Measures[:], model.AllFive)

// The chart's drawing area in SVG units; the SVG scales to its box.
const (
	chartW, chartH          = 320.0, 150.0
	plotLeft, plotRight     = 36.0, 312.0
	plotTop, plotBottom     = 10.0, 124.0
	xLabelY, yLabelX        = 142.0, 30.0
	minRange            int = 10 // percentage points the y axis spans at least
)

// trendChart is one measure's chart, laid out.
type trendChart struct {
	Measure           model.Measure
	Index             int
	Verified          []string // polyline point lists, one per unbroken run
	Reported          []string
	Dots              []chartDot
	Ticks             []chartTick
	Labels            []chartTick // x axis: one per point
	FullY             string      // the 100% line
	Latest            model.Percent
	First, Last       model.Date
	FirstPct, LastPct model.Percent
}

type chartDot struct {
	X, Y string
	Full bool
	Day  model.Date
	Pct  model.Percent
}

type chartTick struct {
	Pos   string // y for a value tick, x for a day label
	Label string
}

// trendFloor is the lowest percentage the charts show: the lowest value
// rounded down to ten, so that all six charts share one scale.
func trendFloor(t Trend) int {
	lo := 100
	for _, p := range t.Points {
		for i := range trendMeasures {
			for _, rep := range []bool{false, true} {
				if pct, _, _ := p.share(i, rep); pct.Valid {
					lo = min(lo, pct.Tenths/10)
				}
			}
		}
	}
	return min(100-minRange, lo/10*10)
}

func fmtCoord(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// trendCharts lays out one chart per measure and one for all five.
func trendCharts(ctx context.Context, t Trend) []trendChart {
	n := len(t.Points)
	if n == 0 {
		return nil
	}
	lo := trendFloor(t)
	x := func(k int) float64 {
		if n == 1 {
			return (plotLeft + plotRight) / 2
		}
		return plotLeft + (plotRight-plotLeft)*float64(k)/float64(n-1)
	}
	y := func(tenths int) float64 {
		return plotBottom - (plotBottom-plotTop)*float64(tenths-lo*10)/float64((100-lo)*10)
	}
	var ticks []chartTick
	step := 10
	if 100-lo > 50 {
		step = 20
	}
	for v := 100; v >= lo; v -= step {
		ticks = append(ticks, chartTick{Pos: fmtCoord(y(v * 10)), Label: strconv.Itoa(v) + "%"})
	}
	labels := make([]chartTick, n)
	for k, p := range t.Points {
		labels[k] = chartTick{Pos: fmtCoord(x(k)), Label: monthLabel(ctx, p.Day)}
	}
	charts := make([]trendChart, len(trendMeasures))
	for i, m := range trendMeasures {
		c := trendChart{Measure: m, Index: i, Ticks: ticks, Labels: labels, FullY: fmtCoord(y(1000)),
			First: t.Points[0].Day, Last: t.Points[n-1].Day}
		for _, rep := range []bool{false, true} {
			var runs []string
			var run []string
			for k, p := range t.Points {
				pct, _, _ := p.share(i, rep)
				if !pct.Valid {
					if len(run) > 0 {
						runs = append(runs, strings.Join(run, " "))
					}
					run = nil
					continue
				}
				run = append(run, fmtCoord(x(k))+","+fmtCoord(y(pct.Tenths)))
				if !rep {
					c.Dots = append(c.Dots, chartDot{X: fmtCoord(x(k)), Y: fmtCoord(y(pct.Tenths)), Full: pct.Full(), Day: p.Day, Pct: pct})
				}
			}
			if len(run) > 0 {
				runs = append(runs, strings.Join(run, " "))
			}
			if rep {
				c.Reported = runs
			} else {
				c.Verified = runs
			}
		}
		for _, p := range t.Points {
			if pct, _, _ := p.share(i, false); pct.Valid && !c.FirstPct.Valid {
				c.First, c.FirstPct = p.Day, pct
			}
		}
		c.LastPct, _, _ = t.Points[n-1].share(i, false)
		c.Latest = c.LastPct
		charts[i] = c
	}
	return charts
}

// monthLabel names a point's month on the x axis: "3月" or "Mar".
func monthLabel(ctx context.Context, d model.Date) string {
	return i18n.T(ctx, "month."+strconv.Itoa(int(d.Time(time.UTC).Month())))
}

// trendDesc is the chart's text alternative: where the measure started and
// where it stands, in words.
func trendDesc(ctx context.Context, c trendChart) string {
	if !c.FirstPct.Valid {
		return i18n.T(ctx, "trend.desc_empty")
	}
	return i18n.T(ctx, "trend.desc", map[string]any{
		"From": c.First.String(), "First": c.FirstPct.String(), "To": c.Last.String(), "Last": c.LastPct.String()})
}

// trendCell is one measure's figures at one point, for the table.
type trendCell struct {
	Verified, Reported model.Percent
	Covered, Total     int
}

func trendRow(p TrendPoint) []trendCell {
	out := make([]trendCell, len(trendMeasures))
	for i := range trendMeasures {
		v, cov, tot := p.share(i, false)
		r, _, _ := p.share(i, true)
		out[i] = trendCell{Verified: v, Reported: r, Covered: cov, Total: tot}
	}
	return out
}

// asOfURL is the division page as of day d, keeping the other parameters.
func asOfURL(path string, q url.Values, d model.Date, today model.Date) string {
	c := url.Values{}
	for k, v := range q {
		if k != "as_of" && k != "page" {
			c[k] = v
		}
	}
	if d != today {
		c["as_of"] = []string{d.String()}
	}
	return withQuery(path, c)
}
