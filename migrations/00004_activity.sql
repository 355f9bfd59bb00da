-- Earning hours: activities, sign-ups, attendance by QR scan, verified service records, transfers.
--
--   * activity_categories: the configurable list of service categories (为老服务, 环境保护 …);
--   * activity_policies: an organization's rules for hours and credits (pkg/activity Policy, as JSON
--     checked by Go); an organization without a row uses the default policy;
--   * activity_series + activities: what organizations run; a weekly series is one row per occurrence,
--     so attendance, capacity and deadlines stay per occurrence;
--   * signups: who signed up, within capacity (activities.signups counts the active ones);
--   * attendances: one per volunteer per activity (scan in/out, or added by hand: 补录). The position
--     of a scan is never stored, only whether it was inside the activity's radius;
--   * service_records + service_record_revisions: the permanent proof of service. A record is created
--     when its attendance is approved; every change is a new revision, and revisions are append-only,
--     like the ledger's history. Each revision says which earning transaction it caused and which it
--     replaced (reversed);
--   * record_disputes: a volunteer says a record is wrong; a coordinator amends or dismisses;
--   * family_relationships + credit_transfers: credits given to a spouse or direct relative, or donated
--     to the community pool, with the relationship recorded. Transfers are append-only.

-- +goose Up
CREATE TABLE activity_categories (
    code    text     PRIMARY KEY,
    name_zh text     NOT NULL,
    name_en text     NOT NULL,
    sort    smallint NOT NULL DEFAULT 0,
    CONSTRAINT activity_categories_code CHECK (code ~ '^[a-z][a-z_]{1,30}$')
);
INSERT INTO activity_categories (code, name_zh, name_en, sort) VALUES
    ('elderly', '为老服务', 'Elderly care', 10),
    ('environment', '环境保护', 'Environment', 20),
    ('civility', '文明实践', 'Civic practice', 30),
    ('youth', '关爱未成年人', 'Children and youth', 40),
    ('disability', '助残服务', 'Disability support', 50),
    ('community', '社区治理', 'Community affairs', 60),
    ('culture', '文化体育', 'Culture and sports', 70),
    ('health', '医疗卫生', 'Health', 80),
    ('emergency', '应急救援', 'Emergency response', 90),
    ('other', '其他', 'Other', 100);

CREATE TABLE activity_policies (
    org_id     bigint      PRIMARY KEY REFERENCES organizations (id),
    policy     jsonb       NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_policies_object CHECK (jsonb_typeof(policy) = 'object')
);

CREATE TABLE activity_series (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      NOT NULL REFERENCES organizations (id),
    rule       text        NOT NULL,
    until      date        NOT NULL,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_series_rule CHECK (rule IN ('weekly'))
);

CREATE TABLE activities (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint      NOT NULL REFERENCES organizations (id),
    series_id       bigint REFERENCES activity_series (id),
    title           text        NOT NULL,
    content         text        NOT NULL DEFAULT '',
    category        text        NOT NULL REFERENCES activity_categories (code),
    address         text        NOT NULL,
    latitude        double precision,
    longitude       double precision,
    radius_m        integer,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    capacity        integer,
    signup_required boolean     NOT NULL DEFAULT false,
    signups         integer     NOT NULL DEFAULT 0,
    leader_name     text        NOT NULL,
    people_served   text        NOT NULL DEFAULT '',
    is_service      boolean     NOT NULL DEFAULT true,
    status          text        NOT NULL DEFAULT 'open',
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activities_title CHECK (length(title) BETWEEN 1 AND 100),
    CONSTRAINT activities_content CHECK (length(content) <= 2000),
    CONSTRAINT activities_address CHECK (length(address) BETWEEN 1 AND 200),
    CONSTRAINT activities_leader CHECK (length(leader_name) BETWEEN 1 AND 50),
    CONSTRAINT activities_people_served CHECK (length(people_served) <= 200),
    -- One occurrence is one sitting: nobody accumulates hours for days on one attendance.
    CONSTRAINT activities_window CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '24 hours'),
    CONSTRAINT activities_position CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (radius_m IS NULL OR latitude IS NOT NULL)),
    CONSTRAINT activities_latitude CHECK (latitude BETWEEN -90 AND 90),
    CONSTRAINT activities_longitude CHECK (longitude BETWEEN -180 AND 180),
    CONSTRAINT activities_radius CHECK (radius_m BETWEEN 10 AND 50000),
    CONSTRAINT activities_capacity CHECK (capacity BETWEEN 1 AND 100000),
    -- Capacity holds under any concurrency: sign-up increments this in the same transaction.
    CONSTRAINT activities_signups CHECK (signups >= 0 AND (capacity IS NULL OR signups <= capacity)),
    CONSTRAINT activities_status CHECK (status IN ('open', 'cancelled'))
);
CREATE INDEX activities_org ON activities (org_id, starts_at, id);
CREATE INDEX activities_upcoming ON activities (starts_at, id) WHERE status = 'open';
CREATE INDEX activities_place ON activities (latitude, longitude) WHERE status = 'open' AND latitude IS NOT NULL;

