package activity

import (
	"fmt"
	"strings"
	"time"

	"timebank/pkg/chinatime"
)

// Service records are due within RecordDueWorkingDays working days after the activity ends
// (志愿服务记录与证明出具办法), and coordinators are warned DueSoonWorkingDays before.
const (
	RecordDueWorkingDays = 10
	DueSoonWorkingDays   = 2
)

// Date is a calendar day in China Standard Time. It is comparable, so it serves as a map key.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day on which the instant t falls in China Standard Time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(chinatime.Zone()).Date()
	return Date{y, m, d}
}

// ParseDate reads a day written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("activity: date %q: want YYYY-MM-DD", s)
	}
	y, m, d := t.Date()
	return Date{y, m, d}, nil
}

// String writes the day as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the day n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	// In UTC every day has 24 hours; time.Date normalizes the overflow of the day of the month.
	y, m, day := time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC).Date()
	return Date{y, m, day}
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// daysSince returns how many days d is after o (negative when before).
func (d Date) daysSince(o Date) int { return int(d.utc().Sub(o.utc()) / (24 * time.Hour)) }

// utc returns midnight UTC of the same calendar day, for arithmetic on days that all last 24 hours.
func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Start returns midnight at the beginning of the day, China Standard Time.
func (d Date) Start() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, chinatime.Zone())
}

// End returns the last instant of the day (23:59:59.999999999 China Standard Time), so that "due
// by the end of the day" is simply !now.After(d.End()).
func (d Date) End() time.Time { return d.AddDays(1).Start().Add(-time.Nanosecond) }

// DueStatus is where a deadline stands at a given moment.
type DueStatus int

// The deadline states, from calm to late.
const (
	DueOK      DueStatus = iota // more than DueSoonWorkingDays working days left
	DueSoon                     // due by the end of the DueSoonWorkingDays-th working day from now
	DueOverdue                  // the deadline has passed
)

// String returns the message key of the status: "ok", "due_soon" or "overdue".
func (s DueStatus) String() string {
	switch s {
	case DueOK:
		return "ok"
	case DueSoon:
		return "due_soon"
	case DueOverdue:
		return "overdue"
	}
	return fmt.Sprintf("DueStatus(%d)", int(s))
}

// WorkCalendar knows which days are working days: Monday to Friday, minus statutory holidays,
// plus the weekend days that are worked instead (调休). A year it does not cover is counted as
// plain Monday to Friday, and Covers and Deadline say so: such a count is only an estimate.
type WorkCalendar struct {
	off   map[Date]string // holiday → its name
	work  map[Date]string // make-up working day → its name
	years map[int]bool
}

// Covers reports whether the calendar lists the holidays of year, so that a missing year (the
// State Council publishes the next one each November) can be noticed before it starts.
func (c *WorkCalendar) Covers(year int) bool { return c.years[year] }

// IsWorkingDay reports whether d is a working day.
func (c *WorkCalendar) IsWorkingDay(d Date) bool {
	if _, ok := c.work[d]; ok {
		return true
	}
	if _, ok := c.off[d]; ok {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the end (last instant, China Standard Time) of the n-th working day after
// the day on which t falls; the day of t itself never counts, whatever time it is, and n <= 0 gives
// the end of t's own day.
func (c *WorkCalendar) AddWorkingDays(t time.Time, n int) time.Time {
	d := DateOf(t)
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d.End()
}

// Deadline is AddWorkingDays that also reports whether the count went through a day of a year the
// calendar does not cover, so that the deadline is only an estimate (Monday to Friday).
func (c *WorkCalendar) Deadline(t time.Time, n int) (due time.Time, estimated bool) {
	d := DateOf(t)
	estimated = !c.years[d.Year]
	for n > 0 {
		d = d.AddDays(1)
		estimated = estimated || !c.years[d.Year]
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d.End(), estimated
}

// DueStatus tells how a deadline stands at now: DueOverdue once now is past it, DueSoon when it
// falls no later than the end of the DueSoonWorkingDays-th working day after now's day, DueOK
// before that.
func (c *WorkCalendar) DueStatus(deadline, now time.Time) DueStatus {
	switch {
	case now.After(deadline):
		return DueOverdue
	case !deadline.After(c.AddWorkingDays(now, DueSoonWorkingDays)):
		return DueSoon
	}
	return DueOK
}

// ParseWorkCalendar reads a calendar in the format of holidays_cn.txt: one holiday or make-up
// working day per line, "DATE[..DATE] off|work NAME", with "#" comments. It refuses a date listed
// twice, a make-up working day that is not a Saturday or Sunday, and a range that runs backwards
// or over 31 days, because each of these is a typo in the notice copied by hand.
func ParseWorkCalendar(text string) (*WorkCalendar, error) {
	c := newWorkCalendar()
	for i, line := range strings.Split(text, "\n") {
		if err := c.parseLine(line); err != nil {
			return nil, fmt.Errorf("activity: holiday calendar line %d: %w", i+1, err)
		}
	}
	return c, nil
}

func newWorkCalendar() *WorkCalendar {
	return &WorkCalendar{off: map[Date]string{}, work: map[Date]string{}, years: map[int]bool{}}
}

func (c *WorkCalendar) parseLine(line string) error {
	line, _, _ = strings.Cut(line, "#")
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	if len(f) < 2 {
		return fmt.Errorf("want DATE[..DATE] off|work NAME")
	}
	from, to, isRange := strings.Cut(f[0], "..")
	first, err := ParseDate(from)
	if err != nil {
		return err
	}
	last := first
	if isRange {
		if last, err = ParseDate(to); err != nil {
			return err
		}
	}
	if n := last.daysSince(first); n < 0 || n >= 31 {
		return fmt.Errorf("range %s runs backwards or is longer than 31 days", f[0])
	}
	name := strings.Join(f[2:], " ")
	for d := first; d != last.AddDays(1); d = d.AddDays(1) {
		if _, dup := c.off[d]; dup {
			return fmt.Errorf("%s is listed twice", d)
		}
		if _, dup := c.work[d]; dup {
			return fmt.Errorf("%s is listed twice", d)
		}
		switch f[1] {
		case "off":
			c.off[d] = name
		case "work":
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return fmt.Errorf("make-up working day %s is a %s, not a weekend day", d, wd)
			}
			c.work[d] = name
		default:
			return fmt.Errorf("kind %q: want off or work", f[1])
		}
		c.years[d.Year] = true
	}
	return nil
}
