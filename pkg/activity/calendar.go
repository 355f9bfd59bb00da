package activity

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// The kinds of a day in the holiday calendar.
const (
	DayHoliday = "holiday" // a day off (放假), weekends inside a holiday included
	DayWorkday = "workday" // a Saturday or Sunday worked instead of a holiday (调休上班)
)

// Limits of a year's list: every year has holidays, and no notice lists more than a few weeks.
const (
	MinHolidayYear   = 2000
	MaxHolidayYear   = 2100
	maxHolidayDays   = 60
	maxHolidayName   = 50
	calendarReloaded = time.Minute
)

// Holiday is one day of the calendar of mainland China's public holidays.
type Holiday struct {
	Date string `db:"day" json:"date"`  // YYYY-MM-DD
	Kind string `db:"kind" json:"kind"` // holiday or workday
	Name string `db:"name" json:"name"` // the holiday, as the State Council's notice names it
}

// HolidayYear is a year's holidays and make-up working days. Entered is false for a year nobody
// has entered: deadlines in it are counted as plain Monday to Friday, and marked estimated.
type HolidayYear struct {
	Year      int        `json:"year"`
	Entered   bool       `json:"entered"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	Days      []Holiday  `json:"days"`
}

// Calendar is mainland China's working days as the database holds them. It keeps the calendar in
// memory, reads it again at once after an edit on this server and at most calendarReloaded later
// after an edit on another, so that counting a deadline costs no query. It is safe for concurrent use.
type Calendar struct {
	db  *sqlx.DB
	now func() time.Time

	mu     sync.Mutex
	cached *WorkCalendar
	readAt time.Time
}

// NewCalendar returns the calendar over the migrated database; now is the clock (nil: time.Now).
func NewCalendar(db *sqlx.DB, now func() time.Time) *Calendar {
	if now == nil {
		now = time.Now
	}
	return &Calendar{db: db, now: now}
}

// Get returns the working-day calendar.
func (c *Calendar) Get(ctx context.Context) (*WorkCalendar, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.cached != nil && now.Sub(c.readAt) < calendarReloaded && !now.Before(c.readAt) {
		return c.cached, nil
	}
	var days []Holiday
	if err := c.db.SelectContext(ctx, &days, `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM holidays`); err != nil {
		return nil, err
	}
	var years []int
	if err := c.db.SelectContext(ctx, &years, `SELECT year FROM holiday_years`); err != nil {
		return nil, err
	}
	w := newWorkCalendar()
	for _, y := range years {
		w.years[y] = true
	}
	for _, h := range days {
		d, err := ParseDate(h.Date)
		if err != nil {
			return nil, err
		}
		if h.Kind == DayWorkday {
			w.work[d] = h.Name
		} else {
			w.off[d] = h.Name
		}
	}
	c.cached, c.readAt = w, now
	return w, nil
}

// invalidate makes the next Get read the database.
func (c *Calendar) invalidate() {
	c.mu.Lock()
	c.cached = nil
	c.mu.Unlock()
}

// Missing returns the years not entered that deadlines counted now may run into: this year, and
// from 1 December (China Standard Time) the next one too, since the State Council publishes it in
// November or December and deadlines of late December run into January.
func (c *Calendar) Missing(ctx context.Context) ([]int, error) {
	w, err := c.Get(ctx)
	if err != nil {
		return nil, err
	}
	return missingYears(w, c.now()), nil
}

func missingYears(w *WorkCalendar, now time.Time) []int {
	today := DateOf(now)
	out := []int{}
	if !w.Covers(today.Year) {
		out = append(out, today.Year)
	}
	if today.Month == time.December && !w.Covers(today.Year+1) {
		out = append(out, today.Year+1)
	}
	return out
}

// Year returns the year's holidays and make-up working days in date order.
// Errors: ErrInvalid (year range).
func (c *Calendar) Year(ctx context.Context, year int) (HolidayYear, error) {
	if year < MinHolidayYear || year > MaxHolidayYear {
		return HolidayYear{}, invalid("year", "range")
	}
	out := HolidayYear{Year: year, Days: []Holiday{}}
	var at time.Time
	err := c.db.GetContext(ctx, &at, `SELECT updated_at FROM holiday_years WHERE year = $1`, year)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return out, nil
	case err != nil:
		return HolidayYear{}, err
	}
	out.Entered, out.UpdatedAt = true, &at
	err = c.db.SelectContext(ctx, &out.Days, `
SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM holidays WHERE year = $1 ORDER BY day`, year)
	return out, err
}

// SetYear replaces the year's holidays and make-up working days with days, marks the year entered
// and records the change in the audit log; deadlines use it at once on this server. Every year has
// holidays, so an empty list is refused.
// Errors: ErrInvalid (*fields.Error: year range; days required or too_many_days; days[i].date format,
// other_year or duplicate_date; days[i].kind unknown or not_weekend; days[i].name required, too_long or
// encoding).
func (c *Calendar) SetYear(ctx context.Context, by *principal.Principal, year int, days []Holiday) (HolidayYear, error) {
	if year < MinHolidayYear || year > MaxHolidayYear {
		return HolidayYear{}, invalid("year", "range")
	}
	if err := checkHolidays(year, days); err != nil {
		return HolidayYear{}, err
	}
	before, err := c.Year(ctx, year)
	if err != nil {
		return HolidayYear{}, err
	}
	err = txn.Run(ctx, c.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO holiday_years (year, updated_by) VALUES ($1, $2)
ON CONFLICT (year) DO UPDATE SET updated_by = EXCLUDED.updated_by, updated_at = now()`, year, by.Label()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM holidays WHERE year = $1`, year); err != nil {
			return err
		}
		for _, h := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3)`,
				h.Date, h.Kind, h.Name); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "calendar.holidays",
			Target: "holidays:" + strconv.Itoa(year), Before: before.Days, After: days})
	})
	if err != nil {
		return HolidayYear{}, err
	}
	c.invalidate()
	return c.Year(ctx, year)
}

// checkHolidays checks a year's list and cleans its names in place.
func checkHolidays(year int, days []Holiday) error {
	bad := fields.Set{}
	switch {
	case len(days) == 0:
		bad["days"] = "required"
	case len(days) > maxHolidayDays:
		bad["days"] = "too_many_days"
	}
	seen := map[Date]bool{}
	for i := range days {
		h := &days[i]
		at := "days[" + strconv.Itoa(i) + "]."
		d, err := ParseDate(h.Date)
		switch {
		case err != nil:
			bad[at+"date"] = "format"
		case d.Year != year:
			bad[at+"date"] = "other_year"
		case seen[d]:
			bad[at+"date"] = "duplicate_date"
		}
		seen[d] = true
		h.Date = d.String()
		switch h.Kind {
		case DayHoliday:
		case DayWorkday:
			if wd := d.Weekday(); err == nil && wd != time.Saturday && wd != time.Sunday {
				bad[at+"kind"] = "not_weekend"
			}
		default:
			bad[at+"kind"] = "unknown"
		}
		if reason := cleanText(&h.Name, maxHolidayName, true, false); reason != "" {
			bad[at+"name"] = reason
		}
	}
	return bad.Err(ErrInvalid)
}
