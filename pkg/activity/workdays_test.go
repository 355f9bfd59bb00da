package activity

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"timebank/pkg/chinatime"
)

// seedCalendar is the calendar of testdata/holidays_cn.txt, the list migration 00018 seeded the
// database with (TestCalendarSeed checks that they agree).
var seedCalendar = sync.OnceValue(func() *WorkCalendar {
	text, err := os.ReadFile("testdata/holidays_cn.txt")
	if err != nil {
		panic(err)
	}
	c, err := ParseWorkCalendar(string(text))
	if err != nil {
		panic(err)
	}
	return c
})

// seedDeadline is when records of an activity that ended at end are due under the seed calendar.
func seedDeadline(end time.Time) time.Time {
	return seedCalendar().AddWorkingDays(end, RecordDueWorkingDays)
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2025-03-03", true, "ordinary Monday"},
		{"2025-03-01", false, "ordinary Saturday"},
		{"2025-03-02", false, "ordinary Sunday"},
		{"2025-01-01", false, "New Year, a Wednesday, no make-up day"},
		{"2025-01-02", true, "Thursday after New Year"},
		{"2025-01-26", true, "Sunday worked for the Spring Festival"},
		{"2025-01-27", true, "Monday before the eve"},
		{"2025-01-28", false, "Spring Festival eve (除夕)"},
		{"2025-02-04", false, "last day of the Spring Festival"},
		{"2025-02-05", true, "first day back"},
		{"2025-02-08", true, "Saturday worked for the Spring Festival"},
		{"2025-02-09", false, "the Sunday after it is still a weekend"},
		{"2025-04-04", false, "Qingming, a Friday"},
		{"2025-04-27", true, "Sunday worked for Labour Day"},
		{"2025-05-05", false, "Labour Day holiday, a Monday"},
		{"2025-06-02", false, "Dragon Boat, a Monday"},
		{"2025-09-28", true, "Sunday worked for National Day"},
		{"2025-10-08", false, "National Day and Mid-Autumn, a Wednesday"},
		{"2025-10-09", true, "first day back"},
		{"2025-10-11", true, "Saturday worked for National Day"},
		{"2025-12-31", true, "last day of 2025"},
		{"2026-01-02", false, "New Year 2026, a Friday"},
		{"2026-01-04", true, "Sunday worked for New Year 2026"},
		{"2026-02-14", true, "Saturday worked before the Spring Festival 2026"},
		{"2026-02-16", false, "Spring Festival eve 2026"},
		{"2026-02-23", false, "last day of the Spring Festival 2026, a Monday"},
		{"2026-02-28", true, "Saturday worked after the Spring Festival 2026"},
		{"2026-05-09", true, "Saturday worked for Labour Day 2026"},
		{"2026-09-25", false, "Mid-Autumn 2026, a Friday"},
		{"2026-09-20", true, "Sunday worked for National Day 2026"},
		{"2026-10-07", false, "National Day 2026, a Wednesday"},
		{"2026-10-10", true, "Saturday worked for National Day 2026"},
		{"2024-12-31", true, "a year not listed: plain Monday to Friday"},
		{"2024-12-28", false, "a year not listed: Saturday"},
	}
	for _, tt := range tests {
		if got := seedCalendar().IsWorkingDay(mustDate(tt.date)); got != tt.want {
			t.Errorf("seedCalendar().IsWorkingDay(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
		}
	}
}

