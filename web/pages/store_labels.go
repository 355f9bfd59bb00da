package pages

import (
	"fmt"

	"timebank/pkg/store"
)

// The words store pages show for the store's codes (categories, periods, statuses …), by code. Each
// map is complete for the codes of package store (a test checks), and keeps its keys literal so
// that the translation test finds them.
var (
	categoryLabels = map[string]string{
		"food": "page.store.category.food", "grain_oil": "page.store.category.grain_oil",
		"daily": "page.store.category.daily", "clothing": "page.store.category.clothing",
		"stationery": "page.store.category.stationery", "appliance": "page.store.category.appliance",
		"other": "page.store.category.other",
	}
	periodLabels = map[store.Period]string{
		store.Week: "page.store.limit.week", store.Month: "page.store.limit.month", store.Quarter: "page.store.limit.quarter",
	}
	periodNames = map[store.Period]string{
		store.Week: "page.store.period.week", store.Month: "page.store.period.month", store.Quarter: "page.store.period.quarter",
	}
	statusLabels = map[string]string{
		store.StatusPending: "page.store.status.pending", store.StatusFulfilled: "page.store.status.fulfilled",
		store.StatusCancelled: "page.store.status.cancelled", store.StatusExpired: "page.store.status.expired",
	}
	donorLabels = map[string]string{
		store.DonorResident: "page.store.donor.resident", store.DonorMerchant: "page.store.donor.merchant",
		store.DonorOrganization: "page.store.donor.organization", store.DonorAnonymous: "page.store.donor.anonymous",
	}
	// adjustReasons are the reasons of write-offs and counts (store.WriteOffReasons, CountReasons).
	adjustReasons = map[string]string{
		"expired": "page.store.adjust.expired", "damaged": "page.store.adjust.damaged",
		"spoiled": "page.store.adjust.spoiled", "lost": "page.store.adjust.lost",
		"recount": "page.store.adjust.recount", "other": "page.store.adjust.other",
	}
	warningLabels = map[string]string{
		store.WarnExpired: "page.store.warning.expired", store.WarnNearExpiry: "page.store.warning.near_expiry",
		store.WarnLowStock: "page.store.warning.low_stock",
	}
	lotSources = map[string]string{
		"donation": "page.store.source.donation", "purchase": "page.store.source.purchase", "other": "page.store.source.other",
	}
)

// storeLabel translates a code with its map; a code the map lacks shows as it is.
func (s *server) storeLabel(lang string, keys map[string]string, code string) string {
	if k, ok := keys[code]; ok {
		return s.msgs.Get(lang, k)
	}
	return code
}

// storeChoice is one choice of a select or a group of radio buttons.
type storeChoice struct {
	Value, Label string
}

// storeChoices lists the codes with their translated labels, in the order given.
func (s *server) storeChoices(lang string, keys map[string]string, codes []string) []storeChoice {
	out := make([]storeChoice, len(codes))
	for i, c := range codes {
		out[i] = storeChoice{Value: c, Label: s.storeLabel(lang, keys, c)}
	}
	return out
}

// itemRules says in words who may take an item and how much: "每人每周限 2 袋 · 三星及以上".
func (s *server) itemRules(lang string, it store.Item) []string {
	var out []string
	if it.LimitQty > 0 {
		if k, ok := periodLabels[it.LimitPeriod]; ok {
			out = append(out, fmt.Sprintf(s.msgs.Get(lang, k), it.LimitQty, it.Unit))
		}
	}
	if it.MinStars > 0 {
		out = append(out, fmt.Sprintf(s.msgs.Get(lang, "page.store.stars"), it.MinStars))
	}
	return out
}
