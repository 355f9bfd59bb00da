-- Registering a person and pairing take an idempotency key, as recording a visit does, so that a
-- request or a form sent twice (a double click, a retry after a lost answer) registers or pairs once.
-- The key is the registering principal's (created_by); the API requires one and the pages always send
-- one, the demo and the service's own callers may go without. The request hash is a keyed hash
-- (HMAC under a key derived from the service's secret), never the name, address or phone as typed.

-- +goose Up
ALTER TABLE care_people
    ADD COLUMN idem_key     text,
    ADD COLUMN request_hash bytea,
    ADD CONSTRAINT care_people_idempotency UNIQUE (created_by, idem_key),
    ADD CONSTRAINT care_people_key_hash CHECK ((idem_key IS NULL) = (request_hash IS NULL));

ALTER TABLE care_pairings
    ADD COLUMN idem_key     text,
    ADD COLUMN request_hash bytea,
    ADD CONSTRAINT care_pairings_idempotency UNIQUE (created_by, idem_key),
    ADD CONSTRAINT care_pairings_key_hash CHECK ((idem_key IS NULL) = (request_hash IS NULL));

-- +goose Down
ALTER TABLE care_pairings DROP COLUMN idem_key, DROP COLUMN request_hash;
ALTER TABLE care_people DROP COLUMN idem_key, DROP COLUMN request_hash;
