package activity_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/pkg/principal"
)

var platformAdmin = &principal.Principal{UserID: 900009, Name: "平台管理员"}

// The database holds what the service carried as a file: migration 00018 seeded 2025 and 2026 with
// exactly the days of testdata/holidays_cn.txt.
func TestCalendarSeed(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	text, err := os.ReadFile("testdata/holidays_cn.txt")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := activity.ParseWorkCalendar(string(text))
	if err != nil {
		t.Fatal(err)
	}
	db, err := e.svc.Calendar().Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for d := (activity.Date{Year: 2025, Month: 1, Day: 1}); d.Year < 2027; d = d.AddDays(1) {
		if db.IsWorkingDay(d) != seed.IsWorkingDay(d) {
			t.Errorf("%s: the database says working %v, the list %v", d, db.IsWorkingDay(d), seed.IsWorkingDay(d))
		}
	}
	if !db.Covers(2025) || !db.Covers(2026) || db.Covers(2027) || db.Covers(2024) {
		t.Error("the seeded years are not 2025 and 2026")
	}
}

// Deadlines come from the days in the database: across National Day 2026, into a year nobody
// entered (estimated, Monday to Friday), and again once a platform administrator enters that year.
// Another server's calendar sees the edit after its minute in memory. From 1 December the missing
// next year is reported.
func TestCalendarDeadlinesAndMissingYear(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	cal := e.svc.Calendar()
	deadline := func(c *activity.Calendar, end time.Time) (string, bool) {
		t.Helper()
		w, err := c.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		due, est := w.Deadline(end, activity.RecordDueWorkingDays)
		return activity.DateOf(due).String(), est
	}
	missing := func() []int {
		t.Helper()
		m, err := cal.Missing(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	// 30 September 2026 ends before the week of National Day (1–7 October off, Saturday 10 October
	// worked): the tenth working day after it is 20 October.
	e.clock.Set(time.Date(2026, 11, 30, 23, 59, 0, 0, cst))
	if d, est := deadline(cal, time.Date(2026, 9, 30, 17, 0, 0, 0, cst)); d != "2026-10-20" || est {
		t.Errorf("deadline across National Day = %s (estimated %v), want 2026-10-20", d, est)
	}
	if m := missing(); len(m) != 0 {
		t.Errorf("on 30 November missing = %v, want none", m)
	}
	e.clock.Set(time.Date(2026, 12, 1, 0, 0, 0, 0, cst))
	if m := missing(); !slices.Equal(m, []int{2027}) {
		t.Errorf("on 1 December missing = %v, want [2027]", m)
	}

	// 28 December 2026 runs into 2027, not entered: Monday to Friday, 1 January counted, and said so.
	end := time.Date(2026, 12, 28, 17, 0, 0, 0, cst)
	if d, est := deadline(cal, end); d != "2027-01-11" || !est {
		t.Errorf("deadline into 2027 = %s (estimated %v), want 2027-01-11 estimated", d, est)
	}
	other := activity.NewCalendar(e.db, e.clock.Now) // another server's
	if d, _ := deadline(other, end); d != "2027-01-11" {
		t.Fatalf("the other server's deadline = %s", d)
	}

	y, err := cal.SetYear(ctx, platformAdmin, 2027, []activity.Holiday{
		{Date: "2027-01-01", Kind: activity.DayHoliday, Name: "元旦"},
		{Date: "2027-02-20", Kind: activity.DayWorkday, Name: "春节调休"},
	})
	if err != nil || !y.Entered || len(y.Days) != 2 || y.Days[1].Kind != activity.DayWorkday {
		t.Fatalf("set 2027: %+v %v", y, err)
	}
	if d, est := deadline(cal, end); d != "2027-01-12" || est {
		t.Errorf("deadline after the edit = %s (estimated %v), want 2027-01-12", d, est)
	}
	if m := missing(); len(m) != 0 {
		t.Errorf("missing after the edit = %v", m)
	}
	if d, _ := deadline(other, end); d != "2027-01-11" {
		t.Errorf("the other server read the database again within its minute: %s", d)
	}
	e.clock.Set(e.clock.Now().Add(2 * time.Minute))
	if d, est := deadline(other, end); d != "2027-01-12" || est {
		t.Errorf("the other server after its minute = %s (estimated %v), want 2027-01-12", d, est)
	}

	// A year itself missing counts too, whatever the month.
	e.clock.Set(time.Date(2028, 3, 1, 9, 0, 0, 0, cst))
	if m := missing(); !slices.Equal(m, []int{2028}) {
		t.Errorf("in March 2028 missing = %v, want [2028]", m)
	}
}

// A wrong list is refused field by field and changes nothing: the year stays as it was, and no
// audit entry is written.
func TestSetHolidaysRefusesBadInput(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	cal := e.svc.Calendar()
	ok := activity.Holiday{Date: "2027-01-01", Kind: activity.DayHoliday, Name: "元旦"}
	many := make([]activity.Holiday, 61)
	for i := range many {
		many[i] = activity.Holiday{Date: activity.Date{Year: 2027, Month: 1, Day: 1}.AddDays(i).String(), Kind: activity.DayHoliday, Name: "假"}
	}
	for _, c := range []struct {
		name  string
		year  int
		days  []activity.Holiday
		field string
		want  string
	}{
		{"empty", 2027, nil, "days", "required"},
		{"too many", 2027, many, "days", "too_many_days"},
		{"year out of range", 1999, []activity.Holiday{ok}, "year", "range"},
		{"other year", 2027, []activity.Holiday{ok, {Date: "2028-01-01", Kind: activity.DayHoliday, Name: "元旦"}}, "days[1].date", "other_year"},
		{"twice", 2027, []activity.Holiday{ok, ok}, "days[1].date", "duplicate_date"},
		{"bad date", 2027, []activity.Holiday{{Date: "2027-02-30", Kind: activity.DayHoliday, Name: "x"}}, "days[0].date", "format"},
		{"weekday worked", 2027, []activity.Holiday{{Date: "2027-01-04", Kind: activity.DayWorkday, Name: "调休"}}, "days[0].kind", "not_weekend"},
		{"unknown kind", 2027, []activity.Holiday{{Date: "2027-01-01", Kind: "off", Name: "元旦"}}, "days[0].kind", "unknown"},
		{"no name", 2027, []activity.Holiday{{Date: "2027-01-01", Kind: activity.DayHoliday, Name: " "}}, "days[0].name", "required"},
	} {
		_, err := cal.SetYear(ctx, platformAdmin, c.year, c.days)
		var fe *fields.Error
		if !errors.Is(err, activity.ErrInvalid) || !errors.As(err, &fe) || fe.Reason(c.field) != c.want {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.field, c.want)
		}
	}
	y, err := cal.Year(ctx, 2027)
	if err != nil || y.Entered || len(y.Days) != 0 {
		t.Errorf("2027 after the refusals: %+v %v", y, err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'calendar.holidays'`); n != 0 {
		t.Errorf("%d audit entries for refused lists", n)
	}
	if n := e.count(t, `SELECT count(*) FROM holidays`); n != 72 {
		t.Errorf("%d days in the calendar after the refusals, want the 72 seeded", n)
	}
}
