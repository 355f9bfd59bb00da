-- The figures of every region by month, so that a province's page reads its own twelve rows and its
-- cities' rather than the months of its 262 thousand organizations:
--
--   * report_region_monthly: one row per month and node of the tree, the node being a region's code
--     prefix (2 digits a province, 4 a city, 6 a county, 9 a street, 12 a community), holding the sum
--     of report_daily's rows below it. It is kept as report_monthly is, in the same transaction as
--     the days it sums (their old figures taken off, the new ones added); a rebuild recomputes it;
--     `timebank verify` compares it with the days. Each organization's row counts in five nodes.
--   * a summary reads its region's node and its children's by the primary key (node, month).
--
-- A summary of a period that is not whole months still reads report_daily for its days outside them.

-- +goose Up
CREATE TABLE report_region_monthly (
    month             date   NOT NULL,
    node              text   COLLATE "C" NOT NULL,
    volunteers_active bigint NOT NULL DEFAULT 0,
    volunteers_new    bigint NOT NULL DEFAULT 0,
    scan_minutes      bigint NOT NULL DEFAULT 0,
    manual_minutes    bigint NOT NULL DEFAULT 0,
    activities        bigint NOT NULL DEFAULT 0,
    credits_issued    bigint NOT NULL DEFAULT 0,
    credits_redeemed  bigint NOT NULL DEFAULT 0,
    orders            bigint NOT NULL DEFAULT 0,
    sales             bigint NOT NULL DEFAULT 0,
    goods_in          bigint NOT NULL DEFAULT 0,
    goods_out         bigint NOT NULL DEFAULT 0,
    households        bigint NOT NULL DEFAULT 0,
    certificates      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (node, month),
    CONSTRAINT report_region_monthly_first_day CHECK (extract(day FROM month) = 1),
    CONSTRAINT report_region_monthly_node CHECK (node ~ '^[0-9]+$' AND length(node) IN (2, 4, 6, 9, 12))
);

-- What is already kept, rolled up.
INSERT INTO report_region_monthly (month, node, volunteers_active, volunteers_new, scan_minutes, manual_minutes,
    activities, credits_issued, credits_redeemed, orders, sales, goods_in, goods_out, households, certificates)
SELECT date_trunc('month', d.day)::date, left(d.region_code, l.n), sum(volunteers_active), sum(volunteers_new),
       sum(scan_minutes), sum(manual_minutes), sum(activities), sum(credits_issued), sum(credits_redeemed),
       sum(orders), sum(sales), sum(goods_in), sum(goods_out), sum(households), sum(certificates)
  FROM report_daily d CROSS JOIN (VALUES (2), (4), (6), (9), (12)) AS l (n)
 GROUP BY 1, 2;

-- +goose Down
DROP TABLE report_region_monthly;
