package activity

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"timebank/pkg/chinatime"
)

// fixedCST is China Standard Time built by hand (+08:00, no daylight saving since 1991), so that the
// tests do not take the zone from the code under test.
var fixedCST = time.FixedZone("CST", 8*3600)

// at reads "2006-01-02 15:04:05" (seconds optional) as China Standard Time.
func cstAt(s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, fixedCST)
	if err != nil {
		panic(err)
	}
	return t
}

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// hoursPolicy spells its numbers out rather than taking DefaultPolicy, so a change of defaults
// cannot quietly change what these tests check.
func hoursPolicy(change func(*Policy)) Policy {
	p := Policy{
		RoundingUnitMinutes: 15, GraceMinutes: 15, MinimumMinutes: 30, DailyCapMinutes: 480,
		CreditNumerator: 1, CreditDenominator: 1, StarThresholdsHours: []int64{100, 300, 600, 1000, 1500},
		ForgottenCheckoutGraceMinutes: 120,
	}
	if change != nil {
		change(&p)
	}
	return p
}

func TestHours(t *testing.T) {
	// A Saturday morning activity, 09:00-12:00, and a night one across midnight, 22:00-02:00.
	morning := HoursInput{Start: cstAt("2025-03-01 09:00"), End: cstAt("2025-03-01 12:00")}
	night := HoursInput{Start: cstAt("2025-03-01 22:00"), End: cstAt("2025-03-02 02:00")}
	with := func(base HoursInput, in, out string, credited map[Date]int64) HoursInput {
		base.CheckIn = cstAt(in)
		if out != "" {
			base.CheckOut = cstAt(out)
		}
		base.Credited = credited
		return base
	}
	d1, d2 := mustDate("2025-03-01"), mustDate("2025-03-02")
	type want struct {
		minutes, served int64
		flags           HoursFlags
		days            []DayMinutes
	}
	tests := []struct {
		name   string
		in     HoursInput
		policy Policy
		want   want
	}{
		{"on time", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", nil), hoursPolicy(nil),
			want{180, 180, 0, []DayMinutes{{d1, 180}}}},
		{"early arrival within grace counts", with(morning, "2025-03-01 08:45", "2025-03-01 12:00", nil), hoursPolicy(nil),
			want{195, 195, 0, []DayMinutes{{d1, 195}}}},
		{"early arrival beyond grace is clipped", with(morning, "2025-03-01 07:30", "2025-03-01 12:00", nil), hoursPolicy(nil),
			want{195, 195, FlagClipped, []DayMinutes{{d1, 195}}}},
		{"late leave within grace, rounded down", with(morning, "2025-03-01 09:00", "2025-03-01 12:10", nil), hoursPolicy(nil),
			want{180, 180, FlagRounded, []DayMinutes{{d1, 180}}}},
		{"late leave beyond grace is clipped", with(morning, "2025-03-01 09:00", "2025-03-01 14:00", nil), hoursPolicy(nil),
			want{195, 195, FlagClipped, []DayMinutes{{d1, 195}}}},
		{"clipped on both sides, no grace", with(morning, "2025-03-01 06:00", "2025-03-01 15:00", nil), hoursPolicy(func(p *Policy) { p.GraceMinutes = 0 }),
			want{180, 180, FlagClipped, []DayMinutes{{d1, 180}}}},
		{"whole stay before the window", with(morning, "2025-03-01 07:00", "2025-03-01 08:00", nil), hoursPolicy(nil),
			want{0, 0, FlagClipped | FlagBelowMinimum, nil}},
		{"checked in after the window and grace", with(morning, "2025-03-01 12:20", "2025-03-01 13:00", nil), hoursPolicy(nil),
			want{0, 0, FlagClipped | FlagBelowMinimum, nil}},
		{"zero length", with(morning, "2025-03-01 10:00", "2025-03-01 10:00", nil), hoursPolicy(nil),
			want{0, 0, FlagBelowMinimum, nil}},
		{"zero length, no minimum", with(morning, "2025-03-01 10:00", "2025-03-01 10:00", nil), hoursPolicy(func(p *Policy) { p.MinimumMinutes = 0 }),
			want{0, 0, 0, nil}},
		{"exactly the minimum", with(morning, "2025-03-01 10:00", "2025-03-01 10:30", nil), hoursPolicy(nil),
			want{30, 30, 0, []DayMinutes{{d1, 30}}}},
		{"one second short of the minimum", with(morning, "2025-03-01 10:00:00", "2025-03-01 10:29:59", nil), hoursPolicy(nil),
			want{0, 15, FlagRounded | FlagBelowMinimum, nil}},
		{"one second short, minute unit", with(morning, "2025-03-01 10:00:00", "2025-03-01 10:29:59", nil), hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes = 1 }),
			want{0, 29, FlagBelowMinimum, nil}},
		{"seconds alone are not a rounding", with(morning, "2025-03-01 10:00:00", "2025-03-01 10:30:59", nil), hoursPolicy(nil),
			want{30, 30, 0, []DayMinutes{{d1, 30}}}},
		{"quarter hours round down", with(morning, "2025-03-01 09:00", "2025-03-01 10:44", nil), hoursPolicy(nil),
			want{90, 90, FlagRounded, []DayMinutes{{d1, 90}}}},
		{"half hours round down", with(morning, "2025-03-01 09:00", "2025-03-01 10:59", nil), hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes = 30 }),
			want{90, 90, FlagRounded, []DayMinutes{{d1, 90}}}},
		{"minute unit keeps every minute", with(morning, "2025-03-01 09:00", "2025-03-01 10:44:59", nil), hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes = 1 }),
			want{104, 104, 0, []DayMinutes{{d1, 104}}}},
		{"over the cap", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", nil), hoursPolicy(func(p *Policy) { p.DailyCapMinutes = 120 }),
			want{120, 180, FlagCapped, []DayMinutes{{d1, 120}}}},
		{"partial cap: other activities that day", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 400}), hoursPolicy(nil),
			want{80, 180, FlagCapped, []DayMinutes{{d1, 80}}}},
		{"exactly reaching the cap", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 300}), hoursPolicy(nil),
			want{180, 180, 0, []DayMinutes{{d1, 180}}}},
		{"cap already used up", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 480}), hoursPolicy(nil),
			want{0, 180, FlagCapped, nil}},
		{"cap already exceeded by earlier entries", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 600}), hoursPolicy(nil),
			want{0, 180, FlagCapped, nil}},
		{"minutes of other days do not count", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d2: 480, mustDate("2025-02-28"): 480}), hoursPolicy(nil),
			want{180, 180, 0, []DayMinutes{{d1, 180}}}},
		{"no cap", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 1440}), hoursPolicy(func(p *Policy) { p.DailyCapMinutes = 0 }),
			want{180, 180, 0, []DayMinutes{{d1, 180}}}},
		{"overnight splits at midnight", with(night, "2025-03-01 22:00", "2025-03-02 02:00", nil), hoursPolicy(nil),
			want{240, 240, 0, []DayMinutes{{d1, 120}, {d2, 120}}}},
		{"overnight, each day capped apart", with(night, "2025-03-01 22:00", "2025-03-02 02:00", map[Date]int64{d1: 420, d2: 420}), hoursPolicy(nil),
			want{120, 240, FlagCapped, []DayMinutes{{d1, 60}, {d2, 60}}}},
		{"overnight, first day full, second free", with(night, "2025-03-01 22:00", "2025-03-02 02:00", map[Date]int64{d1: 480}), hoursPolicy(nil),
			want{120, 240, FlagCapped, []DayMinutes{{d2, 120}}}},
		{"overnight, rounding trims the last day", with(night, "2025-03-01 22:00", "2025-03-02 01:10", nil), hoursPolicy(nil),
			want{180, 180, FlagRounded, []DayMinutes{{d1, 120}, {d2, 60}}}},
		{"overnight, rounding empties the last day", with(night, "2025-03-01 23:00", "2025-03-02 00:10", nil), hoursPolicy(nil),
			want{60, 60, FlagRounded, []DayMinutes{{d1, 60}}}},
		{"overnight, odd seconds: parts add up", with(night, "2025-03-01 23:59:30", "2025-03-02 00:01:45", nil), hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes, p.MinimumMinutes = 1, 0 }),
			want{2, 2, 0, []DayMinutes{{d2, 2}}}},
		{"starts at midnight: no empty first day", with(night, "2025-03-02 00:00", "2025-03-02 01:00", nil), hoursPolicy(nil),
			want{60, 60, 0, []DayMinutes{{d2, 60}}}},
		{"missing check-out: closed at the scheduled end", with(morning, "2025-03-01 09:10", "", nil), hoursPolicy(nil),
			want{165, 165, FlagAutoClosed | FlagRounded, []DayMinutes{{d1, 165}}}},
		{"missing check-out overnight", with(night, "2025-03-01 23:00", "", nil), hoursPolicy(nil),
			want{180, 180, FlagAutoClosed, []DayMinutes{{d1, 60}, {d2, 120}}}},
		{"missing check-out, checked in after the end", with(morning, "2025-03-01 12:05", "", nil), hoursPolicy(nil),
			want{0, 0, FlagAutoClosed | FlagBelowMinimum, nil}},
		{"missing check-out, checked in after the end and grace", with(morning, "2025-03-01 13:00", "", nil), hoursPolicy(nil),
			want{0, 0, FlagAutoClosed | FlagClipped | FlagBelowMinimum, nil}},
		{"capped remainder below the minimum still counts", with(morning, "2025-03-01 09:00", "2025-03-01 12:00", map[Date]int64{d1: 470}), hoursPolicy(nil),
			want{10, 180, FlagCapped, []DayMinutes{{d1, 10}}}},
		{"every rule at once", with(night, "2025-03-01 21:00", "", map[Date]int64{d2: 450}), hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes, p.GraceMinutes = 30, 20 }),
			want{170, 240, FlagAutoClosed | FlagClipped | FlagRounded | FlagCapped, []DayMinutes{{d1, 140}, {d2, 30}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Hours(tt.in, tt.policy)
			if err != nil {
				t.Fatalf("Hours: %v", err)
			}
			g := want{got.Minutes, got.Served, got.Flags, got.Days}
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("got %+v (flags %s), want %+v (flags %s)", g, g.flags, tt.want, tt.want.flags)
			}
			if got.To.Sub(got.From) != time.Duration(got.Served)*time.Minute {
				t.Errorf("From %v To %v do not span Served %d minutes", got.From, got.To, got.Served)
			}
		})
	}
}