CREATE TABLE signups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id  bigint      NOT NULL REFERENCES activities (id),
    user_id      bigint      NOT NULL REFERENCES users (id),
    status       text        NOT NULL DEFAULT 'active',
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CONSTRAINT signups_status CHECK (status IN ('active', 'cancelled')),
    CONSTRAINT signups_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE UNIQUE INDEX signups_active ON signups (activity_id, user_id) WHERE status = 'active';
CREATE INDEX signups_user ON signups (user_id, id DESC);

CREATE TABLE attendances (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id        bigint      NOT NULL REFERENCES activities (id),
    user_id            bigint      NOT NULL REFERENCES users (id),
    source             text        NOT NULL,
    check_in_at        timestamptz,
    check_out_at       timestamptz,
    check_in_by        text,
    check_out_by       text,
    inside_at_check_in  boolean,
    inside_at_check_out boolean,
    auto_closed        boolean     NOT NULL DEFAULT false,
    manual_minutes     bigint,
    manual_reason      text,
    requested_by       text,
    status             text        NOT NULL DEFAULT 'open',
    decided_by         text,
    decided_at         timestamptz,
    decision_reason    text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- Scanning twice, or two scans at once, never creates a second attendance.
    CONSTRAINT attendances_once UNIQUE (activity_id, user_id),
    CONSTRAINT attendances_source CHECK (
        source = 'scan' AND check_in_at IS NOT NULL AND check_in_by IS NOT NULL
            AND num_nonnulls(manual_minutes, manual_reason, requested_by) = 0
        OR source = 'manual' AND check_in_at IS NULL AND check_out_at IS NULL
            AND manual_minutes BETWEEN 1 AND 1440 AND length(manual_reason) BETWEEN 1 AND 500
            AND requested_by IS NOT NULL),
    CONSTRAINT attendances_check_out CHECK (check_out_at >= check_in_at AND check_out_by IS NOT NULL
        OR check_out_at IS NULL AND check_out_by IS NULL),
    CONSTRAINT attendances_status CHECK (status IN ('open', 'closed', 'verified', 'rejected')),
    CONSTRAINT attendances_open CHECK ((status = 'open') = (source = 'scan' AND check_out_at IS NULL)),
    CONSTRAINT attendances_decided CHECK ((status IN ('verified', 'rejected')) = (decided_at IS NOT NULL)
        AND (decided_at IS NULL) = (decided_by IS NULL)),
    CONSTRAINT attendances_auto_closed CHECK (NOT auto_closed OR check_out_at IS NOT NULL),
    CONSTRAINT attendances_decision_reason CHECK (length(decision_reason) <= 500)
);
CREATE INDEX attendances_user ON attendances (user_id, id DESC);
CREATE INDEX attendances_open ON attendances (activity_id) WHERE status = 'open';
CREATE INDEX attendances_pending ON attendances (activity_id) WHERE status = 'closed';

-- An attendance moves forward only: open → closed → verified or rejected; a rejection may still be
-- approved later (it caused nothing in the ledger), a verified attendance never changes again (its
-- record is amended instead). Who came, to what, and how it was recorded never change.
-- +goose StatementBegin
CREATE FUNCTION attendances_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.activity_id, NEW.user_id, NEW.source, NEW.check_in_at, NEW.check_in_by, NEW.inside_at_check_in,
        NEW.manual_minutes, NEW.manual_reason, NEW.requested_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.activity_id, OLD.user_id, OLD.source, OLD.check_in_at, OLD.check_in_by, OLD.inside_at_check_in,
        OLD.manual_minutes, OLD.manual_reason, OLD.requested_by, OLD.created_at)
       OR OLD.status = 'verified'
       OR OLD.status = 'open' AND NEW.status NOT IN ('open', 'closed')
       OR OLD.status = 'rejected' AND NEW.status <> 'verified'
       OR OLD.status = 'closed' AND NEW.status NOT IN ('verified', 'rejected')
       OR OLD.status <> 'open' AND (NEW.check_out_at, NEW.check_out_by, NEW.auto_closed)
           IS DISTINCT FROM (OLD.check_out_at, OLD.check_out_by, OLD.auto_closed) THEN
        RAISE EXCEPTION 'attendance % may not change from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'TB101';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER attendances_forward_only BEFORE UPDATE ON attendances
    FOR EACH ROW EXECUTE FUNCTION attendances_forward_only();
