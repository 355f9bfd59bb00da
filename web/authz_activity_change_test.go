package web

import (
	"fmt"
	"testing"
)

// activityChangeAuthzEntries are the rows of the authorization table for changing and cancelling
// an activity, over the API and through the pages (merged into activityAuthzEntries and
// activityPageAuthzEntries). They act at the organization that runs the activity: A's fixture
// inside, B's outside (see actFixturesOf). The fixture has begun, so a change let through is
// refused as started, and no request here is one that would cancel it: nothing changes.
func activityChangeAuthzEntries(pages bool) map[string]entry {
	at := func(who []string, method, path, body string) entry {
		mk := func(i int) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				return call{method, fmt.Sprintf(path, actFixturesOf(t, w).act[i]), body}
			}
		}
		return entry{who: who, in: mk(0), out: mk(1)}
	}
	managers := with(coordA, adminA, regionXS)
	if !pages {
		return map[string]entry{
			"PUT /api/v1/activities/:id":         at(managers, "PUT", "/api/v1/activities/%d", `{"title":"改名"}`),
			"POST /api/v1/activities/:id/cancel": at(managers, "POST", "/api/v1/activities/%d/cancel", malformed),
		}
	}
	detail := at(people, "GET", "/activities/%d", "")
	detail.out = nil // any signed-in person may read any activity
	return map[string]entry{
		"GET /activities/:id":               detail,
		"GET /activities/:id/edit":          at(managers, "GET", "/activities/%d/edit", ""),
		"POST /activities/:id/edit":         at(managers, "POST", "/activities/%d/edit", malformed),
		"GET /activities/:id/cancellation":  at(managers, "GET", "/activities/%d/cancellation", ""),
		"POST /activities/:id/cancellation": at(managers, "POST", "/activities/%d/cancellation", malformed),
	}
}