func TestHoursCountedSpan(t *testing.T) {
	in := HoursInput{
		Start: cstAt("2025-03-01 09:00"), End: cstAt("2025-03-01 12:00"),
		CheckIn: cstAt("2025-03-01 08:00:40"), CheckOut: cstAt("2025-03-01 11:58:10"),
	}
	got, err := Hours(in, hoursPolicy(nil))
	if err != nil {
		t.Fatal(err)
	}
	// Clipped to 08:45 (15 minutes of grace); 193 minutes rounded down to 180 ends at 11:45.
	if !got.From.Equal(cstAt("2025-03-01 08:45")) || !got.To.Equal(cstAt("2025-03-01 11:45")) {
		t.Errorf("counted %v – %v, want 08:45 – 11:45", got.From, got.To)
	}
}

// TestHoursTimeZones gives the same instants in UTC, in Shanghai and mixed: the result must not
// change, and days must be China's days, not UTC's.
func TestHoursTimeZones(t *testing.T) {
	p := hoursPolicy(nil)
	utc := func(s string) time.Time { return cstAt(s).UTC() }
	// 22:30-01:30 China time is 14:30-17:30 UTC: one UTC day, two China days.
	shanghaiIn := HoursInput{
		Start: cstAt("2025-03-01 22:30"), End: cstAt("2025-03-02 01:30"),
		CheckIn: cstAt("2025-03-01 22:30"), CheckOut: cstAt("2025-03-02 01:30"),
		Credited: map[Date]int64{mustDate("2025-03-01"): 450},
	}
	utcIn := shanghaiIn
	utcIn.Start, utcIn.End, utcIn.CheckIn, utcIn.CheckOut = utc("2025-03-01 22:30"), utc("2025-03-02 01:30"), utc("2025-03-01 22:30"), utc("2025-03-02 01:30")
	if utcIn.CheckIn.Day() != utcIn.CheckOut.Day() {
		t.Fatal("test set-up: the UTC times should fall on one UTC day")
	}
	mixedIn := shanghaiIn
	mixedIn.CheckIn, mixedIn.End = utcIn.CheckIn, utcIn.End
	loc := shanghaiIn
	loc.Start, loc.CheckOut = loc.Start.In(chinatime.Zone()), loc.CheckOut.In(chinatime.Zone())

	want := []DayMinutes{{mustDate("2025-03-01"), 30}, {mustDate("2025-03-02"), 90}}
	for name, in := range map[string]HoursInput{"+08:00": shanghaiIn, "UTC": utcIn, "mixed": mixedIn, "Asia/Shanghai": loc} {
		got, err := Hours(in, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Minutes != 120 || got.Flags != FlagCapped || !reflect.DeepEqual(got.Days, want) {
			t.Errorf("%s: got %d minutes, flags %s, days %v; want 120, capped, %v", name, got.Minutes, got.Flags, got.Days, want)
		}
	}
}

func TestHoursErrors(t *testing.T) {
	start, end := cstAt("2025-03-01 09:00"), cstAt("2025-03-01 12:00")
	tests := []struct {
		name   string
		in     HoursInput
		policy Policy
		want   error
	}{
		{"check-out before check-in", HoursInput{Start: start, End: end, CheckIn: cstAt("2025-03-01 11:00"), CheckOut: cstAt("2025-03-01 10:00")}, hoursPolicy(nil), ErrCheckOutBeforeCheckIn},
		{"check-out a second before check-in", HoursInput{Start: start, End: end, CheckIn: cstAt("2025-03-01 11:00:00"), CheckOut: cstAt("2025-03-01 10:59:59")}, hoursPolicy(nil), ErrCheckOutBeforeCheckIn},
		{"no check-in", HoursInput{Start: start, End: end, CheckOut: end}, hoursPolicy(nil), ErrNoCheckIn},
		{"window ends before it starts", HoursInput{Start: end, End: start, CheckIn: start, CheckOut: end}, hoursPolicy(nil), ErrInvalidWindow},
		{"empty window", HoursInput{Start: start, End: start, CheckIn: start, CheckOut: end}, hoursPolicy(nil), ErrInvalidWindow},
		{"no window", HoursInput{CheckIn: start, CheckOut: end}, hoursPolicy(nil), ErrInvalidWindow},
		{"zero rounding unit", HoursInput{Start: start, End: end, CheckIn: start, CheckOut: end}, hoursPolicy(func(p *Policy) { p.RoundingUnitMinutes = 0 }), ErrInvalidPolicy},
		{"negative minimum", HoursInput{Start: start, End: end, CheckIn: start, CheckOut: end}, hoursPolicy(func(p *Policy) { p.MinimumMinutes = -1 }), ErrInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Hours(tt.in, tt.policy)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got.Minutes != 0 || got.Days != nil {
				t.Errorf("an error came with %d minutes", got.Minutes)
			}
		})
	}
}

