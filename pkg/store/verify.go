package store

import "timebank/pkg/invariant"

// Checks are the store's invariants beyond its constraints: the stock equals its journal, every
// order's reservations and hand-outs are what its lines and status say, its hold went the way the
// order did, and the numbers given to donors and households have no gaps.
var Checks = []invariant.Check{
	{Name: "every lot's stock equals the sums of its journal", Query: `
SELECT format('lot %s: on hand %s, reserved %s; journal %s, %s', l.id, l.on_hand, l.reserved, coalesce(m.h, 0), coalesce(m.r, 0))
FROM store_lots l LEFT JOIN (SELECT lot_id, sum(on_hand_delta) AS h, sum(reserved_delta) AS r
                             FROM store_movements GROUP BY lot_id) m ON m.lot_id = l.id
WHERE l.on_hand <> coalesce(m.h, 0) OR l.reserved <> coalesce(m.r, 0) LIMIT 20`},
	{Name: "every online order's allocations take its lines", Query: `
SELECT format('order %s line %s: %s ordered, %s allocated', l.order_id, l.line, l.qty, coalesce(sum(a.qty), 0))
FROM store_order_lines l JOIN store_orders o ON o.id = l.order_id AND o.channel = 'online'
LEFT JOIN store_allocations a ON a.order_id = l.order_id AND a.line = l.line
GROUP BY l.order_id, l.line, l.qty HAVING coalesce(sum(a.qty), 0) <> l.qty LIMIT 20`},
	{Name: "a pending order holds its reservations and a resolved one none", Query: `
SELECT format('order %s (%s): %s reserved in the journal, %s allocated', o.id, o.status, coalesce(m.r, 0), coalesce(a.q, 0))
FROM store_orders o
LEFT JOIN (SELECT ref, sum(reserved_delta) AS r FROM store_movements WHERE ref LIKE 'order:%' GROUP BY ref) m
       ON m.ref = 'order:' || o.id
LEFT JOIN (SELECT order_id, sum(qty) AS q FROM store_allocations GROUP BY order_id) a ON a.order_id = o.id
WHERE o.channel = 'online' AND coalesce(m.r, 0) <> CASE WHEN o.status = 'pending' THEN coalesce(a.q, 0) ELSE 0 END
LIMIT 20`},
	{Name: "every order handed out what its lines say", Query: `
SELECT format('order %s: lines say %s handed out, the journal %s', o.id, coalesce(l.n, 0), coalesce(-m.h, 0))
FROM store_orders o
LEFT JOIN (SELECT order_id, sum(handed_out) AS n FROM store_order_lines GROUP BY order_id) l ON l.order_id = o.id
LEFT JOIN (SELECT ref, sum(on_hand_delta) AS h FROM store_movements WHERE kind = 'handed_out' GROUP BY ref) m
       ON m.ref = 'order:' || o.id
WHERE coalesce(l.n, 0) <> coalesce(-m.h, 0) LIMIT 20`},
	{Name: "an online order's hold went the way the order did", Query: `
SELECT format('order %s is %s, its hold %s is %s', o.id, o.status, h.id, h.status)
FROM store_orders o JOIN ledger_holds h ON h.id = o.hold_id
WHERE o.channel = 'online' AND NOT (
      o.status = 'pending' AND h.status IN ('pending', 'expired')
   OR o.status = 'fulfilled' AND h.status = 'committed'
   OR o.status IN ('cancelled', 'expired') AND h.status IN ('voided', 'expired')) LIMIT 20`},
	{Name: "acknowledgement numbers run without gaps", Query: `
SELECT format('store %s, %s: %s acknowledgements numbered up to %s, counter at %s', c.store_id, c.year,
              count(d.id), coalesce(max(d.seq), 0), c.last)
FROM store_ack_counters c LEFT JOIN store_donations d ON d.store_id = c.store_id AND d.year = c.year
GROUP BY c.store_id, c.year, c.last
HAVING count(d.id) <> c.last OR coalesce(max(d.seq), 0) <> c.last LIMIT 20`},
	{Name: "household numbers run without gaps", Query: `
SELECT format('store %s: %s households numbered up to %s, counter at %s', c.store_id, count(h.id),
              coalesce(max(h.number), 0), c.last)
FROM store_household_counters c LEFT JOIN store_households h ON h.store_id = c.store_id
GROUP BY c.store_id, c.last HAVING count(h.id) <> c.last OR coalesce(max(h.number), 0) <> c.last LIMIT 20`},
}
