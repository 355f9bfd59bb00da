package ledger

import "strconv"

// FormatHours writes integer minutes as hours with up to two decimals, rounded half away from zero
// in integer arithmetic, never through a float: 90 → "1.5", 125 → "2.08", 20 → "0.33", 60 → "1". It
// is how people read the ledger's unit, on pages and on paper alike.
func FormatHours(minutes int64) string {
	sign := ""
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	hundredths := (minutes*100 + 30) / 60
	whole, frac := hundredths/100, hundredths%100
	s := sign + strconv.FormatInt(whole, 10)
	switch {
	case frac == 0:
	case frac%10 == 0:
		s += "." + strconv.FormatInt(frac/10, 10)
	default:
		s += "." + strconv.FormatInt(frac/10, 10) + strconv.FormatInt(frac%10, 10)
	}
	return s
}
