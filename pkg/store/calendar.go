package store

import (
	"fmt"
	"time"

	"timebank/pkg/chinatime"
)

// Period is the span a per-person limit counts over.
type Period string

// The limit periods. Weeks start on Monday; all start at midnight China Standard Time.
const (
	Week    Period = "week"
	Month   Period = "month"
	Quarter Period = "quarter"
)

// Valid reports whether p is one of the periods.
func (p Period) Valid() bool { return p == Week || p == Month || p == Quarter }

// Start returns the start of the period that holds t.
func (p Period) Start(t time.Time) time.Time {
	t = t.In(chinatime.Zone())
	y, m, d := t.Date()
	switch p {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, chinatime.Zone())
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, chinatime.Zone())
	case Quarter:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, chinatime.Zone())
	}
	panic(fmt.Sprintf("store: unknown period %q", p))
}

// dayLayout writes calendar dates, as best-before dates and the day report use them.
const dayLayout = "2006-01-02"

// today returns the calendar day of t in China Standard Time, at midnight.
func today(t time.Time) time.Time {
	return chinatime.Midnight(t)
}

// parseDay reads a date written as "2006-01-02", at midnight China Standard Time.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(dayLayout, s, chinatime.Zone())
	return t, err == nil && t.Year() >= 2000 && t.Year() <= 2200
}

// daysBetween returns the whole calendar days from a to b (negative when b is before a).
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.In(chinatime.Zone()).Date()
	by, bm, bd := b.In(chinatime.Zone()).Date()
	// Counted in UTC, where every day has 24 hours.
	return int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
}
