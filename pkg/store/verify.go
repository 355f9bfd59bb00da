package store

import "timebank/pkg/invariant"

// The stock's checks run from a checkpoint by the journal's ids: a lot changes only with a movement,
// and an order's every change (reserve, release, hand-out) writes movements that name it.
const (
	movementLast   = `SELECT coalesce(max(id), 0) FROM store_movements WHERE at < now() - make_interval(secs => $1)`
	movementDigest = `SELECT coalesce((SELECT md5(m::text) FROM store_movements m WHERE m.id = $1), '')`

	// inMoved holds for the orders named by the movements $1 < id <= $2.
	inMoved = `o.id IN (SELECT substr(ref, 7)::bigint FROM store_movements WHERE id > $1 AND id <= $2 AND ref LIKE 'order:%')`
)

// lotStock checks the stock of the lots whose condition (on l.id) holds against their journal.
func lotStock(lots string) string {
	return `
SELECT format('lot %s: on hand %s, reserved %s; journal %s, %s', l.id, l.on_hand, l.reserved, coalesce(m.h, 0), coalesce(m.r, 0))
FROM store_lots l LEFT JOIN LATERAL (SELECT sum(on_hand_delta) AS h, sum(reserved_delta) AS r
                                     FROM store_movements WHERE lot_id = l.id) m ON true
WHERE ` + lots + ` AND (l.on_hand <> coalesce(m.h, 0) OR l.reserved <> coalesce(m.r, 0)) LIMIT 20`
}

// allLotStock is lotStock over every lot, by one pass over the journal.
const allLotStock = `
SELECT format('lot %s: on hand %s, reserved %s; journal %s, %s', l.id, l.on_hand, l.reserved, coalesce(m.h, 0), coalesce(m.r, 0))
FROM store_lots l LEFT JOIN (SELECT lot_id, sum(on_hand_delta) AS h, sum(reserved_delta) AS r
                             FROM store_movements GROUP BY lot_id) m ON m.lot_id = l.id
WHERE l.on_hand <> coalesce(m.h, 0) OR l.reserved <> coalesce(m.r, 0) LIMIT 20`

func allocations(orders string) string {
	return `
SELECT format('order %s line %s: %s ordered, %s allocated', l.order_id, l.line, l.qty, coalesce(sum(a.qty), 0))
FROM store_order_lines l JOIN store_orders o ON o.id = l.order_id AND o.channel = 'online'
LEFT JOIN store_allocations a ON a.order_id = l.order_id AND a.line = l.line
WHERE ` + orders + `
GROUP BY l.order_id, l.line, l.qty HAVING coalesce(sum(a.qty), 0) <> l.qty LIMIT 20`
}

func reservations(orders string) string {
	return `
SELECT format('order %s (%s): %s reserved in the journal, %s allocated', o.id, o.status, coalesce(m.r, 0), coalesce(a.q, 0))
FROM store_orders o
LEFT JOIN LATERAL (SELECT sum(reserved_delta) AS r FROM store_movements WHERE ref = 'order:' || o.id) m ON true
LEFT JOIN LATERAL (SELECT sum(qty) AS q FROM store_allocations WHERE order_id = o.id) a ON true
WHERE ` + orders + ` AND o.channel = 'online'
  AND coalesce(m.r, 0) <> CASE WHEN o.status = 'pending' THEN coalesce(a.q, 0) ELSE 0 END
LIMIT 20`
}

func handOuts(orders string) string {
	return `
SELECT format('order %s: lines say %s handed out, the journal %s', o.id, coalesce(l.n, 0), coalesce(-m.h, 0))
FROM store_orders o
LEFT JOIN LATERAL (SELECT sum(handed_out) AS n FROM store_order_lines WHERE order_id = o.id) l ON true
LEFT JOIN LATERAL (SELECT sum(on_hand_delta) AS h FROM store_movements
                   WHERE ref = 'order:' || o.id AND kind = 'handed_out') m ON true
WHERE ` + orders + ` AND coalesce(l.n, 0) <> coalesce(-m.h, 0) LIMIT 20`
}

func orderHold(orders string) string {
	return `
SELECT format('order %s is %s, its hold %s is %s', o.id, o.status, h.id, h.status)
FROM store_orders o JOIN ledger_holds h ON h.id = o.hold_id
WHERE ` + orders + ` AND o.channel = 'online' AND NOT (
      o.status = 'pending' AND h.status IN ('pending', 'expired')
   OR o.status = 'fulfilled' AND h.status = 'committed'
   OR o.status IN ('cancelled', 'expired') AND h.status IN ('voided', 'expired')) LIMIT 20`
}

