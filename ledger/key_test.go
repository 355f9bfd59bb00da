package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"timebank/ledger"
)

func TestKeyReason(t *testing.T) {
	cases := []struct {
		name   string
		key    string
		maxLen int
		reason string
	}{
		{"empty", "", 100, "required"},
		{"one character", "k", 100, ""},
		{"printable ASCII", "order-7:~!@#$%^&*()_+{}|", 100, ""},
		{"exactly the most", strings.Repeat("k", 100), 100, ""},
		{"one too many", strings.Repeat("k", 101), 100, "too_long"},
		{"the ledger's own most", strings.Repeat("k", ledger.MaxKey), ledger.MaxKey, ""},
		{"a space", "a b", 100, "format"},
		{"a tab", "a\tb", 100, "format"},
		{"DEL", "a\x7fb", 100, "format"},
		{"not ASCII", "订单-7", 100, "format"},
		{"too long is told before format", strings.Repeat(" ", 101), 100, "too_long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ledger.KeyReason(c.key, c.maxLen); got != c.reason {
				t.Errorf("KeyReason(%q, %d) = %q, want %q", c.key, c.maxLen, got, c.reason)
			}
		})
	}
}

// The ledger refuses its own keys' prefix besides the rule every area shares.
func TestValidateKeyReserved(t *testing.T) {
	for key, want := range map[string]string{"ledger:x": "reserved", "": "required", "ok-1": "", "a b": "format"} {
		r := ledger.TransactionRequest{Kind: ledger.TxEarn, IdempotencyKey: key, CreatedBy: "user:1",
			Postings: []ledger.PostingRequest{{Account: "vol:1", Amount: 5}, {Account: "vol:2", Amount: -5}}}
		err := r.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("key %q: %v, want it taken", key, err)
		case want != "" && (!errors.Is(err, ledger.ErrInvalid) || !strings.Contains(err.Error(), "idempotency_key") ||
			!strings.HasSuffix(err.Error(), ": "+want)):
			t.Errorf("key %q: %v, want idempotency_key refused as %q", key, err, want)
		}
	}
}
