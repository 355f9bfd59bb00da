package pages

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
)

// transferView is the form that gives credits to a family member or donates them to the pool.
type transferView struct {
	Available     int64 // minutes the volunteer can give now
	Limits        activity.CreditLimits
	Family        []relativeLine // relatives given credits before
	Relationships []actOption
	Key           string // the form's idempotency key: posting it twice transfers once
}

// relativeLine is a relative with the relationship in the reader's language.
type relativeLine struct {
	activity.Relative
	Label string
}

// actOption is one choice of a select.
type actOption struct {
	Value, Label string
}

// relationshipKeys name the relationships credits may be given across (activity.Relationships).
var relationshipKeys = map[string]string{
	"spouse":      "page.act.rel.spouse",
	"parent":      "page.act.rel.parent",
	"child":       "page.act.rel.child",
	"grandparent": "page.act.rel.grandparent",
	"grandchild":  "page.act.rel.grandchild",
	"sibling":     "page.act.rel.sibling",
}

// transferFields are the transfer form's fields, top to bottom.
var transferFields = []string{"to", "volunteer_no", "name", "relationship", "amount", "amount_minutes"}

// transferPage shows the transfer form with the volunteer's available credits and the limits.
func (s *server) transferPage(c *fiber.Ctx) error {
	v := s.actView(c, "page.act.transfer.title")
	v.Form.Values["to"] = activity.ToFamily
	return s.transferForm(c, fiber.StatusOK, v)
}

// transferForm renders the form in v with a fresh idempotency key.
func (s *server) transferForm(c *fiber.Ctx, status int, v view) error {
	ctx := c.UserContext()
	userID := guard.Principal(c).UserID
	u, err := s.Users.ByID(ctx, userID)
	if err != nil {
		return err
	}
	b, err := s.Ledger.Balance(ctx, u.AccountCode)
	if err != nil {
		return err
	}
	family, err := s.Activities.Family(ctx, userID)
	if err != nil {
		return err
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (it panics instead)
	limits, err := s.Activities.VolunteerLimits(ctx, userID)
	if err != nil {
		return err
	}
	data := transferView{Available: b.Available, Limits: limits, Key: "page-" + hex.EncodeToString(key)}
	for _, r := range family {
		data.Family = append(data.Family, relativeLine{Relative: r, Label: s.msgs.Get(v.Lang, relationshipKeys[r.Relationship])})
	}
	for _, r := range activity.Relationships {
		data.Relationships = append(data.Relationships, actOption{Value: r, Label: s.msgs.Get(v.Lang, relationshipKeys[r])})
	}
	v.Data = data
	return s.render(c, status, "activity_transfer", v)
}

// transferSubmit makes the transfer. The amount is entered as hours and minutes, both whole numbers,
// so nothing is rounded.
func (s *server) transferSubmit(c *fiber.Ctx) error {
	f := readForm(c, transferFields...)
	req := activity.TransferRequest{To: f.Values["to"]}
	if req.To == activity.ToFamily {
		req.VolunteerNo, req.Name, req.Relationship = f.Values["volunteer_no"], f.Values["name"], f.Values["relationship"]
	}
	amount, ok := hoursAndMinutes(f.Values["amount"], f.Values["amount_minutes"])
	if !ok {
		return s.transferFailed(c, f, problem.BadRequest("amount", "not_a_number"))
	}
	req.Amount = amount
	me := guard.Principal(c).UserID
	err := s.guard.Transfer(c, me, func(ctx context.Context) error {
		_, _, err := s.Activities.Transfer(ctx, me, c.FormValue("key"), req)
		return err
	})
	if err != nil {
		return s.transferFailed(c, f, err)
	}
	done := "transferred"
	if req.To == activity.ToPool {
		done = "donated"
	}
	return redirect(c, "/me/transfer?done="+done)
}

// transferFailed shows the form again with what is wrong next to its field.
func (s *server) transferFailed(c *fiber.Ctx, f form, err error) error {
	status, err := s.failForm(c, &f, err, map[string]string{
		"recipient-not-found": "volunteer_no", "relationship-mismatch": "relationship",
		"transfer-limit-reached": "amount", "insufficient-funds": "amount",
	})
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.transfer.title")
	v.Form = f
	return s.transferForm(c, status, v)
}

// hoursAndMinutes adds whole hours and whole minutes, either of which may be empty.
func hoursAndMinutes(h, m string) (int64, bool) {
	var total int64
	for _, part := range []struct {
		v    string
		unit int64
	}{{h, 60}, {m, 1}} {
		v := strings.TrimSpace(part.v)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1_000_000 {
			return 0, false
		}
		total += n * part.unit
	}
	return total, true
}
