package pages

import (
	"time"

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

// statementLine is one entry of the statement as a person reads it.
type statementLine struct {
	At     time.Time
	Kind   string // translated
	Memo   string
	Amount int64 // minutes; negative when hours went out
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
	data := balanceView{Account: u.AccountCode, Balance: b, Exports: s.statementExports(v.Lang)}
	for _, e := range entries {
		data.Entries = append(data.Entries, statementLine{At: e.CreatedAt, Kind: s.msgs.Get(v.Lang, "page.kind."+e.Kind),
			Memo: e.Memo, Amount: e.Amount})
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "balance", v)
}
