package activity

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if bad := p.Validate(); bad != nil {
		t.Fatalf("default policy invalid: %v", bad)
	}
	want := hoursPolicy(nil)
	if !reflect.DeepEqual(p, want) {
		t.Errorf("DefaultPolicy() = %+v\nwant %+v", p, want)
	}
	p.StarThresholdsHours[0] = 1
	if DefaultPolicy().StarThresholdsHours[0] != 100 {
		t.Error("changing one policy's thresholds changed the defaults")
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Policy)
		want   map[string]string
	}{
		{"minute unit", func(p *Policy) { p.RoundingUnitMinutes = 1 }, nil},
		{"half-hour unit", func(p *Policy) { p.RoundingUnitMinutes = 30 }, nil},
		{"every limit at its edge", func(p *Policy) {
			p.GraceMinutes, p.MinimumMinutes, p.DailyCapMinutes = 240, 480, 1440
			p.CreditNumerator, p.CreditDenominator, p.ForgottenCheckoutGraceMinutes = 100, 100, 1440
			p.StarThresholdsHours = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 100000}
		}, nil},
		{"zeros where allowed", func(p *Policy) {
			p.GraceMinutes, p.MinimumMinutes, p.DailyCapMinutes, p.CreditNumerator, p.ForgottenCheckoutGraceMinutes = 0, 0, 0, 0, 0
		}, nil},
		{"unit of 10 minutes", func(p *Policy) { p.RoundingUnitMinutes = 10 }, map[string]string{"rounding_unit_minutes": "rounding_unit"}},
		{"unit of 0", func(p *Policy) { p.RoundingUnitMinutes = 0 }, map[string]string{"rounding_unit_minutes": "rounding_unit"}},
		{"numbers out of range", func(p *Policy) {
			p.GraceMinutes, p.MinimumMinutes, p.DailyCapMinutes = -1, 481, 1441
			p.CreditNumerator, p.CreditDenominator, p.ForgottenCheckoutGraceMinutes = 101, 0, -5
		}, map[string]string{
			"grace_minutes": "range", "minimum_minutes": "range", "daily_cap_minutes": "range",
			"credit_numerator": "range", "credit_denominator": "range", "forgotten_checkout_grace_minutes": "range",
		}},
		{"no thresholds", func(p *Policy) { p.StarThresholdsHours = nil }, map[string]string{"star_thresholds_hours": "required"}},
		{"eleven levels", func(p *Policy) { p.StarThresholdsHours = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} }, map[string]string{"star_thresholds_hours": "too_many_levels"}},
		{"thresholds not rising", func(p *Policy) { p.StarThresholdsHours = []int64{100, 300, 300, 200, 0, 100001} },
			map[string]string{"star_thresholds_hours[2]": "not_ascending", "star_thresholds_hours[3]": "not_ascending",
				"star_thresholds_hours[4]": "range", "star_thresholds_hours[5]": "range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hoursPolicy(tt.change).Validate(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCredits(t *testing.T) {
	const maxInt = int64(^uint64(0) >> 1)
	tests := []struct {
		num, den, minutes, want int64
	}{
		{1, 1, 90, 90},
		{1, 1, 0, 0},
		{1, 1, -30, 0},
		{3, 2, 1, 1},   // 1.5 rounds down
		{3, 2, 3, 4},   // 4.5 rounds down
		{3, 2, 60, 90}, // exact
		{2, 3, 100, 66},
		{1, 60, 59, 0}, // under one credit minute: nothing
		{1, 60, 120, 2},
		{0, 1, 600, 0}, // an organization that keeps records only
		{1, 0, 600, 0}, // invalid ratio mints nothing
		{-1, 1, 600, 0},
		{1, 1, maxInt, maxInt},
		{100, 1, maxInt, maxInt},
		// At the top of the range: the last inputs whose exact result still fits, and the first that does not.
		{100, 99, 9131138316486228048, maxInt - 1},
		{100, 99, 9131138316486228049, maxInt},
		{100, 99, 9131138316486228050, maxInt}, // saturates instead of wrapping negative
	}
	for _, tt := range tests {
		p := hoursPolicy(func(p *Policy) { p.CreditNumerator, p.CreditDenominator = tt.num, tt.den })
		if got := p.Credits(tt.minutes); got != tt.want {
			t.Errorf("%d:%d Credits(%d) = %d, want %d", tt.num, tt.den, tt.minutes, got, tt.want)
		}
	}

	// Against exact arithmetic over the whole range of minutes and every valid ratio.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		num, den := 1+rng.Int64N(100), 1+rng.Int64N(100)
		minutes := rng.Int64N(maxInt)
		if rng.IntN(2) == 0 {
			minutes = rng.Int64N(1 << 20)
		}
		exact := new(big.Int).Mul(big.NewInt(minutes), big.NewInt(num))
		exact.Quo(exact, big.NewInt(den))
		want := maxInt
		if exact.IsInt64() {
			want = exact.Int64()
		}
		p := hoursPolicy(func(p *Policy) { p.CreditNumerator, p.CreditDenominator = num, den })
		if got := p.Credits(minutes); got != want {
			t.Fatalf("%d:%d Credits(%d) = %d, want %d", num, den, minutes, got, want)
		}
	}
}

func TestEarnedCredits(t *testing.T) {
	p := hoursPolicy(func(p *Policy) { p.CreditNumerator, p.CreditDenominator = 1, 2 })
	if got := p.EarnedCredits(120, false); got != 60 {
		t.Errorf("scanned 120 minutes at 1:2 earned %d, want 60", got)
	}
	if got := p.EarnedCredits(120, true); got != 0 {
		t.Errorf("manual entry earned %d though the policy says no", got)
	}
	p.ManualEarnsCredits = true
	if got := p.EarnedCredits(120, true); got != 60 {
		t.Errorf("manual entry earned %d, want 60", got)
	}
}

func TestAutoCloseAt(t *testing.T) {
	if got := hoursPolicy(nil).AutoCloseAt(cstAt("2025-03-01 23:00")); !got.Equal(cstAt("2025-03-02 01:00")) {
		t.Errorf("AutoCloseAt = %v, want two hours after the end", got)
	}
}
