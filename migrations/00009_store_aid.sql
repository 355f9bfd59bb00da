-- Goods for households in hardship (困难家庭物资发放): households on low income support (低保), in
-- extreme poverty (特困) or at its edge (边缘户) receive goods from the store by allocation, without
-- credits. Such a household's status is sensitive personal information (PIPL), so the store keeps as
-- little as it can:
--   * a household is known by its number in the store's series (困难户 0007), its tier, the contact's
--     name masked (王*芳) and, optionally, the phone masked (138****5678); the full name and number
--     are never stored. The CHECKs refuse a name that is not masked;
--   * its registration records who took the person's written consent and when (NOT NULL);
--   * a household is never deleted, only deactivated, once;
--   * an allocation and its lines are append-only, and take their goods from the stock journal with
--     movements of the kind 'allocated' (ref aid:<id>), so stock still matches the books.
-- Numbers run without gaps per store: a counter row, incremented in the registration's transaction,
-- as the donation acknowledgements' series does.

-- +goose Up
CREATE TABLE store_household_counters (
    store_id bigint  PRIMARY KEY REFERENCES stores (id),
    last     integer NOT NULL
);

CREATE TABLE store_households (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id       bigint      NOT NULL REFERENCES stores (id),
    number         integer     NOT NULL,
    tier           text        NOT NULL,
    name_masked    text        NOT NULL,
    phone_masked   text,
    note           text        NOT NULL DEFAULT '',
    consent_by     text        NOT NULL,
    consent_at     timestamptz NOT NULL,
    active         boolean     NOT NULL DEFAULT true,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_by text,
    deactivated_at timestamptz,
    CONSTRAINT store_households_number_key UNIQUE (store_id, number),
    CONSTRAINT store_households_store_id_key UNIQUE (store_id, id),
    CONSTRAINT store_households_number CHECK (number >= 1),
    CONSTRAINT store_households_tier CHECK (tier IN ('dibao', 'tekun', 'bianyuan')),
    -- Masked only: 王*芳, 李*; a one-character name has nothing to hide.
    CONSTRAINT store_households_name_masked CHECK (char_length(name_masked) BETWEEN 1 AND 50
        AND (strpos(name_masked, '*') > 0 OR char_length(name_masked) = 1)),
    CONSTRAINT store_households_phone_masked CHECK (phone_masked ~ '^1[3-9][0-9]\*{4}[0-9]{4}$'),
    CONSTRAINT store_households_note CHECK (char_length(note) <= 200),
    CONSTRAINT store_households_consent CHECK (length(consent_by) BETWEEN 1 AND 100),
    CONSTRAINT store_households_deactivated CHECK (active = (deactivated_at IS NULL)
        AND (deactivated_at IS NULL) = (deactivated_by IS NULL))
);

-- One allocation: goods given to a household, with who handed them out.
CREATE TABLE store_aid (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint      NOT NULL,
    household_id bigint      NOT NULL,
    handler      text        NOT NULL,
    handler_name text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    idem_key     text        NOT NULL,
    request_hash bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_aid_household_fkey FOREIGN KEY (store_id, household_id)
        REFERENCES store_households (store_id, id),
    CONSTRAINT store_aid_store_id_key UNIQUE (store_id, id),
    CONSTRAINT store_aid_idempotency UNIQUE (store_id, idem_key),
    CONSTRAINT store_aid_note CHECK (char_length(note) <= 200)
);
CREATE INDEX store_aid_household ON store_aid (household_id, id);

CREATE TABLE store_aid_lines (
    aid_id   bigint   NOT NULL,
    line     smallint NOT NULL,
    store_id bigint   NOT NULL,
    item_id  bigint   NOT NULL,
    qty      integer  NOT NULL,
    PRIMARY KEY (aid_id, line),
    CONSTRAINT store_aid_lines_aid_fkey FOREIGN KEY (store_id, aid_id) REFERENCES store_aid (store_id, id),
    CONSTRAINT store_aid_lines_item_fkey FOREIGN KEY (store_id, item_id) REFERENCES store_items (store_id, id),
    CONSTRAINT store_aid_lines_item_once UNIQUE (aid_id, item_id),
    CONSTRAINT store_aid_lines_qty CHECK (qty BETWEEN 1 AND 1000)
);

