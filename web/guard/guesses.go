package guard

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/observe"
)

// A family transfer names its recipient by volunteer number and name together, and says when the
// pair does not match (or matches someone recorded with another relationship): that answer can be
// used to test guesses at who is registered. So misses are counted, per person and per client
// address, and past the limit the transfer is refused before the lookup (429) until the window
// ends. A transfer that finds its recipient counts nothing.
const (
	TransferMissesPerPerson = 5
	TransferMissesPerAddr   = 20
	TransferMissWindow      = 24 * time.Hour
)

func (g *Guard) transferMissKeys(c *fiber.Ctx, userID int64) [2]string {
	return [2]string{"transfer-miss:user:" + strconv.FormatInt(userID, 10), "transfer-miss:addr:" + g.ClientIP(c)}
}

// Transfer makes the signed-in person's transfer through do within the limits on misses: it is
// refused with ErrRateLimited when either count is used up, and a miss (recipient not found, or a
// relationship that does not match the recorded one) is counted.
func (g *Guard) Transfer(c *fiber.Ctx, userID int64, do func(ctx context.Context) error) error {
	ctx := c.UserContext()
	keys := g.transferMissKeys(c, userID)
	limits := [2]int64{TransferMissesPerPerson, TransferMissesPerAddr}
	for i, k := range keys {
		n, err := g.limiter.Count(ctx, k)
		if err != nil {
			g.log.Warn("rate limiter unavailable", "err", err, "request_id", observe.RequestID(c))
		}
		if n >= limits[i] {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(TransferMissWindow.Seconds())))
			return ErrRateLimited
		}
	}
	err := do(ctx)
	if errors.Is(err, activity.ErrRecipientNotFound) || errors.Is(err, activity.ErrRelationshipMismatch) {
		for i, k := range keys {
			if _, lerr := g.limiter.Allow(ctx, k, limits[i], TransferMissWindow); lerr != nil {
				g.log.Warn("rate limiter unavailable", "err", lerr, "request_id", observe.RequestID(c))
			}
		}
	}
	return err
}