func ackSeries(series string) string {
	return `
SELECT format('store %s, %s: %s acknowledgements numbered up to %s, counter at %s', c.store_id, c.year,
              count(d.id), coalesce(max(d.seq), 0), c.last)
FROM store_ack_counters c LEFT JOIN store_donations d ON d.store_id = c.store_id AND d.year = c.year
WHERE ` + series + `
GROUP BY c.store_id, c.year, c.last
HAVING count(d.id) <> c.last OR coalesce(max(d.seq), 0) <> c.last LIMIT 20`
}

func householdSeries(stores string) string {
	return `
SELECT format('store %s: %s households numbered up to %s, counter at %s', c.store_id, count(h.id),
              coalesce(max(h.number), 0), c.last)
FROM store_household_counters c LEFT JOIN store_households h ON h.store_id = c.store_id
WHERE ` + stores + `
GROUP BY c.store_id, c.last HAVING count(h.id) <> c.last OR coalesce(max(h.number), 0) <> c.last LIMIT 20`
}

// movedCheck is a check of orders that runs from the journal's checkpoint named since.
func movedCheck(name, since string, q func(orders string) string) invariant.Check {
	return invariant.Check{Name: name, Query: q("true"), After: q(inMoved),
		Since: since, Last: movementLast, Digest: movementDigest}
}

// withFull is c checking everything by the query full (one pass over the journal, not a look-up an order).
func withFull(c invariant.Check, full string) invariant.Check {
	c.Query = full
	return c
}

const allReservations = `
SELECT format('order %s (%s): %s reserved in the journal, %s allocated', o.id, o.status, coalesce(m.r, 0), coalesce(a.q, 0))
FROM store_orders o
LEFT JOIN (SELECT ref, sum(reserved_delta) AS r FROM store_movements WHERE ref LIKE 'order:%' GROUP BY ref) m
       ON m.ref = 'order:' || o.id
LEFT JOIN (SELECT order_id, sum(qty) AS q FROM store_allocations GROUP BY order_id) a ON a.order_id = o.id
WHERE o.channel = 'online' AND coalesce(m.r, 0) <> CASE WHEN o.status = 'pending' THEN coalesce(a.q, 0) ELSE 0 END
LIMIT 20`

const allHandOuts = `
SELECT format('order %s: lines say %s handed out, the journal %s', o.id, coalesce(l.n, 0), coalesce(-m.h, 0))
FROM store_orders o
LEFT JOIN (SELECT order_id, sum(handed_out) AS n FROM store_order_lines GROUP BY order_id) l ON l.order_id = o.id
LEFT JOIN (SELECT ref, sum(on_hand_delta) AS h FROM store_movements WHERE kind = 'handed_out' GROUP BY ref) m
       ON m.ref = 'order:' || o.id
WHERE coalesce(l.n, 0) <> coalesce(-m.h, 0) LIMIT 20`

// Checks are the store's invariants beyond its constraints: the stock equals its journal, every
// order's reservations and hand-outs are what its lines and status say, its hold went the way the
// order did, and the numbers given to donors and households have no gaps. From their checkpoints,
// the lots and orders the journal moved since, and the series numbered since, are checked;
// `--full` checks all.
var Checks = []invariant.Check{
	{Name: "every lot's stock equals the sums of its journal", Query: allLotStock,
		After: lotStock(`l.id IN (SELECT lot_id FROM store_movements WHERE id > $1 AND id <= $2)`),
		Since: "store: lots", Last: movementLast, Digest: movementDigest},
	movedCheck("every online order's allocations take its lines", "store: allocations", allocations),
	withFull(movedCheck("a pending order holds its reservations and a resolved one none", "store: reservations",
		reservations), allReservations),
	withFull(movedCheck("every order handed out what its lines say", "store: hand-outs", handOuts), allHandOuts),
	movedCheck("an online order's hold went the way the order did", "store: holds", orderHold),
	{Name: "acknowledgement numbers run without gaps", Query: ackSeries("true"),
		After: ackSeries(`(c.store_id, c.year) IN (SELECT store_id, year FROM store_donations WHERE id > $1 AND id <= $2)`),
		Since: "store: acknowledgements",
		Last:  `SELECT coalesce(max(id), 0) FROM store_donations WHERE received_at < now() - make_interval(secs => $1)`,
		Digest: `SELECT coalesce((SELECT concat_ws(':', id, store_id, year, seq, number) FROM store_donations
                          WHERE id = $1), '')`},
	{Name: "household numbers run without gaps", Query: householdSeries("true"),
		After:  householdSeries(`c.store_id IN (SELECT store_id FROM store_households WHERE id > $1 AND id <= $2)`),
		Since:  "store: households",
		Last:   `SELECT coalesce(max(id), 0) FROM store_households WHERE created_at < now() - make_interval(secs => $1)`,
		Digest: `SELECT coalesce((SELECT concat_ws(':', id, store_id, number) FROM store_households WHERE id = $1), '')`},
}
