-- 幸福管家, one code one service: a resident (or a family member, or a grid worker on their behalf)
-- scans a community team's printed code and asks for a service; the team does it; the resident
-- confirms and rates it; the confirmed service becomes a verified service record (00027).
--
--   * service_desks: a team (organization) serving a community (region node), with its printed
--     code (a signed token naming the desk) and its promise: how soon a request must be answered;
--   * service_requests: one request and its way through dispatch. The resident's phone and address
--     are sealed (pkg/sealed): a plain dump shows neither; phone_index finds a phone's requests.
--     care_person_id names a person of the care registry, when the request is for one (its foreign
--     key comes with the registry);
--   * service_request_codes: one-time codes sent by SMS to a resident's phone, kept as hashes.

-- +goose Up
CREATE TABLE service_desks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint      NOT NULL REFERENCES organizations (id),
    region_code     text        NOT NULL REFERENCES regions (code),
    name            text        NOT NULL,
    promise_minutes integer     NOT NULL DEFAULT 1440,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_desks_key UNIQUE (org_id, region_code),
    CONSTRAINT service_desks_name CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT service_desks_promise CHECK (promise_minutes BETWEEN 30 AND 10080)
);

CREATE TABLE service_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    desk_id         bigint      NOT NULL REFERENCES service_desks (id),
    org_id          bigint      NOT NULL REFERENCES organizations (id),
    region_code     text        NOT NULL REFERENCES regions (code),
    category        text        NOT NULL,
    wanted_at       timestamptz NOT NULL,
    note            text        NOT NULL DEFAULT '',
    for_self        boolean     NOT NULL,
    care_person_id  bigint,
    phone_sealed    bytea       NOT NULL,
    phone_index     bytea       NOT NULL,
    address_sealed  bytea       NOT NULL,
    submitted_by    text        NOT NULL,
    idempotency_key text        NOT NULL,
    status          text        NOT NULL DEFAULT 'submitted',
    volunteer_id    bigint REFERENCES users (id),
    assigned_by     text,
    assigned_at     timestamptz,
    accepted_at     timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    finish_note     text        NOT NULL DEFAULT '',
    confirmed_at    timestamptz,
    confirmed_via   text,
    confirmed_by    text,
    record_id       bigint REFERENCES service_records (id),
    rating          smallint,
    rating_comment  text        NOT NULL DEFAULT '',
    comment_status  text        NOT NULL DEFAULT 'none',
    rated_at        timestamptz,
    flagged_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_requests_key UNIQUE (desk_id, idempotency_key),
    CONSTRAINT service_requests_category CHECK (category IN
        ('meal', 'cleaning', 'escort', 'shopping', 'repair', 'counselling', 'other')),
    CONSTRAINT service_requests_note CHECK (length(note) <= 500 AND length(finish_note) <= 500),
    CONSTRAINT service_requests_for CHECK (NOT (for_self AND care_person_id IS NOT NULL)),
    CONSTRAINT service_requests_status CHECK (status IN
        ('submitted', 'assigned', 'accepted', 'started', 'finished', 'confirmed', 'cancelled')),
    -- Each step's facts are present exactly from that step on, so a request taken twice, or
    -- confirmed before it was finished, cannot be written.
    CONSTRAINT service_requests_taken CHECK ((status IN ('submitted', 'cancelled')) = (volunteer_id IS NULL)
        AND (volunteer_id IS NULL) = (assigned_at IS NULL) AND (assigned_at IS NULL) = (assigned_by IS NULL)),
    CONSTRAINT service_requests_accepted CHECK ((accepted_at IS NOT NULL) =
        (status IN ('accepted', 'started', 'finished', 'confirmed'))),
    CONSTRAINT service_requests_started CHECK ((started_at IS NOT NULL) = (status IN ('started', 'finished', 'confirmed'))),
    CONSTRAINT service_requests_finished CHECK ((finished_at IS NOT NULL) = (status IN ('finished', 'confirmed'))
        AND (finished_at IS NULL OR finished_at > started_at)),
    CONSTRAINT service_requests_confirmed CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL)
        AND (confirmed_at IS NULL) = (record_id IS NULL) AND (confirmed_at IS NULL) = (confirmed_via IS NULL)
        AND (confirmed_via IS NULL OR confirmed_via IN ('resident', 'sms', 'grid_worker'))),
    CONSTRAINT service_requests_rating CHECK ((rating IS NULL) = (rated_at IS NULL) AND rating BETWEEN 1 AND 5
        AND (rating IS NULL OR status = 'confirmed') AND length(rating_comment) <= 300
        AND comment_status IN ('none', 'pending', 'published', 'rejected')
        AND (comment_status = 'none') = (rating_comment = ''))
);
CREATE UNIQUE INDEX service_requests_record ON service_requests (record_id) WHERE record_id IS NOT NULL;
CREATE INDEX service_requests_desk ON service_requests (desk_id, status, id);
CREATE INDEX service_requests_org ON service_requests (org_id, status, id);
CREATE INDEX service_requests_volunteer ON service_requests (volunteer_id, status, id) WHERE volunteer_id IS NOT NULL;
CREATE INDEX service_requests_phone ON service_requests (phone_index, id);
CREATE INDEX service_requests_unanswered ON service_requests (created_at) WHERE status = 'submitted';

CREATE TABLE service_request_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_index bytea       NOT NULL,
    purpose     text        NOT NULL,
    request_id  bigint REFERENCES service_requests (id),
    code_hash   bytea       NOT NULL,
    tries       integer     NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_request_codes_purpose CHECK (purpose IN ('create', 'confirm')
        AND (purpose = 'confirm') = (request_id IS NOT NULL)),
    CONSTRAINT service_request_codes_tries CHECK (tries BETWEEN 0 AND 10)
);
CREATE INDEX service_request_codes_phone ON service_request_codes (phone_index, created_at);

-- +goose Down
DROP TABLE service_request_codes;
DROP TABLE service_requests;
DROP TABLE service_desks;
