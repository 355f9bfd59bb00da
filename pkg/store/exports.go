package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"timebank/pkg/export"
	"timebank/pkg/replica"
)

// The Chinese words of the exports for a movement's kind, an order's channel and status, and a
// donor's kind.
var (
	moveWords    = map[string]string{MoveReceived: "入库", MoveReserved: "预留", MoveReleased: "释放预留", MoveHandedOut: "出库", MoveWrittenOff: "报损", MoveCounted: "盘点", MoveAllocated: "救助发放"}
	channelWords = map[string]string{"online": "线上订单", "counter": "现场兑换"}
	orderWords   = map[string]string{"pending": "待取货", "fulfilled": "已完成", "cancelled": "已取消", "expired": "已过期"}
	donorWords   = map[string]string{"resident": "居民", "merchant": "商户", "organization": "单位", "anonymous": "匿名"}
)

// actorName is the SQL that names who made a row, from its actor label ("user:12"): the person's
// name, or "" for a device or the operator.
const actorName = `coalesce((SELECT name FROM users WHERE id = CASE WHEN %s ~ '^user:[0-9]{1,18}$' THEN substr(%s, 6)::bigint END), '')`

// start opens the export file and runs the query: what every store export does first.
func (s *Service) start(ctx context.Context, f export.Format, w io.Writer, sheet string, cols []export.Column,
	q string, args ...any) (export.Writer, *sql.Rows, error) {
	export.Estimate(ctx, s.db, q, args...)
	rows, err := s.exports.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	xw, err := export.New(ctx, f, w, sheet, cols)
	if err != nil {
		rows.Close()
		return nil, nil, err
	}
	return xw, rows, nil
}

// ExportJournal writes the store's stock journal of the period, oldest first, row by row as it is
// read; it returns how many movements it wrote.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportJournal(ctx context.Context, storeID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	cols := []export.Column{{Header: "时间"}, {Header: "物品", Width: 20}, {Header: "批次", Width: 8}, {Header: "类别", Width: 10},
		{Header: "在库变动"}, {Header: "预留变动"}, {Header: "变动后在库"}, {Header: "变动后预留"}, {Header: "原因", Width: 24},
		{Header: "来源", Width: 14}, {Header: "经手人", Width: 12}}
	xw, rows, err := s.start(ctx, f, w, "库存流水", cols, `
SELECT m.at, i.name, m.lot_id, m.kind, m.on_hand_delta, m.reserved_delta, m.on_hand_after, m.reserved_after,
       coalesce(m.reason, ''), m.ref, `+fmt.Sprintf(actorName, "m.actor", "m.actor")+`
FROM store_movements m JOIN store_items i ON i.id = m.item_id
WHERE m.store_id = $1 AND m.at >= $2 AND m.at < $3
ORDER BY m.id`, storeID, p.Start(), p.End())
	if err != nil {
		return 0, err
	}
	return export.FromRows(xw, rows, func(r export.Scanner) ([]any, error) {
		var (
			at                            time.Time
			item, kind, reason, ref, name string
			lot                           int64
			dOn, dRes, on, res            int64
		)
		err := r.Scan(&at, &item, &lot, &kind, &dOn, &dRes, &on, &res, &reason, &ref, &name)
		return []any{export.Time(at), item, lot, moveWords[kind], dOn, dRes, on, res, reason, ref, name}, err
	})
}

// ExportOrders writes the store's orders and walk-in sales placed in the period, oldest first,
// each with its lines as one text ("大米 ×2；食用油 ×1"); it returns how many orders it wrote.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportOrders(ctx context.Context, storeID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	cols := []export.Column{{Header: "订单号", Width: 10}, {Header: "下单时间"}, {Header: "渠道", Width: 10}, {Header: "状态", Width: 10},
		{Header: "志愿者编号"}, {Header: "姓名", Width: 10}, {Header: "物品", Width: 36}, {Header: "应付（分钟）"},
		{Header: "应付（小时）"}, {Header: "实付（分钟）"}, {Header: "完成时间"}}
	xw, rows, err := s.start(ctx, f, w, "订单", cols, `
SELECT o.id, o.created_at, o.channel, o.status, u.volunteer_no, u.name,
       (SELECT string_agg(i.name || ' ×' || l.qty, '；' ORDER BY l.line) FROM store_order_lines l
          JOIN store_items i ON i.id = l.item_id WHERE l.order_id = o.id),
       o.total, o.charged, o.resolved_at
FROM store_orders o JOIN users u ON u.id = o.user_id
WHERE o.store_id = $1 AND o.created_at >= $2 AND o.created_at < $3
ORDER BY o.created_at, o.id`, storeID, p.Start(), p.End())
	if err != nil {
		return 0, err
	}
	return export.FromRows(xw, rows, func(r export.Scanner) ([]any, error) {
		var (
			id, total                 int64
			at                        time.Time
			channel, status, no, name string
			lines                     sql.NullString
			charged                   sql.NullInt64
			resolved                  sql.NullTime
		)
		err := r.Scan(&id, &at, &channel, &status, &no, &name, &lines, &total, &charged, &resolved)
		var paid any
		if charged.Valid {
			paid = charged.Int64
		}
		return []any{id, export.Time(at), channelWords[channel], orderWords[status], no, name, lines.String, total,
			export.Hours(total), paid, export.Time(resolved.Time)}, err
	})
}

// ExportDonations writes the donations the store received in the period, oldest first, each with
// its goods as one text; the donor's phone number only masked. It returns how many it wrote.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportDonations(ctx context.Context, storeID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	cols := []export.Column{{Header: "回执编号"}, {Header: "接收时间"}, {Header: "捐赠方类型", Width: 10}, {Header: "捐赠方", Width: 16},
		{Header: "联系电话（脱敏）"}, {Header: "物品", Width: 36}, {Header: "件数"}, {Header: "估值（元）"},
		{Header: "经手人", Width: 12}, {Header: "备注", Width: 24}}
	xw, rows, err := s.start(ctx, f, w, "捐赠登记", cols, `
SELECT d.number, d.received_at, d.donor_kind, coalesce(d.donor_name, ''), coalesce(d.donor_phone_masked, ''),
       (SELECT string_agg(i.name || ' ×' || l.qty, '；' ORDER BY l.line) FROM store_donation_lines l
          JOIN store_items i ON i.id = l.item_id WHERE l.donation_id = d.id),
       (SELECT coalesce(sum(qty), 0) FROM store_donation_lines WHERE donation_id = d.id),
       d.total_value_fen, d.handler_name, d.note
FROM store_donations d
WHERE d.store_id = $1 AND d.received_at >= $2 AND d.received_at < $3
ORDER BY d.received_at, d.id`, storeID, p.Start(), p.End())
	if err != nil {
		return 0, err
	}
	return export.FromRows(xw, rows, func(r export.Scanner) ([]any, error) {
		var (
			number, kind, donor, phone, handler, note string
			at                                        time.Time
			goods                                     sql.NullString
			units, fen                                int64
		)
		err := r.Scan(&number, &at, &kind, &donor, &phone, &goods, &units, &fen, &handler, &note)
		return []any{number, export.Time(at), donorWords[kind], donor, phone, goods.String, units, float64(fen) / 100, handler, note}, err
	})
}

// ReadExportsFrom sends the reads of the store's exports of a period (journal, orders, donations,
// day reports) to r, a replica.Pool. The day's report on its page stays on the primary: the clerk
// reads it right after a hand-out.
func (s *Service) ReadExportsFrom(r replica.Reader) { s.exports = r }
