package ledger_test

import (
	"testing"

	"timebank/ledger"
)

// Hours are written from integer minutes without a float, half away from zero.
func TestFormatHours(t *testing.T) {
	for minutes, want := range map[int64]string{0: "0", 1: "0.02", 30: "0.5", 60: "1", 90: "1.5", 125: "2.08", 599: "9.98",
		-90: "-1.5", 6000: "100", 59: "0.98", 3: "0.05", 20: "0.33", 40: "0.67"} {
		if got := ledger.FormatHours(minutes); got != want {
			t.Errorf("FormatHours(%d) = %q, want %q", minutes, got, want)
		}
	}
}
