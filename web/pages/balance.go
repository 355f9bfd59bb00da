package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/web/guard"
)

// statementSize is how many recent entries the balance page lists.
const statementSize = 20

// balanceView is what the balance page shows: the balance and the latest entries of the statement.
type balanceView struct {
	Account string
	Balance ledger.Balance
	Entries []statementLine
	Exports exportBox // the whole statement as a file (exports.go)
}

// balancePage shows the person's time credits and recent statement. Its script keeps the balance
// live with the event stream of /api/v1/me/balance/events (api/balance.go).
func (s *server) balancePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := s.Users.ByID(ctx, guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	b, err := s.Ledger.Balance(ctx, u.AccountCode)
	if err != nil {
		return err
	}
	entries, _, err := s.Ledger.Entries(ctx, u.AccountCode, 0, statementSize)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.balance.title")
	lines, err := s.statementLines(ctx, v.Lang, entries)
	if err != nil {
		return err
	}
	v.Data = balanceView{Account: u.AccountCode, Balance: b, Entries: lines, Exports: s.statementExports(v.Lang)}
	return s.render(c, fiber.StatusOK, "balance", v)
}
