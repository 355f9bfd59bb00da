-- Two things about certificates.
--
-- Certificates' signing keys rotate (`timebank certificate rotate-key`): each key id in use, and since
-- when it signs, is a row of certificate_keys. The newest row signs new certificates; every row keeps
-- verifying the certificates it signed, and is published with its id and its date at
-- /.well-known/timebank-certificates.json. The keys themselves are never stored: each is derived from
-- the secret and its id. A key is never removed (printed certificates name it), and a certificate
-- names a key of the table.

-- +goose Up
CREATE TABLE certificate_keys (
    kid        smallint    PRIMARY KEY,
    since      timestamptz NOT NULL DEFAULT now(),
    rotated_by text        NOT NULL,
    CONSTRAINT certificate_keys_kid CHECK (kid BETWEEN 1 AND 255),
    CONSTRAINT certificate_keys_rotated_by CHECK (length(rotated_by) BETWEEN 1 AND 100)
);
-- The keys already named by certificates, since their first certificate; key 1 at least.
INSERT INTO certificate_keys (kid, since, rotated_by)
SELECT k, COALESCE((SELECT min(created_at) FROM certificates WHERE key_id = k), now()), 'migration'
FROM generate_series(1, (SELECT GREATEST(1, max(key_id)) FROM certificates)) AS k;
ALTER TABLE certificates ADD CONSTRAINT certificates_key
    FOREIGN KEY (key_id) REFERENCES certificate_keys (kid);
CREATE TRIGGER certificate_keys_no_update BEFORE UPDATE OR DELETE ON certificate_keys
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER certificate_keys_no_truncate BEFORE TRUNCATE ON certificate_keys
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- 公示 (optional publication of an issued certificate, 民发〔2015〕149号: at least 7 days, where the unit
-- does it): certificate_publications holds the period an organization shows a certificate on its public
-- page (number, masked name, hours, organization only); certificate_objections the objections the public
-- leaves meanwhile, with a contact, which the organization upholds or dismisses once, with a note.
CREATE TABLE certificate_publications (
    certificate_id bigint      PRIMARY KEY REFERENCES certificates (id),
    org_id         bigint      NOT NULL REFERENCES organizations (id),
    starts_on      date        NOT NULL,
    ends_on        date        NOT NULL,
    published_by   text        NOT NULL,
    published_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT certificate_publications_days CHECK (ends_on BETWEEN starts_on + 6 AND starts_on + 29)
);
CREATE INDEX certificate_publications_org ON certificate_publications (org_id, ends_on);
CREATE TRIGGER certificate_publications_no_change BEFORE UPDATE OR DELETE ON certificate_publications
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE certificate_objections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    certificate_id bigint      NOT NULL REFERENCES certificate_publications (certificate_id),
    contact        text        NOT NULL,
    body           text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    status         text        NOT NULL DEFAULT 'open',
    note           text        NOT NULL DEFAULT '',
    decided_by     text,
    decided_at     timestamptz,
    CONSTRAINT certificate_objections_texts CHECK (length(contact) BETWEEN 1 AND 100
        AND length(body) BETWEEN 1 AND 500 AND length(note) <= 500),
    CONSTRAINT certificate_objections_status CHECK (status IN ('open', 'upheld', 'dismissed')
        AND (status = 'open') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX certificate_objections_certificate ON certificate_objections (certificate_id, id);

-- +goose Down
DROP TABLE certificate_objections;
DROP TABLE certificate_publications;
ALTER TABLE certificates DROP CONSTRAINT certificates_key;
DROP TABLE certificate_keys;
