package pages

import (
	"testing"

	"timebank/web/i18n"
)

// Durations under an hour are written in minutes, from an hour on in hours, in each language.
func TestDuration(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang    string
		minutes int64
		want    string
	}{
		{"zh-CN", 2, "2 分钟"}, {"zh-CN", 59, "59 分钟"}, {"zh-CN", 60, "1 小时"}, {"zh-CN", 90, "1.5 小时"},
		{"zh-CN", -30, "-30 分钟"}, {"zh-CN", -125, "-2.08 小时"}, {"en", 2, "2 min"}, {"en", 90, "1.5 h"},
	} {
		f := templateFuncs(msgs, c.lang, assets{})["duration"].(func(int64) string)
		if got := f(c.minutes); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.lang, c.minutes, got, c.want)
		}
	}
}
