package activity

import (
	"context"
	"io"

	"timebank/ledger"
	"timebank/pkg/export"
)

// statementColumns are the columns of a volunteer's credit statement.
var statementColumns = []export.Column{{Header: "时间"}, {Header: "类别", Width: 12}, {Header: "摘要", Width: 30},
	{Header: "金额（分钟）"}, {Header: "金额（小时）"}, {Header: "余额（分钟）"}, {Header: "余额（小时）"}}

// ExportStatement writes the credit statement of the account (a volunteer's) for the period, oldest
// first: each entry's time, its kind and memo as words gives them (in the reader's language), the
// amount (negative when credits went out) and the posted balance after it. It returns how many
// entries it wrote.
// Errors: ledger.ErrAccountNotFound, export.ErrFormat, the database's and the writer's.
func (s *Service) ExportStatement(ctx context.Context, account string, p export.Period, f export.Format, w io.Writer,
	words func(*ledger.Entry) (kind, memo string)) (int, error) {
	xw, err := export.New(ctx, f, w, "时间币明细", statementColumns)
	if err != nil {
		return 0, err
	}
	defer xw.Discard()
	err = s.ledger.EachEntry(ctx, account, p.Start(), p.End(), func(e *ledger.Entry) error {
		kind, memo := words(e)
		return xw.Row(export.Time(e.CreatedAt), kind, memo, e.Amount, export.Hours(e.Amount), e.BalanceAfter, export.Hours(e.BalanceAfter))
	})
	if err != nil {
		return xw.Rows(), err
	}
	return xw.Rows(), xw.Close()
}
