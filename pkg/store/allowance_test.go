package store

import "testing"

// What the catalogue may offer: the minimum of service for a first redemption first, then stars,
// then the period's limit; an unlimited item always.
func TestAllowanceBarred(t *testing.T) {
	a := Allowance{Left: map[int64]int{1: 0, 2: 3}, Stars: 1}
	for _, c := range []struct {
		it   Item
		want string
		take int
	}{
		{Item{ID: 1, LimitQty: 2}, "limit", 0},
		{Item{ID: 2, LimitQty: 5}, "", 3},
		{Item{ID: 3, LimitQty: 4}, "", 4}, // limited, nothing taken yet this period
		{Item{ID: 4}, "", -1},
		{Item{ID: 2, LimitQty: 5, MinStars: 2}, "stars", 3},
	} {
		if got := a.Barred(c.it); got != c.want {
			t.Errorf("item %+v: barred %q, want %q", c.it, got, c.want)
		}
		if got := a.CanTake(c.it); got != c.take {
			t.Errorf("item %+v: can take %d, want %d", c.it, got, c.take)
		}
	}
	a.FirstRedemption = &MinimumHoursError{NeedMinutes: 600, HaveMinutes: 90}
	for _, it := range []Item{{ID: 4}, {ID: 2, LimitQty: 5, MinStars: 2}} {
		if got := a.Barred(it); got != "minimum_hours" {
			t.Errorf("item %+v below the minimum of service: barred %q", it, got)
		}
	}
}
