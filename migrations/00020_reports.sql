-- Figures that regions steer by, kept per day so that a province's page never scans its postings:
--
--   * report_daily: one row per day and organization (store_id 0) or store (store_id set, org_id its
--     organization), with the region the organization sits in, so "below this node" is a prefix
--     test on region_code. A worker recomputes a day from that day's rows (today and yesterday on a
--     timer, and the days that records or activities added since its last run fall on);
--     `timebank report rebuild` recomputes any range from scratch; `timebank verify` compares the
--     table with a recount. Every figure is a count or integer minutes, never negative except the
--     credits, which are net of reversals;
--   * report_monthly: the same figures summed by calendar month, kept in the same transaction as the
--     days they sum (the old days' figures taken off, the new ones added), so that a year of a
--     province reads twelve rows per organization rather than 365;
--   * report_marks: how far the worker has read each source whose rows can fall on an old day.
--
-- The indexes below let a day's rows be found in each source without scanning it (the ledger is read
-- by transaction id ranges instead, so that its posting path pays for nothing).

-- +goose Up
CREATE TABLE report_daily (
    day               date        NOT NULL,
    org_id            bigint      NOT NULL REFERENCES organizations (id),
    store_id          bigint      NOT NULL DEFAULT 0,
    region_code       text        NOT NULL,
    volunteers_active integer     NOT NULL DEFAULT 0,
    volunteers_new    integer     NOT NULL DEFAULT 0,
    scan_minutes      bigint      NOT NULL DEFAULT 0,
    manual_minutes    bigint      NOT NULL DEFAULT 0,
    activities        integer     NOT NULL DEFAULT 0,
    credits_issued    bigint      NOT NULL DEFAULT 0,
    credits_redeemed  bigint      NOT NULL DEFAULT 0,
    orders            integer     NOT NULL DEFAULT 0,
    sales             integer     NOT NULL DEFAULT 0,
    goods_in          bigint      NOT NULL DEFAULT 0,
    goods_out         bigint      NOT NULL DEFAULT 0,
    households        integer     NOT NULL DEFAULT 0,
    certificates      integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, store_id, day),
    CONSTRAINT report_daily_counts CHECK (volunteers_active >= 0 AND volunteers_new >= 0 AND scan_minutes >= 0
        AND manual_minutes >= 0 AND activities >= 0 AND orders >= 0 AND sales >= 0 AND goods_in >= 0
        AND goods_out >= 0 AND households >= 0 AND certificates >= 0),
    CONSTRAINT report_daily_region CHECK (region_code ~ '^[0-9]{12}$')
);
-- A region's figures: the rows below its node in a period.
CREATE INDEX report_daily_region ON report_daily (region_code text_pattern_ops, day);
CREATE INDEX report_daily_store ON report_daily (store_id, day) WHERE store_id <> 0;

-- No CHECKs on the figures: a month is changed by adding differences, which may be negative.
CREATE TABLE report_monthly (
    month             date        NOT NULL,
    org_id            bigint      NOT NULL REFERENCES organizations (id),
    store_id          bigint      NOT NULL DEFAULT 0,
    region_code       text        NOT NULL,
    volunteers_active bigint      NOT NULL DEFAULT 0,
    volunteers_new    bigint      NOT NULL DEFAULT 0,
    scan_minutes      bigint      NOT NULL DEFAULT 0,
    manual_minutes    bigint      NOT NULL DEFAULT 0,
    activities        bigint      NOT NULL DEFAULT 0,
    credits_issued    bigint      NOT NULL DEFAULT 0,
    credits_redeemed  bigint      NOT NULL DEFAULT 0,
    orders            bigint      NOT NULL DEFAULT 0,
    sales             bigint      NOT NULL DEFAULT 0,
    goods_in          bigint      NOT NULL DEFAULT 0,
    goods_out         bigint      NOT NULL DEFAULT 0,
    households        bigint      NOT NULL DEFAULT 0,
    certificates      bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, store_id, month),
    CONSTRAINT report_monthly_first_day CHECK (extract(day FROM month) = 1)
);
CREATE INDEX report_monthly_region ON report_monthly (region_code text_pattern_ops, month);
CREATE INDEX report_monthly_store ON report_monthly (store_id, month) WHERE store_id <> 0;
-- The days of a period that are not whole months, across a region.
CREATE INDEX report_daily_day ON report_daily (day);

CREATE TABLE report_marks (
    source  text   PRIMARY KEY,
    last_id bigint NOT NULL,
    CONSTRAINT report_marks_source CHECK (source IN ('records', 'activities'))
);

-- A day's rows, source by source.
CREATE INDEX report_service_records_day ON service_records (service_date);
CREATE INDEX report_service_records_org ON service_records (org_id, service_date);
CREATE INDEX report_store_orders_resolved ON store_orders (resolved_at) WHERE status = 'fulfilled';
CREATE INDEX report_store_donations_day ON store_donations (received_at);
CREATE INDEX report_store_movements_out ON store_movements (at) WHERE kind IN ('handed_out', 'allocated');
CREATE INDEX report_store_aid_day ON store_aid (created_at);
CREATE INDEX report_certificates_day ON certificates (issue_date);

-- +goose Down
DROP INDEX report_certificates_day;
DROP INDEX report_store_aid_day;
DROP INDEX report_store_movements_out;
DROP INDEX report_store_donations_day;
DROP INDEX report_store_orders_resolved;
DROP INDEX report_service_records_org;
DROP INDEX report_service_records_day;
DROP TABLE report_marks;
DROP TABLE report_monthly;
DROP TABLE report_daily;
