-- The care registry (三色 care board, 结对 pairing, visits): people who receive care, how closely to
-- follow them, who is paired with them and when they were visited.
--   * care_people: a person's category (what they are, several) and risk colour (how closely to
--     follow them) are separate. Real name, address and phone are sealed at the column level (see
--     pkg/sealed): bytea that opens only with the service's secret; the clear columns hold the masked
--     forms (王*芳, 138****5678) that the board shows. key_version is the key the row is sealed under;
--     a rotation (care_key_versions) re-seals every row below the newest version.
--   * the person's (or the guardian's) written consent: who took it and when, NOT NULL, as for the
--     store's households;
--   * care_colour_changes: every colour a person has had, with who and why, append-only; the person's
--     colour is the latest one;
--   * care_frequencies: the days between visits each colour requires, per region, each inherited from
--     the nearest region above that sets it (default: red 7, yellow 30, green 90);
--   * care_pairings: a volunteer of an organization (or, without a volunteer, the organization's whole
--     team) paired with a person for a period; the organization records the visits (谁组织谁记录);
--   * care_visits: append-only; a visit proven by the person's own card, with a short note;
--   * care_proposals: a follow-up or a colour change a visit raised, for a coordinator to decide once.

-- +goose Up
CREATE TABLE care_key_versions (
    version     integer     PRIMARY KEY,
    started_by  text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT care_key_versions_range CHECK (version BETWEEN 1 AND 65535)
);
INSERT INTO care_key_versions (version, started_by, finished_at) VALUES (1, 'operator', now());

CREATE TABLE care_people (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code    text        NOT NULL REFERENCES regions (code),
    categories     text[]      NOT NULL,
    colour         text        NOT NULL,
    name_masked    text        NOT NULL,
    phone_masked   text,
    name_sealed    bytea       NOT NULL,
    address_sealed bytea,
    phone_sealed   bytea,
    phone_index    bytea,
    key_version    integer     NOT NULL REFERENCES care_key_versions (version),
    consent_of     text        NOT NULL,
    consent_by     text        NOT NULL,
    consent_at     timestamptz NOT NULL,
    household_id   bigint REFERENCES store_households (id),
    card_version   integer     NOT NULL DEFAULT 1,
    note           text        NOT NULL DEFAULT '',
    active         boolean     NOT NULL DEFAULT true,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT care_people_categories CHECK (cardinality(categories) BETWEEN 1 AND 6
        AND categories <@ ARRAY['alone', 'empty_nest', 'disabled', 'dibao', 'tekun', 'left_behind', 'other']),
    CONSTRAINT care_people_colour CHECK (colour IN ('red', 'yellow', 'green')),
    CONSTRAINT care_people_name_masked CHECK (char_length(name_masked) BETWEEN 1 AND 50
        AND (strpos(name_masked, '*') > 0 OR char_length(name_masked) = 1)),
    CONSTRAINT care_people_phone_masked CHECK (phone_masked ~ '^1[3-9][0-9]\*{4}[0-9]{4}$'),
    CONSTRAINT care_people_phone_whole CHECK ((phone_sealed IS NULL) = (phone_masked IS NULL)
        AND (phone_sealed IS NULL) = (phone_index IS NULL)),
    CONSTRAINT care_people_consent CHECK (consent_of IN ('self', 'guardian') AND length(consent_by) BETWEEN 1 AND 100),
    CONSTRAINT care_people_card_version CHECK (card_version >= 1),
    CONSTRAINT care_people_note CHECK (char_length(note) <= 200)
);
CREATE INDEX care_people_region ON care_people (region_code, id);
CREATE INDEX care_people_key_version ON care_people (key_version);
CREATE INDEX care_people_phone ON care_people (phone_index);
CREATE UNIQUE INDEX care_people_household ON care_people (household_id) WHERE household_id IS NOT NULL;

CREATE TABLE care_colour_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   bigint      NOT NULL REFERENCES care_people (id),
    from_colour text,
    to_colour   text        NOT NULL,
    reason      text        NOT NULL,
    changed_by  text        NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT care_colour_changes_colours CHECK (to_colour IN ('red', 'yellow', 'green')
        AND (from_colour IS NULL OR from_colour IN ('red', 'yellow', 'green'))),
    CONSTRAINT care_colour_changes_reason CHECK (char_length(reason) BETWEEN 1 AND 200)
);
CREATE INDEX care_colour_changes_person ON care_colour_changes (person_id, id);

