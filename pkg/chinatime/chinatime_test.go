package chinatime_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zone database to compare with, on machines that have none

	"timebank/pkg/chinatime"
)

func TestZone(t *testing.T) {
	cases := []struct {
		name  string
		utc   string // an instant, in UTC
		local string // the same instant on a clock in China
		day   string // its day in China
	}{
		{"morning", "2026-03-10T01:30:00Z", "2026-03-10 09:30", "2026-03-10"},
		{"evening in UTC is the next day in China", "2026-03-10T16:00:00Z", "2026-03-11 00:00", "2026-03-11"},
		{"just before midnight in China", "2026-03-10T15:59:59Z", "2026-03-10 23:59", "2026-03-10"},
		{"summer: no daylight saving", "2026-07-01T04:00:00Z", "2026-07-01 12:00", "2026-07-01"},
		{"new year's eve", "2025-12-31T16:30:00Z", "2026-01-01 00:30", "2026-01-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, c.utc)
			if err != nil {
				t.Fatal(err)
			}
			if got := at.In(chinatime.Zone()).Format("2006-01-02 15:04"); got != c.local {
				t.Errorf("clock = %s, want %s", got, c.local)
			}
			m := chinatime.Midnight(at)
			if got := m.Format("2006-01-02 15:04:05"); got != c.day+" 00:00:00" {
				t.Errorf("Midnight = %s, want %s 00:00:00", got, c.day)
			}
			if m.Location() != chinatime.Zone() || m.After(at) || at.Sub(m) >= 24*time.Hour {
				t.Errorf("Midnight %v is not the start of the day of %v in China", m, at)
			}
		})
	}
}

// The fixed zone agrees with the zone database's Asia/Shanghai on every date the service handles.
func TestAgreesWithShanghai(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for d := time.Date(1992, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() < 2040; d = d.AddDate(0, 1, 3) {
		_, want := d.In(shanghai).Zone()
		if _, got := d.In(chinatime.Zone()).Zone(); got != want {
			t.Fatalf("%v: offset %d, Asia/Shanghai %d", d, got, want)
		}
	}
}
