package activity

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Policy is an organization's rules for turning attendance into service minutes and credits. No
// national rule fixes these numbers, so each organization sets its own; DefaultPolicy gives the
// usual ones. The JSON names are the field names Validate reports.
type Policy struct {
	// RoundingUnitMinutes is 1, 15 or 30. Service time is rounded DOWN to a whole number of units,
	// because only time actually given counts: the minutes spent arriving, waiting and leaving around
	// the work are not service (see Hours).
	RoundingUnitMinutes int64 `json:"rounding_unit_minutes"`
	// GraceMinutes widens the activity's window on both sides: time up to this long before the
	// scheduled start (setting up) and after the scheduled end (clearing away) still counts.
	GraceMinutes int64 `json:"grace_minutes"`
	// MinimumMinutes is the least service one attendance must reach to count at all; shorter ones
	// give 0 minutes and are flagged, so a scan in and straight out earns nothing.
	MinimumMinutes int64 `json:"minimum_minutes"`
	// DailyCapMinutes limits the minutes credited to one volunteer on one calendar day (China
	// Standard Time) across all activities; 0 means no cap.
	DailyCapMinutes int64 `json:"daily_cap_minutes"`
	// CreditNumerator and CreditDenominator convert service minutes into credit minutes (see
	// Credits). A numerator of 0 means service here earns no credits, only records.
	CreditNumerator   int64 `json:"credit_numerator"`
	CreditDenominator int64 `json:"credit_denominator"`
	// ManualEarnsCredits says whether hours added afterwards by an administrator (补录) earn credits.
	// They always count as service records; by default they earn no credits, because nobody
	// scanned in or out to prove them.
	ManualEarnsCredits bool `json:"manual_earns_credits"`
	// StarThresholdsHours are the verified hours needed for one star, two stars, and so on, in
	// strictly rising order.
	StarThresholdsHours []int64 `json:"star_thresholds_hours"`
	// ForgottenCheckoutGraceMinutes is how long after the scheduled end a volunteer may still check
	// out before the attendance is closed automatically at the scheduled end (see AutoCloseAt).
	ForgottenCheckoutGraceMinutes int64 `json:"forgotten_checkout_grace_minutes"`
	// MaxActivityHours is the longest one occurrence of the organization's activities may be
	// scheduled for; 0 means the default, DefaultMaxActivityHours.
	MaxActivityHours int64 `json:"max_activity_hours,omitempty"`
}

// DefaultMaxActivityHours is how long an activity may last when the policy does not say: a long
// day of service, not a sitting that spans days.
const DefaultMaxActivityHours = 12

// MaxActivityLength is how long one occurrence may be scheduled for under the policy.
func (p Policy) MaxActivityLength() time.Duration {
	h := p.MaxActivityHours
	if h == 0 {
		h = DefaultMaxActivityHours
	}
	return time.Duration(h) * time.Hour
}

// Limits of the policy's fields, wide enough for any real programme and narrow enough that no
// arithmetic on them can overflow.
const (
	maxGraceMinutes      = 240
	maxMinimumMinutes    = 480
	maxDailyCapMinutes   = 24 * 60
	maxCreditRatioTerm   = 100
	maxStarLevels        = 10
	maxStarHours         = 100_000
	maxForgottenCheckout = 24 * 60
)

// defaultStarThresholdsHours are the usual thresholds of the national community volunteer rules
// (2012 draft): 100, 300, 600, 1000 and 1500 verified hours for one to five stars.
var defaultStarThresholdsHours = [...]int64{100, 300, 600, 1000, 1500}

// DefaultPolicy returns the rules an organization starts with: quarter-hour rounding, 15 minutes of
// grace around the window, at least 30 minutes per attendance, at most 8 hours a day, 1 minute of
// service = 1 credit minute, no credits for manual entries, the national star thresholds, and two
// hours to remember to check out. Each call returns a fresh value the caller may change.
func DefaultPolicy() Policy {
	return Policy{
		RoundingUnitMinutes:           15,
		GraceMinutes:                  15,
		MinimumMinutes:                30,
		DailyCapMinutes:               8 * 60,
		CreditNumerator:               1,
		CreditDenominator:             1,
		ManualEarnsCredits:            false,
		StarThresholdsHours:           slices.Clone(defaultStarThresholdsHours[:]),
		ForgottenCheckoutGraceMinutes: 120,
	}
}

