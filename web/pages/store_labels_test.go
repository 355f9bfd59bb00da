package pages

import (
	"testing"

	"timebank/pkg/store"
)

// Every code of the store has its words on the pages.
func TestStoreLabelsComplete(t *testing.T) {
	for _, c := range store.Categories {
		if categoryLabels[c] == "" {
			t.Errorf("category %s has no label", c)
		}
	}
	for _, r := range append(append([]string{}, store.WriteOffReasons...), store.CountReasons...) {
		if adjustReasons[r] == "" {
			t.Errorf("reason %s has no label", r)
		}
	}
	for _, s := range []string{store.StatusPending, store.StatusFulfilled, store.StatusCancelled, store.StatusExpired} {
		if statusLabels[s] == "" {
			t.Errorf("status %s has no label", s)
		}
	}
	for _, k := range []string{store.DonorResident, store.DonorMerchant, store.DonorOrganization, store.DonorAnonymous} {
		if donorLabels[k] == "" {
			t.Errorf("donor kind %s has no label", k)
		}
	}
	for _, k := range []string{store.WarnExpired, store.WarnNearExpiry, store.WarnLowStock} {
		if warningLabels[k] == "" {
			t.Errorf("warning %s has no label", k)
		}
	}
	for _, p := range []store.Period{store.Week, store.Month, store.Quarter} {
		if !p.Valid() || periodLabels[p] == "" || periodNames[p] == "" {
			t.Errorf("period %s has no label", p)
		}
	}
}

func TestParseYuan(t *testing.T) {
	for in, fen := range map[string]int64{"": 0, "0": 0, "12": 1200, "12.5": 1250, "12.50": 1250, "0.05": 5, "999999999.99": 99999999999} {
		if got, ok := parseYuan(in); !ok || got != fen {
			t.Errorf("parseYuan(%q) = %d %v, want %d", in, got, ok, fen)
		}
	}
	for _, in := range []string{"-1", "1.234", "1,5", ".5", "1e3", "１２", "1000000000"} {
		if _, ok := parseYuan(in); ok {
			t.Errorf("parseYuan(%q) accepted", in)
		}
	}
	for fen, s := range map[int64]string{0: "0.00", 5: "0.05", 1250: "12.50", -30: "-0.30"} {
		if got := formatYuan(fen); got != s {
			t.Errorf("formatYuan(%d) = %q, want %q", fen, got, s)
		}
	}
}
