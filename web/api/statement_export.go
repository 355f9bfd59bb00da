package api

import (
	"context"
	"io"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/export"
	"timebank/web/guard"
)

// statementRefs word the references of the caller's own transactions: what caused them, with the
// number a person can find again (a record, an order, the transaction a reversal undid).
var statementRefs = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^activity:record:([0-9]+)$`), "detail.statement.record"},
	{regexp.MustCompile(`^order:([0-9]+)$`), "detail.statement.order"},
	{regexp.MustCompile(`^tx:([0-9]+)$`), "detail.statement.reversal"},
}

// exportStatement downloads the caller's own credit statement of a period (?from=&to=): every
// entry's time, kind, memo in the caller's language, amount and balance after.
func (s *server) exportStatement(c *fiber.Ctx) error {
	p, err := exportPeriod(c)
	if err != nil {
		return err
	}
	u, err := s.Users.ByID(c.UserContext(), guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	lang := u.Lang // the statement is the person's: in the language they chose
	if lang == "" {
		lang = s.msgs.Lang(c)
	}
	words := func(e *ledger.Entry) (string, string) {
		kind := s.msgs.Get(lang, "page.kind."+e.Kind)
		for _, r := range statementRefs {
			if m := r.re.FindStringSubmatch(e.Reference); m != nil {
				return kind, strings.ReplaceAll(s.msgs.Get(lang, r.key), "{n}", m[1])
			}
		}
		if e.Kind == ledger.TxAdjust {
			return kind, e.Memo // an adjustment's memo is written by the person who made it
		}
		return kind, "" // the other memos are the service's own notes, not in the reader's language
	}
	return s.streamExport(c, "statement-"+u.VolunteerNo+"-"+p.Name(),
		func(ctx context.Context, f export.Format, w io.Writer) (int, error) {
			return s.Activities.ExportStatement(ctx, u.AccountCode, p, f, w, words)
		})
}
