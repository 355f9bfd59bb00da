package pages

import (
	"strconv"

	"timebank/ledger"
)

// chart is a bar chart drawn on the server as SVG: no script and no CDN, so it shows on a closed
// intranet, scales with the page (a viewBox) from a phone to print, and says what it shows in its
// title and in the table beside it.
type chart struct {
	Title  string
	W, H   int
	Bars   []chartBar
	Labels []chartText // below the bars
	Grid   []chartGrid // horizontal lines with their values, from 0 up
	Legend []chartLegend
	Base   int // the y of the zero line
	Left   int // where the plot starts
	Right  int // where it ends
}

type chartBar struct {
	X, Y, W, H int
	Series     int    // which series: its colour
	Title      string // label and value, shown on hover and read by screen readers
}

type chartText struct {
	X    int
	Text string
}

type chartGrid struct {
	Y     int
	Label string
}

type chartLegend struct {
	X      int
	Series int
	Name   string
}

// The chart's frame, in viewBox units: narrow enough that its text stays readable on a 360 px phone.
const (
	chartW      = 400
	chartH      = 220
	chartLeft   = 44
	chartRight  = 6
	chartTop    = 28
	chartBottom = 22
)

// chartSteps are the grid's steps in minutes: a quarter of an hour up to 50,000 hours.
var chartSteps = []int64{15, 30, 60, 120, 300, 600, 1200, 3000, 6000, 12000, 30000, 60000, 120000, 300000,
	600000, 1200000, 3000000}

// barChart draws values[series][i] (minutes) for each label, the series stacked or side by side.
func barChart(title string, labels, names []string, values [][]int64, stacked bool) chart {
	c := chart{Title: title, W: chartW, H: chartH, Base: chartH - chartBottom, Left: chartLeft, Right: chartW - chartRight}
	var top int64
	for i := range labels {
		var sum int64
		for s := range values {
			v := max(values[s][i], 0)
			if stacked {
				sum += v
			} else {
				sum = max(sum, v)
			}
		}
		top = max(top, sum)
	}
	step := chartSteps[len(chartSteps)-1]
	for _, s := range chartSteps {
		if s*4 >= top {
			step = s
			break
		}
	}
	plotH := c.Base - chartTop
	scale := func(v int64) int { return int(v * int64(plotH) / (step * 4)) }
	for k := int64(0); k <= 4; k++ {
		c.Grid = append(c.Grid, chartGrid{Y: c.Base - scale(k*step), Label: ledger.FormatHours(k * step)})
	}
	n := max(len(labels), 1)
	slot := (c.Right - c.Left) / n
	every := 1 + (n-1)/12 // at most 12 labels
	for i, l := range labels {
		x := c.Left + i*slot + slot/8
		w := slot * 3 / 4
		y := c.Base
		for s := range values {
			v := max(values[s][i], 0)
			h := scale(v)
			bar := chartBar{Series: s, H: h, W: w, X: x, Y: y - h,
				Title: l + " · " + names[s] + " " + ledger.FormatHours(v)}
			if stacked {
				y -= h
			} else {
				bar.W = w / len(values)
				bar.X = x + s*bar.W
				bar.Y = c.Base - h
			}
			c.Bars = append(c.Bars, bar)
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, chartText{X: x + w/2, Text: l})
		}
	}
	for s, name := range names {
		c.Legend = append(c.Legend, chartLegend{X: c.Left + s*150, Series: s, Name: name})
	}
	return c
}

// monthLabel is a month (YYYY-MM) as a chart's axis says it, short enough for a phone: 10月, or Oct
// in English (the table below the chart has the years).
func monthLabel(lang, month string) string {
	if len(month) != 7 {
		return month
	}
	m, err := strconv.Atoi(month[5:])
	if err != nil || m < 1 || m > 12 {
		return month
	}
	if lang == "en" {
		return [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[m-1]
	}
	return strconv.Itoa(m) + "月"
}