// Validate checks every field and returns the wrong ones as JSON field name → reason key (nil when
// the policy is valid), for the settings form to show next to each field. The keys are "range" (a
// number outside its limits), "rounding_unit" (not 1, 15 or 30), "required" (no star thresholds),
// "too_many_levels" (more than 10 star levels) and "not_ascending" (star thresholds must rise strictly).
func (p Policy) Validate() map[string]string {
	bad := map[string]string{}
	switch p.RoundingUnitMinutes {
	case 1, 15, 30:
	default:
		bad["rounding_unit_minutes"] = "rounding_unit"
	}
	checkPolicyRange(bad, "grace_minutes", p.GraceMinutes, 0, maxGraceMinutes)
	checkPolicyRange(bad, "minimum_minutes", p.MinimumMinutes, 0, maxMinimumMinutes)
	checkPolicyRange(bad, "daily_cap_minutes", p.DailyCapMinutes, 0, maxDailyCapMinutes)
	checkPolicyRange(bad, "credit_numerator", p.CreditNumerator, 0, maxCreditRatioTerm)
	checkPolicyRange(bad, "credit_denominator", p.CreditDenominator, 1, maxCreditRatioTerm)
	checkPolicyRange(bad, "forgotten_checkout_grace_minutes", p.ForgottenCheckoutGraceMinutes, 0, maxForgottenCheckout)
	checkPolicyRange(bad, "max_activity_hours", p.MaxActivityHours, 0, int64(MaxActivityLength/time.Hour))
	switch n := len(p.StarThresholdsHours); {
	case n == 0:
		bad["star_thresholds_hours"] = "required"
	case n > maxStarLevels:
		bad["star_thresholds_hours"] = "too_many_levels"
	default:
		for i, h := range p.StarThresholdsHours {
			field := "star_thresholds_hours[" + strconv.Itoa(i) + "]"
			if h < 1 || h > maxStarHours {
				bad[field] = "range"
			} else if i > 0 && h <= p.StarThresholdsHours[i-1] {
				bad[field] = "not_ascending"
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

func checkPolicyRange(bad map[string]string, field string, v, lo, hi int64) {
	if v < lo || v > hi {
		bad[field] = "range"
	}
}

// Credits converts verified service minutes into credit minutes at the policy's ratio, rounding
// down so that no fraction of a minute is ever created. Zero or negative minutes, and a policy whose
// ratio Validate would refuse, give 0: a correction is a reversal in the ledger, never a negative
// earning, and a broken policy must not mint credits.
func (p Policy) Credits(minutes int64) int64 {
	num, den := p.CreditNumerator, p.CreditDenominator
	if minutes <= 0 || num <= 0 || num > maxCreditRatioTerm || den < 1 || den > maxCreditRatioTerm {
		return 0
	}
	// minutes = q·den + r, so minutes·num/den = q·num + r·num/den exactly, without forming
	// minutes·num. Only an absurd input (millions of years) could still overflow: saturate rather
	// than wrap round to a negative amount.
	q, r := minutes/den, minutes%den
	if q > math.MaxInt64/num {
		return math.MaxInt64
	}
	whole, part := q*num, r*num/den
	if whole > math.MaxInt64-part {
		return math.MaxInt64
	}
	return whole + part
}

// EarnedCredits is Credits for one service record: manual entries (补录) earn nothing unless the
// policy says so.
func (p Policy) EarnedCredits(minutes int64, manual bool) int64 {
	if manual && !p.ManualEarnsCredits {
		return 0
	}
	return p.Credits(minutes)
}

// AutoCloseAt is when an attendance still open after an activity that was scheduled to end at end
// should be closed automatically (and then counted up to end, flagged FlagAutoClosed by Hours).
func (p Policy) AutoCloseAt(end time.Time) time.Time {
	return end.Add(time.Duration(p.ForgottenCheckoutGraceMinutes) * time.Minute)
}
