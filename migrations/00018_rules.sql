-- Rules kept as data rather than code.
--
--   * holidays: mainland China's public holidays and make-up working days (调休), one row a day. The
--     State Council publishes each year's in November or December; a platform administrator enters
--     them (/admin/holidays). holiday_years records which years were entered, and by whom: a year
--     without a row there is not known, and deadlines in it are only estimated (Monday to Friday).
--     Seeded with 2025 and 2026 from the list the service carried before (pkg/activity/holidays_cn.txt).
--   * credit_policies: the rules on credits (account cap, transfer caps, minimum verified hours
--     before a first redemption) of the platform, a region or an organization, as a JSON document
--     validated by the Go code; a field left out takes the value of the level above.

-- +goose Up
CREATE TABLE holiday_years (
    year       smallint    PRIMARY KEY,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT holiday_years_year CHECK (year BETWEEN 2000 AND 2100)
);

CREATE TABLE holidays (
    day  date NOT NULL PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL,
    CONSTRAINT holidays_kind CHECK (kind IN ('holiday', 'workday')),
    CONSTRAINT holidays_name CHECK (length(name) BETWEEN 1 AND 50),
    -- A make-up working day is a weekend day worked instead of a holiday (ISO day 6 or 7).
    CONSTRAINT holidays_workday_weekend CHECK (kind = 'holiday' OR extract(isodow FROM day) >= 6),
    CONSTRAINT holidays_year FOREIGN KEY (year) REFERENCES holiday_years (year),
    year smallint GENERATED ALWAYS AS (extract(year FROM day)::smallint) STORED
);
CREATE INDEX holidays_year ON holidays (year);

INSERT INTO holiday_years (year, updated_by) VALUES
    (2025, 'seed'),
    (2026, 'seed');

INSERT INTO holidays (day, kind, name) VALUES
    ('2025-01-01', 'holiday', '元旦'),
    ('2025-01-26', 'workday', '春节调休'),
    ('2025-01-28', 'holiday', '春节'),
    ('2025-01-29', 'holiday', '春节'),
    ('2025-01-30', 'holiday', '春节'),
    ('2025-01-31', 'holiday', '春节'),
    ('2025-02-01', 'holiday', '春节'),
    ('2025-02-02', 'holiday', '春节'),
    ('2025-02-03', 'holiday', '春节'),
    ('2025-02-04', 'holiday', '春节'),
    ('2025-02-08', 'workday', '春节调休'),
    ('2025-04-04', 'holiday', '清明节'),
    ('2025-04-05', 'holiday', '清明节'),
    ('2025-04-06', 'holiday', '清明节'),
    ('2025-04-27', 'workday', '劳动节调休'),
    ('2025-05-01', 'holiday', '劳动节'),
    ('2025-05-02', 'holiday', '劳动节'),
    ('2025-05-03', 'holiday', '劳动节'),
    ('2025-05-04', 'holiday', '劳动节'),
    ('2025-05-05', 'holiday', '劳动节'),
    ('2025-05-31', 'holiday', '端午节'),
    ('2025-06-01', 'holiday', '端午节'),
    ('2025-06-02', 'holiday', '端午节'),
    ('2025-09-28', 'workday', '国庆节调休'),
    ('2025-10-01', 'holiday', '国庆节、中秋节'),
    ('2025-10-02', 'holiday', '国庆节、中秋节'),
    ('2025-10-03', 'holiday', '国庆节、中秋节'),
    ('2025-10-04', 'holiday', '国庆节、中秋节'),
    ('2025-10-05', 'holiday', '国庆节、中秋节'),
    ('2025-10-06', 'holiday', '国庆节、中秋节'),
    ('2025-10-07', 'holiday', '国庆节、中秋节'),
    ('2025-10-08', 'holiday', '国庆节、中秋节'),
    ('2025-10-11', 'workday', '国庆节调休'),
    ('2026-01-01', 'holiday', '元旦'),
    ('2026-01-02', 'holiday', '元旦'),
    ('2026-01-03', 'holiday', '元旦'),
    ('2026-01-04', 'workday', '元旦调休'),
    ('2026-02-14', 'workday', '春节调休'),
    ('2026-02-15', 'holiday', '春节'),
    ('2026-02-16', 'holiday', '春节'),
    ('2026-02-17', 'holiday', '春节'),
    ('2026-02-18', 'holiday', '春节'),
    ('2026-02-19', 'holiday', '春节'),
    ('2026-02-20', 'holiday', '春节'),
    ('2026-02-21', 'holiday', '春节'),
    ('2026-02-22', 'holiday', '春节'),
    ('2026-02-23', 'holiday', '春节'),
    ('2026-02-28', 'workday', '春节调休'),
    ('2026-04-04', 'holiday', '清明节'),
    ('2026-04-05', 'holiday', '清明节'),
    ('2026-04-06', 'holiday', '清明节'),
    ('2026-05-01', 'holiday', '劳动节'),
    ('2026-05-02', 'holiday', '劳动节'),
    ('2026-05-03', 'holiday', '劳动节'),
    ('2026-05-04', 'holiday', '劳动节'),
    ('2026-05-05', 'holiday', '劳动节'),
    ('2026-05-09', 'workday', '劳动节调休'),
    ('2026-06-19', 'holiday', '端午节'),
    ('2026-06-20', 'holiday', '端午节'),
    ('2026-06-21', 'holiday', '端午节'),
    ('2026-09-20', 'workday', '国庆节调休'),
    ('2026-09-25', 'holiday', '中秋节'),
    ('2026-09-26', 'holiday', '中秋节'),
    ('2026-09-27', 'holiday', '中秋节'),
    ('2026-10-01', 'holiday', '国庆节'),
    ('2026-10-02', 'holiday', '国庆节'),
    ('2026-10-03', 'holiday', '国庆节'),
    ('2026-10-04', 'holiday', '国庆节'),
    ('2026-10-05', 'holiday', '国庆节'),
    ('2026-10-06', 'holiday', '国庆节'),
    ('2026-10-07', 'holiday', '国庆节'),
    ('2026-10-10', 'workday', '国庆节调休');

CREATE TABLE credit_policies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_kind  text        NOT NULL,
    region_code text REFERENCES regions (code),
    org_id      bigint REFERENCES organizations (id),
    policy      jsonb       NOT NULL,
    updated_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_policies_object CHECK (jsonb_typeof(policy) = 'object'),
    CONSTRAINT credit_policies_scope CHECK (CASE scope_kind
        WHEN 'platform' THEN num_nonnulls(region_code, org_id) = 0
        WHEN 'region' THEN region_code IS NOT NULL AND org_id IS NULL
        WHEN 'org' THEN org_id IS NOT NULL AND region_code IS NULL
        ELSE false END)
);
CREATE UNIQUE INDEX credit_policies_scope_key ON credit_policies
    (scope_kind, coalesce(region_code, ''), coalesce(org_id, 0));

-- +goose Down
DROP TABLE credit_policies;
DROP TABLE holidays;
DROP TABLE holiday_years;
