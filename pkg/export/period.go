package export

import (
	"time"

	"timebank/pkg/chinatime"
)

// Period is the days an export covers, both included, as calendar days in China Standard Time. A
// zero From or To leaves that side open.
type Period struct {
	From, To time.Time
}

// Start is the first instant of the period (the zero time when it is open).
func (p Period) Start() time.Time {
	if p.From.IsZero() {
		return time.Time{}
	}
	return time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, chinatime.Zone())
}

// End is the first instant after the period (far in the future when it is open).
func (p Period) End() time.Time {
	if p.To.IsZero() {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(p.To.Year(), p.To.Month(), p.To.Day()+1, 0, 0, 0, 0, chinatime.Zone())
}

// FirstDay and LastDay are the period's days as dates (YYYY-MM-DD), open sides far out, for
// queries on date columns.
func (p Period) FirstDay() string {
	if p.From.IsZero() {
		return "0001-01-01"
	}
	return p.From.Format(time.DateOnly)
}

// LastDay: see FirstDay.
func (p Period) LastDay() string {
	if p.To.IsZero() {
		return "9999-12-31"
	}
	return p.To.Format(time.DateOnly)
}

// Name is the period as a file name takes it: "2026-01-01_2026-03-31", "all" when open on both sides.
func (p Period) Name() string {
	if p.From.IsZero() && p.To.IsZero() {
		return "all"
	}
	return p.FirstDay() + "_" + p.LastDay()
}
