package pages

import "testing"

// Prices are typed in hours, or in minutes with a unit, and are whole minutes or refused; what the
// form shows again reads back to the same minutes.
func TestParseHours(t *testing.T) {
	for raw, want := range map[string]int64{"1.5": 90, "0.25": 15, "2": 120, " 2 小时": 120, "1.5h": 90, ".5": 30,
		"20 分钟": 20, "20分": 20, "45 min": 45, "0.05": 3} {
		if got, ok := parseHours(raw); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", raw, got, ok, want)
		}
	}
	for _, raw := range []string{"", "0.33", "一小时", "1.5.5", "-1", "1e3", "0.12345", "九十"} {
		if got, ok := parseHours(raw); ok {
			t.Errorf("%q was read as %d minutes", raw, got)
		}
	}
	for _, m := range []int64{1, 20, 30, 45, 90, 125, 600} {
		if got, ok := parseHours(formatHoursInput(m, "%d 分钟")); !ok || got != m {
			t.Errorf("%d minutes shown as %q reads back as %d %v", m, formatHoursInput(m, "%d 分钟"), got, ok)
		}
	}
}