CREATE TRIGGER attendances_no_delete BEFORE DELETE ON attendances
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER attendances_no_truncate BEFORE TRUNCATE ON attendances
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE service_records (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attendance_id  bigint      NOT NULL REFERENCES attendances (id),
    activity_id    bigint      NOT NULL REFERENCES activities (id),
    user_id        bigint      NOT NULL REFERENCES users (id),
    org_id         bigint      NOT NULL REFERENCES organizations (id),
    kind           text        NOT NULL,
    -- What the record certifies, copied from the activity and the organization when it is made, so
    -- that later changes to either never rewrite a proof of service.
    activity_title text        NOT NULL,
    service_date   date        NOT NULL,
    place          text        NOT NULL,
    content        text        NOT NULL,
    category       text        NOT NULL,
    org_name       text        NOT NULL,
    leader_name    text        NOT NULL,
    people_served  text        NOT NULL,
    recorder       text        NOT NULL,
    recorder_name  text        NOT NULL,
    -- The current state: the latest revision's numbers, and whether a dispute is open.
    status         text        NOT NULL DEFAULT 'verified',
    revision       integer     NOT NULL DEFAULT 1,
    minutes        bigint      NOT NULL,
    credits        bigint      NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_records_attendance_key UNIQUE (attendance_id),
    CONSTRAINT service_records_kind CHECK (kind IN ('scan', 'manual')),
    CONSTRAINT service_records_status CHECK (status IN ('verified', 'disputed')),
    CONSTRAINT service_records_numbers CHECK (revision >= 1 AND minutes >= 0 AND credits >= 0)
);
CREATE INDEX service_records_user ON service_records (user_id, service_date, id);
CREATE INDEX service_records_activity ON service_records (activity_id);

-- A record's certified facts never change and it is never deleted; only its status and its current
-- revision move, the revision one step at a time.
-- +goose StatementBegin
CREATE FUNCTION service_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.attendance_id, NEW.activity_id, NEW.user_id, NEW.org_id, NEW.kind, NEW.activity_title,
        NEW.service_date, NEW.place, NEW.content, NEW.category, NEW.org_name, NEW.leader_name,
        NEW.people_served, NEW.recorder, NEW.recorder_name, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.attendance_id, OLD.activity_id, OLD.user_id, OLD.org_id, OLD.kind, OLD.activity_title,
        OLD.service_date, OLD.place, OLD.content, OLD.category, OLD.org_name, OLD.leader_name,
        OLD.people_served, OLD.recorder, OLD.recorder_name, OLD.created_at)
       OR NEW.revision NOT IN (OLD.revision, OLD.revision + 1)
       OR NEW.revision = OLD.revision AND (NEW.minutes, NEW.credits) IS DISTINCT FROM (OLD.minutes, OLD.credits)
       OR NEW.revision <> OLD.revision AND NOT EXISTS (
           SELECT 1 FROM service_record_revisions v
           WHERE v.record_id = NEW.id AND v.revision = NEW.revision
             AND v.minutes = NEW.minutes AND v.credits = NEW.credits) THEN
        RAISE EXCEPTION 'service record %: its facts are permanent; amend it with a new revision', OLD.id
            USING ERRCODE = 'TB009';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TABLE service_record_revisions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id      bigint      NOT NULL REFERENCES service_records (id),
    revision       integer     NOT NULL,
    minutes        bigint      NOT NULL,
    credits        bigint      NOT NULL,
    pool_credits   bigint      NOT NULL DEFAULT 0,
    served_from    timestamptz,
    served_to      timestamptz,
    day_dates      date[]      NOT NULL,
    day_minutes    bigint[]    NOT NULL,
    flags          text[]      NOT NULL DEFAULT '{}',
    earn_tx_id     bigint REFERENCES ledger_transactions (id),
    replaces_tx_id bigint REFERENCES ledger_transactions (id),
    reason         text        NOT NULL DEFAULT '',
    evaluation     text        NOT NULL DEFAULT '',
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_record_revisions_key UNIQUE (record_id, revision),
    CONSTRAINT service_record_revisions_numbers CHECK (revision >= 1 AND minutes >= 0 AND credits >= 0
        AND pool_credits >= 0),
    -- An amendment says why; a revision earns through a transaction exactly when it credits anything.
    CONSTRAINT service_record_revisions_reason CHECK ((revision = 1 OR length(reason) >= 1) AND length(reason) <= 500),
    CONSTRAINT service_record_revisions_earning CHECK ((earn_tx_id IS NOT NULL) = (credits + pool_credits > 0)),
    CONSTRAINT service_record_revisions_days CHECK (cardinality(day_dates) = cardinality(day_minutes)),
    CONSTRAINT service_record_revisions_evaluation CHECK (length(evaluation) <= 200)
);
CREATE INDEX service_record_revisions_replaces ON service_record_revisions (replaces_tx_id)
    WHERE replaces_tx_id IS NOT NULL;