CREATE TRIGGER store_aid_append_only BEFORE UPDATE OR DELETE ON store_aid
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_aid_no_truncate BEFORE TRUNCATE ON store_aid
    FOR EACH STATEMENT EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_aid_lines_append_only BEFORE UPDATE OR DELETE ON store_aid_lines
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_aid_lines_no_truncate BEFORE TRUNCATE ON store_aid_lines
    FOR EACH STATEMENT EXECUTE FUNCTION store_refuse_change();

-- +goose StatementBegin
-- store_households_deactivate_only lets a household change in one way only: an active household
-- is deactivated (with who and when). Nothing else about it changes, and it is never deleted.
CREATE FUNCTION store_households_deactivate_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER store_households_deactivate_only BEFORE UPDATE OR DELETE ON store_households
    FOR EACH ROW EXECUTE FUNCTION store_households_deactivate_only();
CREATE TRIGGER store_households_no_truncate BEFORE TRUNCATE ON store_households
    FOR EACH STATEMENT EXECUTE FUNCTION store_refuse_change();

-- The journal learns a new kind: goods allocated to a household leave the shelf (free stock only).
ALTER TABLE store_movements DROP CONSTRAINT store_movements_kind;
ALTER TABLE store_movements ADD CONSTRAINT store_movements_kind CHECK (CASE kind
    WHEN 'received'    THEN on_hand_delta > 0 AND reserved_delta = 0
    WHEN 'reserved'    THEN on_hand_delta = 0 AND reserved_delta > 0
    WHEN 'released'    THEN on_hand_delta = 0 AND reserved_delta < 0
    -- from a reservation (an online order) or straight off the shelf (a walk-in sale)
    WHEN 'handed_out'  THEN on_hand_delta < 0 AND reserved_delta IN (0, on_hand_delta)
    WHEN 'written_off' THEN on_hand_delta < 0 AND reserved_delta = 0 AND reason IS NOT NULL
    WHEN 'counted'     THEN reserved_delta = 0 AND (on_hand_delta = 0 OR reason IS NOT NULL)
    -- to a household in hardship, by allocation (ref aid:<id>)
    WHEN 'allocated'   THEN on_hand_delta < 0 AND reserved_delta = 0
    ELSE false END);

-- +goose Down
-- The journal is append-only, so its 'allocated' movements cannot be deleted: once any exists,
-- restoring the old constraint fails and with it this migration, which is the point (the books
-- would no longer add up without them). Nothing is deleted to make it pass.
ALTER TABLE store_movements DROP CONSTRAINT store_movements_kind;
ALTER TABLE store_movements ADD CONSTRAINT store_movements_kind CHECK (CASE kind
    WHEN 'received'    THEN on_hand_delta > 0 AND reserved_delta = 0
    WHEN 'reserved'    THEN on_hand_delta = 0 AND reserved_delta > 0
    WHEN 'released'    THEN on_hand_delta = 0 AND reserved_delta < 0
    -- from a reservation (an online order) or straight off the shelf (a walk-in sale)
    WHEN 'handed_out'  THEN on_hand_delta < 0 AND reserved_delta IN (0, on_hand_delta)
    WHEN 'written_off' THEN on_hand_delta < 0 AND reserved_delta = 0 AND reason IS NOT NULL
    WHEN 'counted'     THEN reserved_delta = 0 AND (on_hand_delta = 0 OR reason IS NOT NULL)
    ELSE false END);
DROP TABLE store_aid_lines;
DROP TABLE store_aid;
DROP TABLE store_households;
DROP TABLE store_household_counters;
DROP FUNCTION store_households_deactivate_only();