// TestHoursInvariants throws random attendances at Hours and checks what must always hold: never
// more than the clock or the window allows, multiples of the unit before the cap, days that add up,
// and no day above the cap.
func TestHoursInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := cstAt("2025-03-01 00:00")
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	for i := range 20000 {
		p := hoursPolicy(func(p *Policy) {
			p.RoundingUnitMinutes = []int64{1, 15, 30}[rng.IntN(3)]
			p.GraceMinutes = int64(rng.IntN(61))
			p.MinimumMinutes = int64(rng.IntN(91))
			p.DailyCapMinutes = int64(rng.IntN(600))
		})
		start := rng.IntN(2 * 1440)
		in := HoursInput{Start: minute(start), End: minute(start + 1 + rng.IntN(1440))}
		in.CheckIn = minute(start - 120 + rng.IntN(1800)).Add(time.Duration(rng.IntN(60)) * time.Second)
		if rng.IntN(5) > 0 {
			in.CheckOut = in.CheckIn.Add(time.Duration(rng.IntN(1800*60)) * time.Second)
		}
		in.Credited = map[Date]int64{DateOf(in.CheckIn): int64(rng.IntN(700)), DateOf(in.CheckIn).AddDays(1): int64(rng.IntN(700))}
		got, err := Hours(in, p)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		out := in.CheckOut
		if out.IsZero() {
			out = in.End
		}
		clock := int64(out.Sub(in.CheckIn) / time.Minute)
		window := int64(in.End.Sub(in.Start)/time.Minute) + 2*p.GraceMinutes
		var sum int64
		for _, d := range got.Days {
			sum += d.Minutes
			if room := max(p.DailyCapMinutes-in.Credited[d.Date], 0); p.DailyCapMinutes > 0 && d.Minutes > room {
				t.Fatalf("case %d: %d minutes on %s, room was %d", i, d.Minutes, d.Date, room)
			}
			if d.Minutes <= 0 {
				t.Fatalf("case %d: empty day %v", i, d)
			}
		}
		switch {
		case got.Served > max(clock, 0) || got.Served > window:
			t.Fatalf("case %d: served %d > clock %d or window %d", i, got.Served, clock, window)
		case got.Served%p.RoundingUnitMinutes != 0:
			t.Fatalf("case %d: served %d is not a multiple of %d", i, got.Served, p.RoundingUnitMinutes)
		case sum != got.Minutes || got.Minutes > got.Served:
			t.Fatalf("case %d: days add to %d, minutes %d, served %d", i, sum, got.Minutes, got.Served)
		case got.Minutes > 0 && got.Served < p.MinimumMinutes:
			t.Fatalf("case %d: %d credited though %d is below the minimum", i, got.Minutes, got.Served)
		case got.Flags.Has(FlagCapped) != (got.Minutes < got.Served && got.Served >= p.MinimumMinutes):
			t.Fatalf("case %d: capped flag %v with minutes %d of served %d", i, got.Flags.Has(FlagCapped), got.Minutes, got.Served)
		case got.Flags.Has(FlagAutoClosed) != in.CheckOut.IsZero():
			t.Fatalf("case %d: auto-closed flag wrong", i)
		}
	}
}

func TestHoursFlagsKeys(t *testing.T) {
	all := FlagClipped | FlagRounded | FlagBelowMinimum | FlagCapped | FlagAutoClosed
	if got := all.String(); got != "clipped,rounded,below_minimum,capped,auto_closed" {
		t.Errorf("all flags = %q", got)
	}
	if got := (FlagAutoClosed | FlagClipped).Keys(); !reflect.DeepEqual(got, []string{"clipped", "auto_closed"}) {
		t.Errorf("keys = %v", got)
	}
	if HoursFlags(0).Keys() != nil || HoursFlags(0).String() != "" {
		t.Error("no flags should have no keys")
	}
	if !all.Has(FlagCapped|FlagRounded) || FlagCapped.Has(FlagCapped|FlagRounded) {
		t.Error("Has must require every flag asked for")
	}
}

// The policy's own tests live here, beside the function that obeys it.