CREATE TRIGGER service_records_guard BEFORE UPDATE ON service_records
    FOR EACH ROW EXECUTE FUNCTION service_records_guard();
CREATE TRIGGER service_records_no_delete BEFORE DELETE ON service_records
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER service_records_no_truncate BEFORE TRUNCATE ON service_records
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER service_record_revisions_append_only BEFORE UPDATE OR DELETE ON service_record_revisions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER service_record_revisions_no_truncate BEFORE TRUNCATE ON service_record_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE record_disputes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id   bigint      NOT NULL REFERENCES service_records (id),
    user_id     bigint      NOT NULL REFERENCES users (id),
    reason      text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_by text,
    resolved_at timestamptz,
    resolution  text        NOT NULL DEFAULT '',
    CONSTRAINT record_disputes_reason CHECK (length(reason) BETWEEN 1 AND 500),
    CONSTRAINT record_disputes_status CHECK (status IN ('open', 'amended', 'dismissed')),
    CONSTRAINT record_disputes_resolved CHECK ((status = 'open') = (resolved_at IS NULL)
        AND (resolved_at IS NULL) = (resolved_by IS NULL)),
    CONSTRAINT record_disputes_resolution CHECK (length(resolution) <= 500)
);
CREATE UNIQUE INDEX record_disputes_open ON record_disputes (record_id) WHERE status = 'open';
CREATE TRIGGER record_disputes_no_delete BEFORE DELETE ON record_disputes
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE family_relationships (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    relative_id  bigint      NOT NULL REFERENCES users (id),
    relationship text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT family_relationships_key UNIQUE (user_id, relative_id),
    CONSTRAINT family_relationships_not_self CHECK (user_id <> relative_id),
    CONSTRAINT family_relationships_kind CHECK (relationship IN
        ('spouse', 'parent', 'child', 'grandparent', 'grandchild', 'sibling'))
);
CREATE TRIGGER family_relationships_append_only BEFORE UPDATE OR DELETE ON family_relationships
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE credit_transfers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_user_id    bigint      NOT NULL REFERENCES users (id),
    to_user_id      bigint REFERENCES users (id),
    relationship    text,
    to_account      text        NOT NULL,
    amount          bigint      NOT NULL,
    overflow        bigint      NOT NULL DEFAULT 0,
    pool_account    text        NOT NULL,
    tx_id           bigint      NOT NULL REFERENCES ledger_transactions (id),
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    year            integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_transfers_key UNIQUE (from_user_id, idempotency_key),
    CONSTRAINT credit_transfers_amount CHECK (amount > 0 AND overflow BETWEEN 0 AND amount),
    CONSTRAINT credit_transfers_family CHECK ((to_user_id IS NULL) = (relationship IS NULL)
        AND (to_user_id IS NOT NULL OR overflow = 0)),
    CONSTRAINT credit_transfers_not_self CHECK (to_user_id <> from_user_id)
);
CREATE INDEX credit_transfers_year ON credit_transfers (from_user_id, year);
CREATE TRIGGER credit_transfers_append_only BEFORE UPDATE OR DELETE ON credit_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER credit_transfers_no_truncate BEFORE TRUNCATE ON credit_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- +goose Down
DROP TABLE credit_transfers;
DROP TABLE family_relationships;
DROP TABLE record_disputes;
DROP TABLE service_record_revisions;
DROP TABLE service_records;
DROP FUNCTION service_records_guard();
DROP TABLE attendances;
DROP FUNCTION attendances_forward_only();
DROP TABLE signups;
DROP TABLE activities;
DROP TABLE activity_series;
DROP TABLE activity_policies;
DROP TABLE activity_categories;
