package pages

import (
	"fmt"
	"strconv"
	"strings"

	"timebank/ledger"
)

// minuteSuffixes mark a duration typed in minutes rather than hours.
var minuteSuffixes = []string{"分钟", "分", "minutes", "minute", "min"}

// parseHours reads a duration as people type it: hours ("1.5", "0.25", "2") or, with a unit,
// minutes ("20 分钟", "20 min"). It is whole minutes or nothing: "0.33" hours is not, and is refused
// rather than rounded. ok is false for anything else.
func parseHours(raw string) (minutes int64, ok bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	for _, suf := range minuteSuffixes {
		if rest, found := strings.CutSuffix(s, suf); found {
			n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 32)
			return n, err == nil
		}
	}
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "小时")), "hours"), "h")
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 4 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	w, err := strconv.ParseInt("0"+whole, 10, 32)
	if err != nil {
		return 0, false
	}
	f, err := strconv.ParseInt("0"+frac, 10, 32)
	if err != nil {
		return 0, false
	}
	scale := int64(1)
	for range frac {
		scale *= 10
	}
	if f*60%scale != 0 {
		return 0, false
	}
	return w*60 + f*60/scale, true
}

// formatHoursInput writes minutes for a field that takes hours: hours when they are exact to two
// decimals ("1.5"), else minutes with their unit ("20 分钟"), so that saving the form again keeps
// the same number.
// minutesFormat is the reader's "%d 分钟".
func formatHoursInput(minutes int64, minutesFormat string) string {
	if minutes*100%60 == 0 {
		return ledger.FormatHours(minutes)
	}
	return fmt.Sprintf(minutesFormat, minutes)
}
