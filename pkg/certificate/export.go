package certificate

import (
	"context"
	"io"
	"time"

	"timebank/pkg/export"
)

// registerColumns are the columns of the register's exports, in order: the one place to adjust
// when an upper platform asks for another layout (registerCells fills them).
var registerColumns = []export.Column{{Header: "证明编号"}, {Header: "出具日期"}, {Header: "姓名"},
	{Header: "志愿者编号"}, {Header: "证件号码（隐去部分）"}, {Header: "起始日期"}, {Header: "截止日期"}, {Header: "用途"},
	{Header: "服务时长（分钟）"}, {Header: "服务时长（小时）"}, {Header: "扫码记录（分钟）"}, {Header: "补录（分钟）"},
	{Header: "负责人"}, {Header: "经办人"}, {Header: "状态"}, {Header: "备注", Width: 40}}

// registerCells are a certificate's cells in the order of registerColumns, typed (dates as dates,
// minutes and hours as numbers).
func registerCells(c *Certificate) []any {
	return []any{c.Number, day(c.IssueDate), c.PersonName, c.VolunteerNo, c.IDMasked, day(c.From), day(c.To),
		PurposeName(c.Purpose), c.TotalMinutes, export.Hours(c.TotalMinutes), c.ScanMinutes, c.ManualMinutes,
		c.ResponsibleName, c.HandlerName, statusName(c.Status), c.Notes}
}

// ExportRegister writes the organization's register (登记) of the certificates issued in the
// period, in the order they were issued, through the one export writer: CSV in UTF-8 with a byte
// order mark, or a workbook with one sheet 证明登记 and a frozen header row of Chinese column
// names. The rows are read by one cursor and written as they come. It returns how many it wrote.
// Errors: export.ErrFormat, the writer's and the database's.
func (s *Service) ExportRegister(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	xw, err := export.New(ctx, f, w, "证明登记", registerColumns)
	if err != nil {
		return 0, err
	}
	const q = `SELECT ` + columns + ` FROM certificates c
WHERE c.org_id = $1 AND c.issue_date BETWEEN $2 AND $3 ORDER BY c.id`
	export.Estimate(ctx, s.db, q, orgID, p.FirstDay(), p.LastDay())
	rows, err := s.db.QueryxContext(ctx, q, orgID, p.FirstDay(), p.LastDay())
	if err != nil {
		xw.Discard()
		return 0, err
	}
	var c Certificate
	return export.FromRows(xw, rows, func(export.Scanner) ([]any, error) {
		c = Certificate{}
		if err := rows.StructScan(&c); err != nil {
			return nil, err
		}
		return registerCells(&c), nil
	})
}

// day is a YYYY-MM-DD day as a date cell, or nothing for none.
func day(s string) any {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil
	}
	return export.Date(t)
}
