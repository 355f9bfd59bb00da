package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
)

// maxHolidayText is the longest list of holidays the page takes: a year's notice is about 15 lines.
const maxHolidayText = 4000

// holidaysView is the page of a year's public holidays: the years around this one to switch to,
// the year's days as a list and as the text of the form that replaces them, and the years missing.
type holidaysView struct {
	Year      int
	Years     []holidayYearTab
	Entered   bool
	UpdatedAt *time.Time
	Days      []holidayLine
	Missing   []int
}

type holidayYearTab struct {
	Year    int
	Current bool
}

type holidayLine struct {
	Date, Weekday, Kind, Name string
	Workday                   bool
}

// holidayWords are the words a line of the form may name its kind with, in either language.
var holidayWords = map[string]string{
	"放假": activity.DayHoliday, "休": activity.DayHoliday, "off": activity.DayHoliday, "holiday": activity.DayHoliday,
	"上班": activity.DayWorkday, "班": activity.DayWorkday, "work": activity.DayWorkday, "workday": activity.DayWorkday,
}

// holidaysPage shows a year's holidays (this year by default) and the form to enter them.
func (s *server) holidaysPage(c *fiber.Ctx) error {
	year := activity.DateOf(s.Activities.Now()).Year
	if q := c.Query("year"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil || y < activity.MinHolidayYear || y > activity.MaxHolidayYear {
			return problem.BadRequest("year", "range")
		}
		year = y
	}
	return s.showHolidays(c, fiber.StatusOK, year, form{Values: map[string]string{}, Errors: map[string]string{}}, true)
}

// showHolidays renders the page; fill puts the year's days into the form's text.
func (s *server) showHolidays(c *fiber.Ctx, status, year int, f form, fill bool) error {
	ctx := c.UserContext()
	v := s.newView(c, "page.rules.holidays.title")
	cal := s.Activities.Calendar()
	y, err := cal.Year(ctx, year)
	if err != nil {
		return err
	}
	missing, err := cal.Missing(ctx)
	if err != nil {
		return err
	}
	this := activity.DateOf(s.Activities.Now()).Year
	d := holidaysView{Year: year, Entered: y.Entered, UpdatedAt: y.UpdatedAt, Missing: missing}
	for _, ty := range []int{this - 1, this, this + 1} {
		d.Years = append(d.Years, holidayYearTab{Year: ty, Current: ty == year})
	}
	for _, h := range y.Days {
		date, _ := activity.ParseDate(h.Date)
		d.Days = append(d.Days, holidayLine{Date: h.Date, Weekday: s.msgs.Get(v.Lang, "page.rules.weekday."+strconv.Itoa(int(date.Weekday()))),
			Kind: s.msgs.Get(v.Lang, "page.rules.day."+h.Kind), Name: h.Name, Workday: h.Kind == activity.DayWorkday})
	}
	if fill {
		f.Values["days"] = holidayText(y.Days, v.Lang)
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "admin_holidays", v)
}

// holidaysSubmit replaces a year's holidays with the lines of the form.
func (s *server) holidaysSubmit(c *fiber.Ctx) error {
	lang := s.msgs.Lang(c)
	f := form{Values: map[string]string{}, Errors: map[string]string{}, order: []string{"days"}}
	text := c.FormValue("days")
	if len(text) <= maxHolidayText && utf8.ValidString(text) {
		f.Values["days"] = text
	}
	year, err := strconv.Atoi(c.FormValue("year"))
	if err != nil || year < activity.MinHolidayYear || year > activity.MaxHolidayYear {
		f.fail("", s.msgs.Get(lang, "page.rules.holidays.bad_year"))
		return s.showHolidays(c, fiber.StatusUnprocessableEntity, activity.DateOf(s.Activities.Now()).Year, f, false)
	}
	if len(text) > maxHolidayText {
		f.fail("days", s.msgs.Get(lang, "reason.too_long"))
		return s.showHolidays(c, fiber.StatusUnprocessableEntity, year, f, false)
	}
	days, lineOf, bad, reason := parseHolidayText(text)
	if bad > 0 {
		f.fail("days", fmt.Sprintf(s.msgs.Get(lang, "page.rules.holidays.line"), bad, s.msgs.Get(lang, "reason."+reason)))
		return s.showHolidays(c, fiber.StatusUnprocessableEntity, year, f, false)
	}
	_, err = s.Activities.Calendar().SetYear(c.UserContext(), guard.By(c), year, days)
	var fe *fields.Error
	if errors.As(err, &fe) {
		for field, reason := range fe.Fields() {
			msg := s.msgs.Get(lang, "reason."+reason)
			if i, ok := holidayIndex(field); ok && i < len(lineOf) {
				msg = fmt.Sprintf(s.msgs.Get(lang, "page.rules.holidays.line"), lineOf[i], msg)
			}
			f.fail("days", msg)
		}
		return s.showHolidays(c, fiber.StatusUnprocessableEntity, year, f, false)
	} else if err != nil {
		return err
	}
	return redirect(c, "/admin/holidays?year="+strconv.Itoa(year)+"&notice=holidays-saved")
}

// holidayIndex reads i from a field "days[i].…".
func holidayIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "days[")
	if !ok {
		return 0, false
	}
	n, _, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	return i, ok && err == nil
}

// parseHolidayText reads the form's lines, "DATE[..DATE] KIND NAME", one day or a range of days
// each (both ends included, at most 31 days), with the line each day came from. bad is the number of
// the first line that cannot be read (0 when all can), and reason why.
func parseHolidayText(text string) (days []activity.Holiday, lineOf []int, bad int, reason string) {
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 {
			return nil, nil, n + 1, "line_format"
		}
		kind, ok := holidayWords[strings.ToLower(f[1])]
		if !ok {
			return nil, nil, n + 1, "unknown"
		}
		from, to, isRange := strings.Cut(f[0], "..")
		first, err := activity.ParseDate(from)
		if err != nil {
			return nil, nil, n + 1, "format"
		}
		last := first
		if isRange {
			if last, err = activity.ParseDate(to); err != nil {
				return nil, nil, n + 1, "format"
			}
		}
		if last.Start().Before(first.Start()) || last.Start().Sub(first.Start()) > 30*24*time.Hour {
			return nil, nil, n + 1, "range_order"
		}
		for d := first; !last.Start().Before(d.Start()); d = d.AddDays(1) {
			days = append(days, activity.Holiday{Date: d.String(), Kind: kind, Name: strings.Join(f[2:], " ")})
			lineOf = append(lineOf, n+1)
		}
	}
	return days, lineOf, 0, ""
}

// holidayText writes a year's days as the form's lines, consecutive days of one holiday as a range.
func holidayText(days []activity.Holiday, lang string) string {
	word := map[string]string{activity.DayHoliday: "放假", activity.DayWorkday: "上班"}
	if lang == "en" {
		word = map[string]string{activity.DayHoliday: "off", activity.DayWorkday: "work"}
	}
	var b strings.Builder
	for i := 0; i < len(days); {
		j := i
		first, _ := activity.ParseDate(days[i].Date)
		for j+1 < len(days) && days[j+1].Kind == days[i].Kind && days[j+1].Name == days[i].Name &&
			days[j+1].Date == first.AddDays(j+1-i).String() {
			j++
		}
		b.WriteString(days[i].Date)
		if j > i {
			b.WriteString(".." + days[j].Date)
		}
		b.WriteString(" " + word[days[i].Kind] + " " + days[i].Name + "\n")
		i = j + 1
	}
	return b.String()
}
