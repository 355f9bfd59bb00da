-- A household's registration takes an idempotency key, as every other write of the store does, so
-- that a form sent twice (a double click, a retry after a lost answer) registers the household
-- once. The key is optional for the API; the registration page always sends one. The request hash
-- is of the registration as kept (masked), never of the name or phone as typed.

-- +goose Up
ALTER TABLE store_households
    ADD COLUMN idem_key     text,
    ADD COLUMN request_hash bytea,
    ADD CONSTRAINT store_households_idempotency UNIQUE (store_id, idem_key),
    ADD CONSTRAINT store_households_key_hash CHECK ((idem_key IS NULL) = (request_hash IS NULL));

-- +goose StatementBegin
-- store_households_deactivate_only now also keeps the key and its hash as they were registered.
CREATE OR REPLACE FUNCTION store_households_deactivate_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NOT OLD.active OR NEW.active
       OR (NEW.id, NEW.store_id, NEW.number, NEW.tier, NEW.name_masked, NEW.phone_masked, NEW.note, NEW.consent_by,
           NEW.consent_at, NEW.created_by, NEW.created_at, NEW.idem_key, NEW.request_hash)
          IS DISTINCT FROM (OLD.id, OLD.store_id, OLD.number, OLD.tier, OLD.name_masked, OLD.phone_masked, OLD.note,
           OLD.consent_by, OLD.consent_at, OLD.created_by, OLD.created_at, OLD.idem_key, OLD.request_hash) THEN
        RAISE EXCEPTION 'household % is only ever deactivated, once', OLD.id USING ERRCODE = 'TB101';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION store_households_deactivate_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NOT OLD.active OR NEW.active
       OR (NEW.id, NEW.store_id, NEW.number, NEW.tier, NEW.name_masked, NEW.phone_masked, NEW.note, NEW.consent_by,
           NEW.consent_at, NEW.created_by, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.store_id, OLD.number, OLD.tier, OLD.name_masked, OLD.phone_masked, OLD.note,
           OLD.consent_by, OLD.consent_at, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'household % is only ever deactivated, once', OLD.id USING ERRCODE = 'TB101';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
ALTER TABLE store_households DROP COLUMN idem_key, DROP COLUMN request_hash;
