-- The figures of every organization and store for the days $1 to $2 (dates in China), counted from
-- the rows themselves. The ledger's transactions are read between ids $3 and $4, which the caller
-- finds so that the range holds every transaction of those days (see txRange); the created_at test
-- keeps only theirs.
WITH bounds AS (
    SELECT ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai') AS t0,
           (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS t1
), records AS (
    SELECT r.service_date AS day, r.org_id, r.user_id, r.kind, r.minutes,
           NOT EXISTS (SELECT 1 FROM service_records e
                        WHERE e.user_id = r.user_id AND e.org_id = r.org_id
                          AND e.service_date < r.service_date) AS first_here
      FROM service_records r
     WHERE r.service_date BETWEEN $1::date AND $2::date
), parts AS (
    SELECT day, org_id, 0::bigint AS store_id,
           count(DISTINCT user_id) AS volunteers_active,
           count(DISTINCT user_id) FILTER (WHERE first_here) AS volunteers_new,
           coalesce(sum(minutes) FILTER (WHERE kind = 'scan'), 0) AS scan_minutes,
           coalesce(sum(minutes) FILTER (WHERE kind = 'manual'), 0) AS manual_minutes,
           0 AS activities, 0 AS credits_issued, 0 AS credits_redeemed, 0 AS orders, 0 AS sales,
           0 AS goods_in, 0 AS goods_out, 0 AS households, 0 AS certificates
      FROM records GROUP BY day, org_id
    UNION ALL
    SELECT (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date, a.org_id, 0,
           0, 0, 0, 0, count(*), 0, 0, 0, 0, 0, 0, 0, 0
      FROM activities a, bounds b
     WHERE a.starts_at >= b.t0 AND a.starts_at < b.t1 AND a.status = 'open' AND a.is_service AND a.kind = 'activity'
     GROUP BY 1, 2
    UNION ALL
    SELECT (t.created_at AT TIME ZONE 'Asia/Shanghai')::date, o.id, 0,
           0, 0, 0, 0, 0, -sum(p.amount), 0, 0, 0, 0, 0, 0, 0
      FROM ledger_transactions t
      JOIN bounds b ON t.created_at >= b.t0 AND t.created_at < b.t1
      JOIN ledger_postings p ON p.tx_id = t.id
      JOIN ledger_accounts la ON la.id = p.account_id
      JOIN organizations o ON o.account_code = la.code
     WHERE t.id BETWEEN $3 AND $4
     GROUP BY 1, 2
    UNION ALL
    SELECT (t.created_at AT TIME ZONE 'Asia/Shanghai')::date, s.org_id, s.id,
           0, 0, 0, 0, 0, 0, sum(p.amount), 0, 0, 0, 0, 0, 0
      FROM ledger_transactions t
      JOIN bounds b ON t.created_at >= b.t0 AND t.created_at < b.t1
      JOIN ledger_postings p ON p.tx_id = t.id
      JOIN ledger_accounts la ON la.id = p.account_id
      JOIN stores s ON s.account_code = la.code
     WHERE t.id BETWEEN $3 AND $4
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT (so.resolved_at AT TIME ZONE 'Asia/Shanghai')::date, s.org_id, s.id,
           0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE so.channel = 'online'), count(*) FILTER (WHERE so.channel = 'counter'),
           0, 0, 0, 0
      FROM store_orders so JOIN stores s ON s.id = so.store_id, bounds b
     WHERE so.status = 'fulfilled' AND so.resolved_at >= b.t0 AND so.resolved_at < b.t1
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT (d.received_at AT TIME ZONE 'Asia/Shanghai')::date, s.org_id, s.id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, sum(l.qty), 0, 0, 0
      FROM store_donations d JOIN store_donation_lines l ON l.donation_id = d.id
      JOIN stores s ON s.id = d.store_id, bounds b
     WHERE d.received_at >= b.t0 AND d.received_at < b.t1
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT (m.at AT TIME ZONE 'Asia/Shanghai')::date, s.org_id, s.id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -sum(m.on_hand_delta), 0, 0
      FROM store_movements m JOIN stores s ON s.id = m.store_id, bounds b
     WHERE m.kind IN ('handed_out', 'allocated') AND m.at >= b.t0 AND m.at < b.t1
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT (x.created_at AT TIME ZONE 'Asia/Shanghai')::date, s.org_id, s.id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(DISTINCT x.household_id), 0
      FROM store_aid x JOIN stores s ON s.id = x.store_id, bounds b
     WHERE x.created_at >= b.t0 AND x.created_at < b.t1
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT c.issue_date, c.org_id, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*)
      FROM certificates c
     WHERE c.issue_date BETWEEN $1::date AND $2::date
     GROUP BY 1, 2
)
SELECT p.day, p.org_id, p.store_id, o.region_code,
       sum(p.volunteers_active)::integer AS volunteers_active, sum(p.volunteers_new)::integer AS volunteers_new,
       sum(p.scan_minutes)::bigint AS scan_minutes, sum(p.manual_minutes)::bigint AS manual_minutes,
       sum(p.activities)::integer AS activities, sum(p.credits_issued)::bigint AS credits_issued,
       sum(p.credits_redeemed)::bigint AS credits_redeemed, sum(p.orders)::integer AS orders,
       sum(p.sales)::integer AS sales, sum(p.goods_in)::bigint AS goods_in, sum(p.goods_out)::bigint AS goods_out,
       sum(p.households)::integer AS households, sum(p.certificates)::integer AS certificates
  FROM parts p JOIN organizations o ON o.id = p.org_id
 GROUP BY p.day, p.org_id, p.store_id, o.region_code
