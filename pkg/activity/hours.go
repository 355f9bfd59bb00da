package activity

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of Hours: each means the attendance data cannot be turned into minutes as it stands, and
// a person has to look at it.
var (
	// ErrInvalidPolicy means the policy fails Policy.Validate.
	ErrInvalidPolicy = errors.New("activity: invalid policy")
	// ErrInvalidWindow means the activity has no scheduled start or end, or does not end after it
	// starts.
	ErrInvalidWindow = errors.New("activity: activity must end after it starts")
	// ErrNoCheckIn means the attendance has no check-in time.
	ErrNoCheckIn = errors.New("activity: no check-in time")
	// ErrCheckOutBeforeCheckIn means the check-out is earlier than the check-in, which only a wrong
	// manual entry or a broken clock can produce.
	ErrCheckOutBeforeCheckIn = errors.New("activity: check-out before check-in")
)

// HoursFlags say which rules changed an attendance's minutes, so that the coordinator's queue can
// show why a volunteer got less than the clock says. Several may be set at once.
type HoursFlags uint8

// The rules Hours may apply.
const (
	// FlagClipped: the check-in or check-out lay outside the window and its grace, and the time
	// outside was not counted.
	FlagClipped HoursFlags = 1 << iota
	// FlagRounded: whole minutes were dropped to come down to a multiple of the rounding unit.
	FlagRounded
	// FlagBelowMinimum: the time served was shorter than the minimum, so nothing is credited.
	FlagBelowMinimum
	// FlagCapped: the daily cap took some or all of the minutes.
	FlagCapped
	// FlagAutoClosed: the volunteer never checked out, so the time was counted up to the scheduled
	// end.
	FlagAutoClosed
)

// flagKeys are the message keys of the flags, in bit order.
var flagKeys = [...]string{"clipped", "rounded", "below_minimum", "capped", "auto_closed"}

// Has reports whether every flag of f is set.
func (fl HoursFlags) Has(f HoursFlags) bool { return fl&f == f }

// Keys returns the message keys of the flags that are set ("clipped", "rounded", "below_minimum",
// "capped", "auto_closed"), in that order, for screens and exports to translate.
func (fl HoursFlags) Keys() []string {
	var keys []string
	for i, k := range flagKeys {
		if fl&(1<<i) != 0 {
			keys = append(keys, k)
		}
	}
	return keys
}

// String joins the keys with commas.
func (fl HoursFlags) String() string { return strings.Join(fl.Keys(), ",") }

// HoursInput is one attendance as Hours needs it. Times may be in any zone: instants are compared,
// and calendar days are taken in China Standard Time.
type HoursInput struct {
	CheckIn  time.Time // required
	CheckOut time.Time // zero when the volunteer never checked out
	Start    time.Time // the activity's scheduled start
	End      time.Time // the activity's scheduled end
	// Credited holds the minutes already credited to the same volunteer on each day by other
	// attendances, for the daily cap; days not in it (or a nil map) count as 0.
	Credited map[Date]int64
}

// DayMinutes is the part of an attendance's minutes that falls on one day.
type DayMinutes struct {
	Date    Date
	Minutes int64
}

// HoursResult is what Hours decided and why.
type HoursResult struct {
	// Minutes is the service time to record and to credit: after every rule.
	Minutes int64
	// Served is the time counted after clipping and rounding, before the minimum and the cap.
	Served int64
	// From and To are the instants counted, To = From + Served: the check-in and check-out after
	// clipping, auto-closing and rounding down.
	From, To time.Time
	// Days splits Minutes over the days it fell on, in order, leaving out days that got nothing;
	// the sum is Minutes. Later attendances' Credited is built from these.
	Days  []DayMinutes
	Flags HoursFlags
}

// Hours computes the service minutes of one attendance under a policy. It applies, in order:
//
//  1. auto-close: no check-out counts as a check-out at the scheduled end (FlagAutoClosed);
//  2. clipping: only time inside [Start − grace, End + grace] counts (FlagClipped);
//  3. rounding DOWN to a multiple of the rounding unit, seconds included: only time actually
//     given counts, so the partial unit of arriving, waiting and leaving is dropped, and a
//     volunteer is never credited time not served (FlagRounded when whole minutes were dropped);
//  4. the minimum: less than MinimumMinutes served gives 0 (FlagBelowMinimum);
//  5. the daily cap: on each day in China Standard Time, at most DailyCapMinutes minus what
//     in.Credited already holds for that day (FlagCapped). A session across midnight counts
//     toward each day separately; rounding has trimmed its end, so the minutes dropped come
//     off the last day.
//
// The minimum applies to the whole attendance before the cap: a capped remainder below the minimum
// is still credited, because the volunteer did serve long enough.
//
// Hours returns ErrInvalidPolicy, ErrInvalidWindow, ErrNoCheckIn or ErrCheckOutBeforeCheckIn.
func Hours(in HoursInput, p Policy) (HoursResult, error) {
	if bad := p.Validate(); bad != nil {
		return HoursResult{}, fmt.Errorf("%w: %v", ErrInvalidPolicy, bad)
	}
	if in.Start.IsZero() || in.End.IsZero() || !in.End.After(in.Start) {
		return HoursResult{}, ErrInvalidWindow
	}
	if in.CheckIn.IsZero() {
		return HoursResult{}, ErrNoCheckIn
	}
	var res HoursResult
	from, to := in.CheckIn, in.CheckOut
	if to.IsZero() {
		res.Flags |= FlagAutoClosed
		// Checked in after the scheduled end and never out: nothing to count, but no error either.
		to = laterTime(in.End, from)
	}
	if to.Before(from) {
		return HoursResult{}, ErrCheckOutBeforeCheckIn
	}

	grace := time.Duration(p.GraceMinutes) * time.Minute
	if lo := in.Start.Add(-grace); from.Before(lo) {
		from = lo
		res.Flags |= FlagClipped
	}
	if hi := in.End.Add(grace); to.After(hi) {
		to = hi
		res.Flags |= FlagClipped
	}
	var raw int64
	if to.After(from) {
		raw = int64(to.Sub(from) / time.Minute)
	}
	res.Served = raw - raw%p.RoundingUnitMinutes
	if res.Served != raw {
		res.Flags |= FlagRounded
	}
	res.From, res.To = from, from.Add(time.Duration(res.Served)*time.Minute)

	if res.Served < p.MinimumMinutes {
		res.Flags |= FlagBelowMinimum
		return res, nil
	}
	for d := DateOf(res.From); res.To.After(d.Start()); d = d.AddDays(1) {
		mins := minutesBetween(res.From, laterTime(res.From, d.Start()), earlierTime(res.To, d.AddDays(1).Start()))
		if p.DailyCapMinutes > 0 {
			room := max(p.DailyCapMinutes-max(in.Credited[d], 0), 0)
			if mins > room {
				mins = room
				res.Flags |= FlagCapped
			}
		}
		if mins > 0 {
			res.Days = append(res.Days, DayMinutes{Date: d, Minutes: mins})
			res.Minutes += mins
		}
	}
	return res, nil
}

// minutesBetween counts the whole minutes from origin to b minus those from origin to a. Counting
// both ends from the same origin makes the parts of a split span add up exactly to its whole
// minutes, even when the span starts at an odd second.
func minutesBetween(origin, a, b time.Time) int64 {
	return int64(b.Sub(origin)/time.Minute) - int64(a.Sub(origin)/time.Minute)
}

func laterTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
