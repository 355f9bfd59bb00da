package report

import (
	"testing"
	"time"

	"timebank/pkg/chinatime"
)

// A period is cut into whole months and the days before and after them.
func TestSplit(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.ParseInLocation(time.DateOnly, s, chinatime.Zone())
		if err != nil {
			panic(err)
		}
		return t
	}
	today := d("2026-12-07")
	for _, c := range []struct {
		from, to string
		want     [6]string // months from, to; head from, to; tail from, to
	}{
		{"2026-01-01", "2026-12-07", [6]string{"2026-01-01", "2026-12-01", "2026-01-01", "2025-12-31", "2026-12-08", "2026-12-07"}},
		{"2026-01-15", "2026-03-31", [6]string{"2026-02-01", "2026-03-01", "2026-01-15", "2026-01-31", "2026-04-01", "2026-03-31"}},
		{"2026-01-01", "2026-03-30", [6]string{"2026-01-01", "2026-02-01", "2026-01-01", "2025-12-31", "2026-03-01", "2026-03-30"}},
		{"2026-03-05", "2026-03-20", [6]string{"2026-04-01", "2026-03-01", "2026-03-05", "2026-03-20", "2026-03-21", "2026-03-20"}},
		{"2026-02-01", "2026-02-28", [6]string{"2026-02-01", "2026-02-01", "2026-02-01", "2026-01-31", "2026-03-01", "2026-02-28"}},
	} {
		sp := split(Period{From: d(c.from), To: d(c.to)}, today)
		got := [6]string{dayText(sp.MonthFrom), dayText(sp.MonthTo), dayText(sp.HeadFrom), dayText(sp.HeadTo),
			dayText(sp.TailFrom), dayText(sp.TailTo)}
		if got != c.want {
			t.Errorf("%s..%s: %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
