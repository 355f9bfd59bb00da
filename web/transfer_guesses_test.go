package web

import (
	"fmt"
	"testing"

	"timebank/web/guard"
)

// Naming a family member by volunteer number and name says whether the pair is someone: misses are
// counted per person, and past the limit a transfer is refused (429 with Retry-After) before the
// lookup, even with a pair that would match; another person is not held back by them.
func TestFamilyTransferGuessesAreLimited(t *testing.T) {
	t.Parallel()
	app, d, _ := newActivityApp(t)
	w := newWorld(t, d)
	miss := func(i int) map[string]any {
		return map[string]any{"to": "family", "volunteer_no": fmt.Sprintf("V%09d", 900000+i), "name": "猜的名字",
			"relationship": "child", "amount": 1}
	}
	for i := range guard.TransferMissesPerPerson {
		actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", miss(i),
			"Idempotency-Key", fmt.Sprintf("guess-%d", i)).isProblem(t, 422, "recipient-not-found", true)
	}
	over := actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", miss(99), "Idempotency-Key", "guess-99")
	over.isProblem(t, 429, "rate-limited", true)
	if over.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the refused guess")
	}
	// The pool is not a guess, but the person is held until the window ends: nothing is looked up.
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", map[string]any{"to": "pool", "amount": 1},
		"Idempotency-Key", "pool-1").isProblem(t, 429, "rate-limited", true)
	// Someone else, from the same address, still has their tries.
	actDo(t, app, w.tokens[coordA], "POST", "/api/v1/transfers", miss(1),
		"Idempotency-Key", "other-1").isProblem(t, 422, "recipient-not-found", true)
}