// TestCalendarYears checks each listed year against the law rather than against itself: the
// 全国年节及纪念日放假办法 gives 13 days of statutory holidays from 2025 on, and the notice moves
// holidays that fall on a weekend and swaps days (调休) without changing the total, so a year has
// exactly (its days − its Saturdays and Sundays − 13) working days. A missing, extra or mistyped
// line breaks the count.
func TestCalendarYears(t *testing.T) {
	c := seedCalendar()
	for _, year := range []int{2025, 2026} {
		if !c.Covers(year) {
			t.Fatalf("%d is not listed", year)
		}
		var days, weekends, working int
		for d := (Date{year, time.January, 1}); d.Year == year; d = d.AddDays(1) {
			days++
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				weekends++
			}
			if c.IsWorkingDay(d) {
				working++
			}
		}
		if want := days - weekends - 13; working != want {
			t.Errorf("%d has %d working days, want %d", year, working, want)
		}
	}
	if c.Covers(2024) || c.Covers(2027) {
		t.Error("Covers says yes for a year with no line")
	}
}

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"two plain weeks", "2025-03-03 10:00", 10, "2025-03-17"},
		{"the day itself never counts, even at midnight", "2025-03-03 00:00", 1, "2025-03-04"},
		{"Friday night to Monday", "2025-03-07 23:30", 1, "2025-03-10"},
		{"Saturday activity", "2025-03-01 16:00", 1, "2025-03-03"},
		{"Sunday activity, two plain weeks", "2025-03-02 16:00", 10, "2025-03-14"},
		{"Friday to a make-up Sunday", "2025-01-24 18:00", 1, "2025-01-26"},
		{"over the Spring Festival 2025", "2025-01-24 18:00", 3, "2025-02-05"},
		{"deadline over the Spring Festival 2025", "2025-01-24 18:00", 10, "2025-02-13"},
		{"deadline over National Day 2025", "2025-09-26 18:00", 10, "2025-10-16"},
		{"year end 2024 over New Year 2025", "2024-12-31 18:00", 1, "2025-01-02"},
		{"year end 2025 into 2026", "2025-12-30 18:00", 10, "2026-01-14"},
		{"into New Year 2026 and its make-up Sunday", "2025-12-31 18:00", 1, "2026-01-04"},
		{"to the make-up Saturday before the Spring Festival 2026", "2026-02-13 18:00", 1, "2026-02-14"},
		{"over the Spring Festival 2026", "2026-02-13 18:00", 2, "2026-02-24"},
		{"over Mid-Autumn and National Day 2026", "2026-09-24 18:00", 10, "2026-10-15"},
		{"n = 0 is the end of the same day", "2025-03-02 09:00", 0, "2025-03-02"},
		{"negative n is the end of the same day", "2025-03-02 09:00", -3, "2025-03-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seedCalendar().AddWorkingDays(cstAt(tt.from), tt.n)
			want := cstAt(tt.want + " 23:59:59").Add(time.Second - time.Nanosecond)
			if !got.Equal(want) || got.Location() != chinatime.Zone() {
				t.Errorf("seedCalendar().AddWorkingDays(%s, %d) = %v, want %v in Asia/Shanghai", tt.from, tt.n, got, want)
			}
		})
	}
}

// TestAddWorkingDaysTimeZone: the day of an instant is China's day, whatever zone it comes in.
func TestAddWorkingDaysTimeZone(t *testing.T) {
	// 2025-03-06 16:30 UTC is Thursday in London but already Friday 00:30 in China.
	fridayInChina := time.Date(2025, 3, 6, 16, 30, 0, 0, time.UTC)
	if got := DateOf(seedCalendar().AddWorkingDays(fridayInChina, 1)); got != mustDate("2025-03-10") {
		t.Errorf("got %v, want 2025-03-10 (Monday after China's Friday)", got)
	}
	// 2025-03-07 15:59 UTC is still Friday 23:59 in China.
	if got := DateOf(seedCalendar().AddWorkingDays(time.Date(2025, 3, 7, 15, 59, 0, 0, time.UTC), 1)); got != mustDate("2025-03-10") {
		t.Errorf("got %v, want 2025-03-10", got)
	}
}

func TestRecordDeadlineAndStatus(t *testing.T) {
	// Ends Friday 2025-02-28: ten working days later is Friday 2025-03-14.
	deadline := seedDeadline(cstAt("2025-02-28 17:00"))
	if !deadline.Equal(seedCalendar().AddWorkingDays(cstAt("2025-02-28 17:00"), 10)) || DateOf(deadline) != mustDate("2025-03-14") {
		t.Fatalf("deadline %v, want the end of 2025-03-14", deadline)
	}
	// Ends Thursday 2025-01-16: due Thursday 2025-02-06, with the Spring Festival in between.
	festival := seedDeadline(cstAt("2025-01-16 17:00"))
	if DateOf(festival) != mustDate("2025-02-06") {
		t.Fatalf("deadline %v, want the end of 2025-02-06", festival)
	}
	tests := []struct {
		name     string
		deadline time.Time
		now      time.Time
		want     DueStatus
	}{
		{"just ended", deadline, cstAt("2025-02-28 17:00"), DueOK},
		{"three working days left", deadline, cstAt("2025-03-11 10:00"), DueOK},
		{"two working days left", deadline, cstAt("2025-03-12 09:00"), DueSoon},
		{"the day before", deadline, cstAt("2025-03-13 18:00"), DueSoon},
		{"the last evening", deadline, cstAt("2025-03-14 23:59"), DueSoon},
		{"the last instant", deadline, deadline, DueSoon},
		{"one nanosecond late", deadline, deadline.Add(time.Nanosecond), DueOverdue},
		{"the morning after", deadline, cstAt("2025-03-15 00:00"), DueOverdue},
		{"weeks late", deadline, cstAt("2025-06-01 00:00"), DueOverdue},
		{"Tuesday night in UTC is Wednesday in China", deadline, time.Date(2025, 3, 11, 16, 30, 0, 0, time.UTC), DueSoon},
		{"Tuesday afternoon in UTC is still Tuesday in China", deadline, time.Date(2025, 3, 11, 15, 30, 0, 0, time.UTC), DueOK},
		{"ten calendar days ahead, but two working days", festival, cstAt("2025-01-27 09:00"), DueSoon},
		{"on the make-up Sunday, three working days", festival, cstAt("2025-01-26 09:00"), DueOK},
		{"during the holiday", festival, cstAt("2025-01-30 12:00"), DueSoon},
	}
	for _, tt := range tests {
		if got := seedCalendar().DueStatus(tt.deadline, tt.now); got != tt.want {
			t.Errorf("%s: status %v, want %v", tt.name, got, tt.want)
		}
	}
	for s, key := range map[DueStatus]string{DueOK: "ok", DueSoon: "due_soon", DueOverdue: "overdue"} {
		if s.String() != key {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), key)
		}
	}
}

