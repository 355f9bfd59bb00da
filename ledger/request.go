package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on what one request may carry.
const (
	MaxAmount   = 1_000_000_000_000 // minutes in one posting (about 1.9 million years): keeps sums far from overflow
	MaxPostings = 64
	maxMemo     = 500
	maxRef      = 200
	MaxKey      = 200 // characters in an idempotency key (see KeyReason)
)

// Transaction kinds that callers may post. KindReverse is made only by Reverse.
const (
	TxEarn     = "earn"
	TxRedeem   = "redeem"
	TxTransfer = "transfer"
	TxDonate   = "donate"
	TxExpire   = "expire"
	TxAdjust   = "adjust"
	TxReverse  = "reverse"
)

// PostingRequest moves Amount minutes into Account (negative: out of it).
type PostingRequest struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
}

// TransactionRequest asks to post a transaction. IdempotencyKey and CreatedBy are required; they come
// from the caller's header and identity, not from the request body.
type TransactionRequest struct {
	Kind           string           `json:"kind"`
	Memo           string           `json:"memo"`
	Reference      string           `json:"reference"`
	Postings       []PostingRequest `json:"postings"`
	IdempotencyKey string           `json:"-"`
	CreatedBy      string           `json:"-"`

	fixedHash []byte // set for requests the ledger builds itself (reversals)
}

// Validate checks everything that can be checked without the database: two or more postings on
// distinct known-format accounts, non-zero amounts within MaxAmount, summing to zero.
func (r *TransactionRequest) Validate() error {
	switch r.Kind {
	case TxEarn, TxRedeem, TxTransfer, TxDonate, TxExpire, TxAdjust:
	case "":
		return invalid("kind", "required")
	default:
		return invalid("kind", "unknown")
	}
	if err := checkText("memo", r.Memo, maxMemo); err != nil {
		return err
	}
	if err := checkText("reference", r.Reference, maxRef); err != nil {
		return err
	}
	if err := checkKey(r.IdempotencyKey); err != nil {
		return err
	}
	if r.CreatedBy == "" {
		return invalid("created_by", "required")
	}
	if len(r.Postings) < 2 {
		return invalid("postings", "too_few")
	}
	if len(r.Postings) > MaxPostings {
		return invalid("postings", "too_many")
	}
	var sum int64
	seen := make(map[string]bool, len(r.Postings))
	for i, p := range r.Postings {
		field := fmt.Sprintf("postings[%d]", i)
		if !codePattern.MatchString(p.Account) || len(p.Account) > 100 {
			return invalid(field+".account", "format")
		}
		if seen[p.Account] {
			return invalid(field+".account", "duplicate")
		}
		seen[p.Account] = true
		if p.Amount == 0 {
			return invalid(field+".amount", "zero")
		}
		if p.Amount > MaxAmount || p.Amount < -MaxAmount {
			return invalid(field+".amount", "range")
		}
		sum += p.Amount // cannot overflow: at most 64 × 10^12
	}
	if sum != 0 {
		return invalid("postings", "unbalanced")
	}
	return nil
}

// checkText refuses what PostgreSQL would refuse (invalid UTF-8, NUL) and what is too long.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return invalid(field, "encoding")
	}
	if utf8.RuneCountInString(s) > max {
		return invalid(field, "too_long")
	}
	return nil
}

// internalKeyPrefix starts the idempotency keys the ledger makes itself (reversals, hold commits);
// callers may not use it, so they cannot occupy those keys in advance.
const internalKeyPrefix = "ledger:"

// checkKey refuses a caller's key by KeyReason, and the keys the ledger keeps for itself.
func checkKey(key string) error {
	if key != "" && strings.HasPrefix(key, internalKeyPrefix) {
		return invalid("idempotency_key", "reserved")
	}
	if reason := KeyReason(key, MaxKey); reason != "" {
		return invalid("idempotency_key", reason)
	}
	return nil
}

// KeyReason is the one rule for an idempotency key a caller sends, to the ledger or to an area
// that keeps requests by key before it posts (the store, transfers): 1 to maxLen printable ASCII
// characters, no spaces, so that a key fits a header, a log line and a unique index alike. An area
// passes a smaller maxLen when it builds its ledger keys from the caller's. It returns the key of
// the reason the key is refused ("required", "too_long", "format"), or "" when it is acceptable.
func KeyReason(key string, maxLen int) string {
	switch {
	case key == "":
		return "required"
	case len(key) > maxLen:
		return "too_long"
	}
	for i := range len(key) {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "format"
		}
	}
	return ""
}

// hash identifies the request for idempotency: the same key with the same hash is a replay. The
// postings are sorted, so their order does not matter; the caller is included, so one caller can
// never be handed another's result by guessing a key.
func (r *TransactionRequest) hash() []byte {
	if r.fixedHash != nil {
		return r.fixedHash
	}
	ps := slices.Clone(r.Postings)
	slices.SortFunc(ps, func(a, b PostingRequest) int { return strings.Compare(a.Account, b.Account) })
	h := sha256.New()
	for _, s := range []string{"tx", r.Kind, r.Memo, r.Reference, r.CreatedBy} {
		writeField(h, s)
	}
	for _, p := range ps {
		writeField(h, p.Account)
		_ = binary.Write(h, binary.BigEndian, p.Amount)
	}
	return h.Sum(nil)
}

type byteWriter interface{ Write([]byte) (int, error) }

// writeField writes a length-prefixed string, so that field boundaries cannot be shifted.
func writeField(w byteWriter, s string) {
	_ = binary.Write(w, binary.BigEndian, uint32(len(s)))
	_, _ = w.Write([]byte(s))
}
