package qr

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	// ErrSpent means a single-use token has already been used: a screenshot of a member code, or a
	// pickup code shown a second time.
	ErrSpent = errors.New("qr: token already used")
	// ErrNotSingleUse means Spend was asked to spend a token that has no nonce to mark.
	ErrNotSingleUse = errors.New("qr: token is not single use")
)

// SpendMargin is how long a spent mark outlives its token's expiry. Servers' clocks differ a little;
// the mark must still be there when the slowest clock still accepts the token.
const SpendMargin = 10 * time.Minute

// Spend marks a verified single-use token as used, in Redis under prefix, and returns ErrSpent if it
// was already marked. Marking is one SET NX, so of any number of concurrent scans of the same code,
// on any number of servers, exactly one wins. The mark lives until the token's expiry plus
// SpendMargin, after which Verify refuses the token anyway.
//
// Call it after Verify and before acting. When Redis cannot be reached it returns that error and the
// caller must refuse the scan: a replay guard that fails open guards nothing. The mark only guards the
// token; the order's own state in PostgreSQL is what finally stops a second pickup, and a token burnt
// by a hand-out that then failed is replaced by issuing a new one.
// Errors: ErrNotSingleUse, ErrSpent, or Redis's error.
func Spend(ctx context.Context, rdb redis.UniversalClient, prefix string, c Claims) error {
	if !c.Type.SingleUse() || c.Nonce == 0 {
		return ErrNotSingleUse
	}
	key := prefix + "qr:spent:" + string(c.Type) + ":" + strconv.FormatUint(c.Nonce, 16)
	var ttl time.Duration // no expiry: a single-use token that never expires stays spent
	if c.Expires != 0 {
		ttl = max(time.Until(c.ExpiresAt())+SpendMargin, SpendMargin)
	}
	ok, err := rdb.SetNX(ctx, key, c.Subject, ttl).Result()
	if err != nil {
		return fmt.Errorf("qr: spend: %w", err)
	}
	if !ok {
		return ErrSpent
	}
	return nil
}
