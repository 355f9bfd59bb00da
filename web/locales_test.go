package web

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/web/i18n"
	"timebank/web/problem"
	"timebank/web/webtest"
)

// problemSlugs is every slug Classify and fiberSlug (problem/classify.go) can return, and the slugs handlers
// raise themselves. TestProblemSlugsListed keeps it in step with them.
var problemSlugs = []string{
	"invalid-request",
	"account-not-found", "transaction-not-found", "hold-not-found",
	"account-exists", "idempotency-conflict", "already-reversed", "not-reversible",
	"hold-resolved", "hold-expired", "insufficient-funds", "history-immutable",
	"not-found", "method-not-allowed", "too-large", "unauthorized", "forbidden", "rate-limited", "unavailable",
	"internal",
	// people and sessions
	"csrf", "bad-credentials", "phone-taken", "resident-id-taken", "user-not-found", "device-not-found",
	"grant-not-found", "scope-not-found", "region-not-found", "org-not-found", "store-not-found", "region-exists",
	"parent-region-missing", "credit-code-taken", "claim-needs-resident-id", "roster-file", "roster-invalid",
	// activities, scans, records, transfers (problem/classify_activity.go)
	"token-malformed", "token-invalid", "token-expired", "token-wrong-type", "token-wrong-activity", "token-used", "activity-not-found", "activity-full", "activity-cancelled", "activity-started", "signup-closed", "not-signed-up", "check-in-not-open", "activity-over", "not-checked-in", "attendance-not-found", "attendance-exists", "still-checked-in", "already-verified", "not-volunteer-service", "activity-not-ended", "second-approver-required", "record-not-found", "record-changed", "credits-spent", "dispute-open", "dispute-not-found", "recipient-not-found", "relationship-mismatch", "transfer-limit-reached", "service-recorded-elsewhere",
	// the charity supermarket (problem/classify_store.go)
	"item-not-found", "lot-not-found", "donation-not-found", "order-not-found", "item-exists", "item-unavailable",
	"out-of-stock", "over-limit", "stock-reserved", "stars-required", "donation-refused", "order-fulfilled",
	"order-cancelled", "order-expired", "wrong-store", "code-invalid", "code-expired", "code-used",
	// residents' service requests (problem/classify_servicedesk.go)
	"service-desk-not-found", "service-desk-exists", "service-request-not-found", "service-request-taken",
	"service-request-wrong-step", "service-request-not-yours", "not-team-volunteer", "sms-code-wrong",
	"service-already-rated", "service-visit-expired",
	// care for residents (problem/classify_care.go)
	"care-person-not-found", "care-pairing-not-found", "care-proposal-not-found", "care-not-permitted", "care-not-paired",
	"care-card-invalid", "care-proposal-decided", "care-pairing-ended",
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// problemSlugs holds every slug written in problem/classify.go and the handlers (a slug added there without
// being listed here fails), and classify maps every ledger error and Fiber status to one of them.
func TestProblemSlugsListed(t *testing.T) {
	t.Parallel()
	listed := map[string]bool{}
	for _, s := range problemSlugs {
		listed[s] = true
	}
	// In problem/classify.go, Classify returns `fiber.StatusX, "slug"` and fiberSlug `return "slug"`; anywhere,
	// a handler may build a problem.Error{…, Slug: "slug"}.
	classifySlug := regexp.MustCompile(`(?:fiber\.Status\w+,\s*|return\s+)"([a-z]+(?:-[a-z]+)*)"`)
	fieldSlug := regexp.MustCompile(`\b[sS]lug:\s*"([a-z]+(?:-[a-z]+)*)"`)
	found := map[string]bool{}
	for name, src := range webtest.ReadSources(t, "./...") {
		var ms [][]string
		if filepath.Base(name) == "classify.go" {
			ms = classifySlug.FindAllStringSubmatch(src, -1)
		}
		for _, m := range append(ms, fieldSlug.FindAllStringSubmatch(src, -1)...) {
			found[m[1]] = true
			if !listed[m[1]] {
				t.Errorf("%s: slug %q is not in problemSlugs", name, m[1])
			}
		}
	}
	for _, must := range []string{"insufficient-funds", "invalid-request", "internal", "not-found"} {
		if !found[must] {
			t.Fatalf("the slug pattern no longer finds %q in problem/classify.go: fix the test", must)
		}
	}

	sentinels := []error{ledger.ErrInvalid, ledger.ErrAccountNotFound, ledger.ErrAccountExists, ledger.ErrInsufficientFunds,
		ledger.ErrIdempotencyConflict, ledger.ErrTransactionNotFound, ledger.ErrAlreadyReversed, ledger.ErrNotReversible,
		ledger.ErrHoldNotFound, ledger.ErrHoldResolved, ledger.ErrHoldExpired, ledger.ErrHistoryImmutable,
		fields.New(ledger.ErrInvalid, "f", "r"), &ledger.AccountError{Err: ledger.ErrInsufficientFunds, Account: "vol:1"},
		fmt.Errorf("wrapped: %w", ledger.ErrHoldResolved), problem.BadRequest("f", "r"), errors.New("anything else")}
	for code := 400; code < 600; code++ {
		sentinels = append(sentinels, fiber.NewError(code))
	}
	for _, err := range sentinels {
		status, slug := problem.Classify(err)
		if !listed[slug] {
			t.Errorf("problem.Classify(%v) = %d %q, not in problemSlugs", err, status, slug)
		}
		if status < 400 || status > 599 {
			t.Errorf("problem.Classify(%v) = %d", err, status)
		}
	}
	for _, c := range []struct {
		err    error
		status int
		slug   string
	}{
		{&ledger.AccountError{Err: ledger.ErrInsufficientFunds, Account: "vol:1"}, 422, "insufficient-funds"},
		{&ledger.AccountError{Err: ledger.ErrAccountNotFound, Account: "vol:1"}, 404, "account-not-found"},
		{fields.New(ledger.ErrInvalid, "postings", "unbalanced"), 400, "invalid-request"},
		{ledger.ErrIdempotencyConflict, 409, "idempotency-conflict"},
		{fmt.Errorf("%w: committed", ledger.ErrHoldResolved), 409, "hold-resolved"},
		{ledger.ErrHoldExpired, 409, "hold-expired"},
		{fiber.ErrUnauthorized, 401, "unauthorized"},
		{fiber.ErrRequestEntityTooLarge, 413, "too-large"},
	} {
		if status, slug := problem.Classify(c.err); status != c.status || slug != c.slug {
			t.Errorf("problem.Classify(%v) = %d %s, want %d %s", c.err, status, slug, c.status, c.slug)
		}
	}
}

// Every problem slug and every field-error reason the code can produce has its message in both
// languages. The reasons are read from the sources of web/ and ledger/, so a new reason without a
// translation fails here.
func TestEveryProblemAndReasonTranslated(t *testing.T) {
	t.Parallel()
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	reasonInCode := []*regexp.Regexp{
		regexp.MustCompile(`\binvalid\(.*,\s*"([a-z_]+)"\)`),       // ledger: invalid("field", "reason")
		regexp.MustCompile(`\b[bB]adRequest\(.*,\s*"([a-z_]+)"\)`), // web: problem.BadRequest(field, "reason")
		regexp.MustCompile(`\bReason:\s*"([a-z_]+)"`),              // problem.FieldError{…, Reason: "reason"}
	}
	reasons := map[string]bool{}
	for _, src := range webtest.ReadSources(t, "./...", filepath.Join("..", "ledger")) {
		for _, line := range strings.Split(src, "\n") {
			for _, re := range reasonInCode {
				for _, m := range re.FindAllStringSubmatch(line, -1) {
					reasons[m[1]] = true
				}
			}
		}
	}
	// The patterns must still see the reasons known to exist, or this test checks nothing.
	for _, must := range []string{"required", "unbalanced", "too_few", "encoding", "exceeds_hold", // ledger
		"malformed_json", "unknown_field", "trailing_data", "type", "not_a_number", "range", "content_type"} { // web
		if !reasons[must] {
			t.Fatalf("the reason patterns no longer find %q: fix the test", must)
		}
	}
	for _, lang := range i18n.Languages {
		for _, slug := range problemSlugs {
			if msgs[lang]["problem."+slug] == "" {
				t.Errorf("i18n/locales/%s.json lacks problem.%s", lang, slug)
			}
		}
		for _, r := range sortedKeys(reasons) {
			if msgs[lang]["reason."+r] == "" {
				t.Errorf("i18n/locales/%s.json lacks reason.%s", lang, r)
			}
		}
		if msgs[lang]["detail.account"] == "" {
			t.Errorf("i18n/locales/%s.json lacks detail.account", lang)
		}
	}
	// Entries nothing produces are reported, not failed: they may be meant for pages to come.
	for k := range msgs["en"] {
		if r, ok := strings.CutPrefix(k, "reason."); ok && !reasons[r] {
			t.Logf("reason.%s is translated but no code produces it", r)
		}
	}
}