func TestParseWorkCalendar(t *testing.T) {
	c, err := ParseWorkCalendar(`
# a comment line

2030-01-07            off   made-up holiday   # a trailing comment
2030-01-14..2030-01-16 off  three days
2030-01-12             work a make-up Saturday`)
	if err != nil {
		t.Fatal(err)
	}
	for date, want := range map[string]bool{
		"2030-01-07": false, "2030-01-08": true, "2030-01-12": true, "2030-01-13": false,
		"2030-01-14": false, "2030-01-16": false, "2030-01-17": true,
	} {
		if got := c.IsWorkingDay(mustDate(date)); got != want {
			t.Errorf("seedCalendar().IsWorkingDay(%s) = %v, want %v", date, got, want)
		}
	}
	if !c.Covers(2030) || c.Covers(2025) {
		t.Error("Covers is wrong for the custom calendar")
	}

	// want is part of the error, or "" for text that must parse.
	cases := []struct{ text, want string }{
		{"2030-01-07 off a\n2030-01-07 off b", "line 2: 2030-01-07 is listed twice"},
		{"2030-01-06..2030-01-08 off a\n2030-01-05..2030-01-06 work b", "line 2: 2030-01-06 is listed twice"},
		{"2030-01-07 work a weekday", "line 1: make-up working day 2030-01-07 is a Monday"},
		{"2030-01-08..2030-01-07 off backwards", "runs backwards"},
		{"2030-01-08..2029-12-08 off far backwards", "runs backwards"},
		{"2030-01-01..2030-01-31 off 31 days", ""},
		{"2030-01-01..2030-02-01 off 32 days", "longer than 31 days"},
		{"2030-01-07 holiday x", `kind "holiday"`},
		{"2030-1-7 off x", `date "2030-1-7"`},
		{"2030-02-30 off x", `date "2030-02-30"`},
		{"2030-01-07", "want DATE"},
	}
	for _, tt := range cases {
		_, err := ParseWorkCalendar(tt.text)
		if tt.want == "" {
			if err != nil {
				t.Errorf("ParseWorkCalendar(%q): %v", tt.text, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseWorkCalendar(%q) error %v, want one containing %q", tt.text, err, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	d := mustDate("2024-02-28")
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("leap day: %s", got)
	}
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("after the leap day: %s", got)
	}
	if got := mustDate("2025-12-31").AddDays(1); got != (Date{2026, time.January, 1}) {
		t.Errorf("year end: %v", got)
	}
	if got := mustDate("2026-01-01").AddDays(-1).String(); got != "2025-12-31" {
		t.Errorf("back over the year end: %s", got)
	}
	start := mustDate("2025-03-01").Start()
	if !start.Equal(time.Date(2025, 2, 28, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Start() = %v, want 16:00 UTC the day before", start)
	}
	if DateOf(time.Date(2025, 2, 28, 15, 59, 59, 0, time.UTC)) != mustDate("2025-02-28") ||
		DateOf(time.Date(2025, 2, 28, 16, 0, 0, 0, time.UTC)) != mustDate("2025-03-01") {
		t.Error("DateOf does not change day at midnight China time")
	}
}