-- +goose StatementBegin
CREATE FUNCTION care_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'TB301', HINT = 'a later row corrects an earlier one';
END $$;
-- +goose StatementEnd
CREATE TRIGGER care_colour_changes_append_only BEFORE UPDATE OR DELETE ON care_colour_changes
    FOR EACH ROW EXECUTE FUNCTION care_refuse_change();
CREATE TRIGGER care_colour_changes_no_truncate BEFORE TRUNCATE ON care_colour_changes
    FOR EACH STATEMENT EXECUTE FUNCTION care_refuse_change();

CREATE TABLE care_frequencies (
    region_code text        PRIMARY KEY REFERENCES regions (code),
    red_days    integer,
    yellow_days integer,
    green_days  integer,
    updated_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT care_frequencies_days CHECK (red_days BETWEEN 1 AND 366 AND yellow_days BETWEEN 1 AND 366
        AND green_days BETWEEN 1 AND 366)
);

CREATE TABLE care_pairings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id  bigint      NOT NULL REFERENCES care_people (id),
    user_id    bigint REFERENCES users (id),
    org_id     bigint      NOT NULL REFERENCES organizations (id),
    starts_on  date        NOT NULL,
    ends_on    date,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    ended_by   text,
    CONSTRAINT care_pairings_period CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT care_pairings_ended CHECK ((ended_by IS NULL) OR ends_on IS NOT NULL)
);
CREATE INDEX care_pairings_person ON care_pairings (person_id);
CREATE INDEX care_pairings_user ON care_pairings (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX care_pairings_org ON care_pairings (org_id);

CREATE TABLE care_visits (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id    bigint      NOT NULL REFERENCES care_people (id),
    user_id      bigint      NOT NULL REFERENCES users (id),
    org_id       bigint      NOT NULL REFERENCES organizations (id),
    started_at   timestamptz NOT NULL,
    minutes      integer     NOT NULL,
    health       text        NOT NULL DEFAULT '',
    needs        text        NOT NULL DEFAULT '',
    follow_up    text        NOT NULL DEFAULT '',
    idem_key     text        NOT NULL,
    request_hash bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT care_visits_idempotency UNIQUE (user_id, idem_key),
    CONSTRAINT care_visits_minutes CHECK (minutes BETWEEN 1 AND 720),
    CONSTRAINT care_visits_notes CHECK (char_length(health) <= 200 AND char_length(needs) <= 200
        AND char_length(follow_up) <= 200)
);
CREATE INDEX care_visits_person ON care_visits (person_id, started_at DESC);
CREATE INDEX care_visits_user ON care_visits (user_id, id DESC);
CREATE TRIGGER care_visits_append_only BEFORE UPDATE OR DELETE ON care_visits
    FOR EACH ROW EXECUTE FUNCTION care_refuse_change();
CREATE TRIGGER care_visits_no_truncate BEFORE TRUNCATE ON care_visits
    FOR EACH STATEMENT EXECUTE FUNCTION care_refuse_change();

-- The service record a visit earned (written in the visit's transaction, once).
CREATE TABLE care_visit_records (
    visit_id  bigint PRIMARY KEY REFERENCES care_visits (id),
    record_id bigint NOT NULL
);

CREATE TABLE care_proposals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id  bigint      NOT NULL REFERENCES care_people (id),
    visit_id   bigint      NOT NULL REFERENCES care_visits (id),
    kind       text        NOT NULL,
    colour     text,
    note       text        NOT NULL,
    status     text        NOT NULL DEFAULT 'open',
    decided_by text,
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT care_proposals_kind CHECK ((kind = 'colour') = (colour IS NOT NULL) AND kind IN ('colour', 'follow_up')
        AND (colour IS NULL OR colour IN ('red', 'yellow', 'green'))),
    CONSTRAINT care_proposals_note CHECK (char_length(note) BETWEEN 1 AND 200),
    CONSTRAINT care_proposals_status CHECK (status IN ('open', 'accepted', 'declined')
        AND (status = 'open') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX care_proposals_open ON care_proposals (person_id) WHERE status = 'open';

-- +goose Down
DROP TABLE care_proposals;
DROP TABLE care_visit_records;
DROP TABLE care_visits;
DROP TABLE care_pairings;
DROP TABLE care_frequencies;
DROP TABLE care_colour_changes;
DROP FUNCTION care_refuse_change();
DROP TABLE care_people;
DROP TABLE care_key_versions;
