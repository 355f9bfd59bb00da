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

-- +goose Down
ALTER TABLE certificates DROP CONSTRAINT certificates_key;
DROP TABLE certificate_keys;
