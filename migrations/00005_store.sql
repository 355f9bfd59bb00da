-- The charity supermarket (公益仓): catalogue, stock in lots, the stock journal, donations with their
-- acknowledgements, and orders (online orders and walk-in sales at the counter).
--
-- PostgreSQL keeps the books honest, not only the Go code:
--   * a lot's on-hand never goes below zero and its reserved never exceeds its on-hand (CHECKs);
--   * a lot's quantities change only by appending a movement to the stock journal: the movement's
--     trigger applies it to the lot and records the lot's state after it, and a direct UPDATE of
--     the quantities is refused. So the sum of a lot's movements is always its on-hand and reserved;
--   * the journal is append-only (UPDATE, DELETE and TRUNCATE are refused);
--   * acknowledgement numbers run without gaps per store and year (a counter row, incremented in
--     the donation's transaction, so a rolled-back donation does not consume a number);
--   * an order is resolved once: only a pending order may change.

-- +goose Up
-- A store's rules (shelf life a donation must have left, pickup window, warning thresholds), as a
-- JSON document validated by the Go code; a store without a row uses the defaults.
CREATE TABLE store_policies (
    store_id   bigint      PRIMARY KEY REFERENCES stores (id),
    policy     jsonb       NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE store_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint      NOT NULL REFERENCES stores (id),
    name         text        NOT NULL,
    category     text        NOT NULL,
    unit         text        NOT NULL,
    price        bigint      NOT NULL,
    limit_qty    integer,
    limit_period text,
    min_stars    smallint    NOT NULL DEFAULT 0,
    low_stock    integer     NOT NULL DEFAULT 0,
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_items_store_id_key UNIQUE (store_id, id),
    CONSTRAINT store_items_name_key UNIQUE (store_id, name),
    CONSTRAINT store_items_name CHECK (length(name) BETWEEN 1 AND 100),
    -- Medicines are not accepted by charity supermarkets: there is no category for them.
    CONSTRAINT store_items_category CHECK (category IN ('food', 'grain_oil', 'daily', 'clothing', 'stationery',
        'appliance', 'other')),
    CONSTRAINT store_items_unit CHECK (length(unit) BETWEEN 1 AND 10),
    CONSTRAINT store_items_price CHECK (price BETWEEN 1 AND 6000000),
    CONSTRAINT store_items_limit CHECK ((limit_qty IS NULL) = (limit_period IS NULL)
        AND (limit_qty IS NULL OR limit_qty BETWEEN 1 AND 10000)
        AND (limit_period IS NULL OR limit_period IN ('week', 'month', 'quarter'))),
    CONSTRAINT store_items_min_stars CHECK (min_stars BETWEEN 0 AND 10),
    CONSTRAINT store_items_low_stock CHECK (low_stock BETWEEN 0 AND 1000000)
);

CREATE TABLE store_donations (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id           bigint      NOT NULL REFERENCES stores (id),
    year               smallint    NOT NULL,
    seq                integer     NOT NULL,
    number             text        NOT NULL,
    donor_kind         text        NOT NULL,
    donor_name         text,
    -- Only the masked form of a donor's phone number is kept: it lets the acknowledgement show whose
    -- it is without the store holding a list of numbers (PIPL: collect only what a function needs).
    donor_phone_masked text,
    note               text        NOT NULL DEFAULT '',
    total_value_fen    bigint      NOT NULL,
    handler            text        NOT NULL,
    handler_name       text        NOT NULL,
    idem_scope         text        NOT NULL,
    idem_key           text        NOT NULL,
    request_hash       bytea       NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_donations_number_key UNIQUE (store_id, year, seq),
    CONSTRAINT store_donations_idempotency UNIQUE (idem_scope, idem_key),
    CONSTRAINT store_donations_seq CHECK (seq >= 1),
    CONSTRAINT store_donations_donor_kind CHECK (donor_kind IN ('resident', 'merchant', 'organization', 'anonymous')),
    CONSTRAINT store_donations_anonymous CHECK (donor_kind <> 'anonymous'
        OR (donor_name IS NULL AND donor_phone_masked IS NULL)),
    CONSTRAINT store_donations_donor_name CHECK (length(donor_name) BETWEEN 1 AND 100),
    CONSTRAINT store_donations_phone_masked CHECK (donor_phone_masked ~ '^1[3-9][0-9]\*{4}[0-9]{4}$'),
    CONSTRAINT store_donations_note CHECK (length(note) <= 500),
    CONSTRAINT store_donations_value CHECK (total_value_fen >= 0)
);

CREATE TABLE store_donation_lines (
    donation_id bigint   NOT NULL REFERENCES store_donations (id),
    line        smallint NOT NULL,
    item_id     bigint   NOT NULL REFERENCES store_items (id),
    qty         integer  NOT NULL,
    best_before date,
    produced_on date,
    value_fen   bigint   NOT NULL,
    lot_id      bigint   NOT NULL,
    PRIMARY KEY (donation_id, line),
    CONSTRAINT store_donation_lines_qty CHECK (qty BETWEEN 1 AND 100000),
    CONSTRAINT store_donation_lines_value CHECK (value_fen BETWEEN 0 AND 100000000),
    CONSTRAINT store_donation_lines_dates CHECK (produced_on IS NULL OR best_before > produced_on)
);

-- The last acknowledgement number given per store and year.
CREATE TABLE store_ack_counters (
    store_id bigint   NOT NULL REFERENCES stores (id),
    year     smallint NOT NULL,
    last     integer  NOT NULL,
    PRIMARY KEY (store_id, year)
);

-- Write-offs and stock counts: the header of a batch of movements, with who did it and why.
CREATE TABLE store_adjustments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint      NOT NULL REFERENCES stores (id),
    kind         text        NOT NULL,
    reason       text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    actor        text        NOT NULL,
    idem_scope   text        NOT NULL,
    idem_key     text        NOT NULL,
    request_hash bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_adjustments_idempotency UNIQUE (idem_scope, idem_key),
    CONSTRAINT store_adjustments_kind CHECK (kind IN ('writeoff', 'count')),
    CONSTRAINT store_adjustments_reason CHECK (reason IN ('expired', 'damaged', 'spoiled', 'lost', 'recount', 'other')),
    CONSTRAINT store_adjustments_note CHECK (length(note) <= 500)
);

CREATE TABLE store_lots (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id    bigint      NOT NULL,
    item_id     bigint      NOT NULL,
    best_before date,
    source      text        NOT NULL,
    donation_id bigint REFERENCES store_donations (id),
    on_hand     integer     NOT NULL DEFAULT 0,
    reserved    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (store_id, item_id) REFERENCES store_items (store_id, id),
    CONSTRAINT store_lots_on_hand CHECK (on_hand >= 0),
    CONSTRAINT store_lots_reserved CHECK (reserved >= 0 AND reserved <= on_hand),
    CONSTRAINT store_lots_source CHECK (source IN ('donation', 'purchase', 'other')),
    CONSTRAINT store_lots_donation CHECK ((source = 'donation') = (donation_id IS NOT NULL))
);
-- First-expiring-first: the lots of an item that still have stock, earliest best-before first.
CREATE INDEX store_lots_fefo ON store_lots (item_id, best_before NULLS LAST, id) WHERE on_hand > 0;
CREATE INDEX store_lots_store ON store_lots (store_id, item_id) WHERE on_hand > 0;
ALTER TABLE store_donation_lines ADD CONSTRAINT store_donation_lines_lot_fkey
    FOREIGN KEY (lot_id) REFERENCES store_lots (id);

-- Orders: online orders (credits held, stock reserved until pickup) and walk-in sales at the counter
-- (handed out and charged at once).
CREATE TABLE store_orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint      NOT NULL REFERENCES stores (id),
    user_id      bigint      NOT NULL REFERENCES users (id),
    channel      text        NOT NULL,
    status       text        NOT NULL,
    total        bigint      NOT NULL,
    charged      bigint,
    hold_id      bigint,
    tx_id        bigint,
    pickup_nonce text,
    idem_scope   text        NOT NULL,
    idem_key     text        NOT NULL,
    request_hash bytea       NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    resolved_at  timestamptz,
    resolved_by  text,
    CONSTRAINT store_orders_idempotency UNIQUE (idem_scope, idem_key),
    CONSTRAINT store_orders_channel CHECK (channel IN ('online', 'counter')),
    CONSTRAINT store_orders_status CHECK (status IN ('pending', 'fulfilled', 'cancelled', 'expired')),
    CONSTRAINT store_orders_total CHECK (total > 0),
    CONSTRAINT store_orders_charged CHECK ((status = 'fulfilled') = (charged IS NOT NULL)
        AND (charged IS NULL OR charged BETWEEN 1 AND total)),
    -- An online order's hold is placed right after the order row (its key names the order) and
    -- set in the same transaction; a walk-in sale is charged at once, without a hold.
    CONSTRAINT store_orders_online CHECK (channel <> 'online'
        OR (expires_at IS NOT NULL AND (status = 'pending' OR hold_id IS NOT NULL))),
    CONSTRAINT store_orders_counter CHECK (channel <> 'counter' OR (hold_id IS NULL AND expires_at IS NULL)),
    CONSTRAINT store_orders_resolved CHECK ((status = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX store_orders_user ON store_orders (user_id, created_at);
CREATE INDEX store_orders_store ON store_orders (store_id, created_at);
CREATE INDEX store_orders_due ON store_orders (expires_at) WHERE status = 'pending';

CREATE TABLE store_order_lines (
    order_id   bigint   NOT NULL REFERENCES store_orders (id),
    line       smallint NOT NULL,
    item_id    bigint   NOT NULL REFERENCES store_items (id),
    qty        integer  NOT NULL,
    price      bigint   NOT NULL,
    handed_out integer,
    PRIMARY KEY (order_id, line),
    CONSTRAINT store_order_lines_qty CHECK (qty BETWEEN 1 AND 1000),
    CONSTRAINT store_order_lines_handed_out CHECK (handed_out BETWEEN 0 AND qty)
);
CREATE INDEX store_order_lines_item ON store_order_lines (item_id);

-- Which lots an online order's reservation took, line by line.
CREATE TABLE store_allocations (
    order_id bigint   NOT NULL REFERENCES store_orders (id),
    line     smallint NOT NULL,
    lot_id   bigint   NOT NULL REFERENCES store_lots (id),
    qty      integer  NOT NULL,
    PRIMARY KEY (order_id, line, lot_id),
    CONSTRAINT store_allocations_qty CHECK (qty >= 1)
);

-- The stock journal. Each row moves on-hand and reserved of one lot by the deltas its kind allows.
CREATE TABLE store_movements (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id       bigint      NOT NULL,
    item_id        bigint      NOT NULL,
    lot_id         bigint      NOT NULL REFERENCES store_lots (id),
    kind           text        NOT NULL,
    on_hand_delta  integer     NOT NULL,
    reserved_delta integer     NOT NULL,
    on_hand_after  integer     NOT NULL,
    reserved_after integer     NOT NULL,
    ref            text        NOT NULL,
    reason         text,
    actor          text        NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_movements_kind CHECK (CASE kind
        WHEN 'received'    THEN on_hand_delta > 0 AND reserved_delta = 0
        WHEN 'reserved'    THEN on_hand_delta = 0 AND reserved_delta > 0
        WHEN 'released'    THEN on_hand_delta = 0 AND reserved_delta < 0
        -- from a reservation (an online order) or straight off the shelf (a walk-in sale)
        WHEN 'handed_out'  THEN on_hand_delta < 0 AND reserved_delta IN (0, on_hand_delta)
        WHEN 'written_off' THEN on_hand_delta < 0 AND reserved_delta = 0 AND reason IS NOT NULL
        WHEN 'counted'     THEN reserved_delta = 0 AND (on_hand_delta = 0 OR reason IS NOT NULL)
        ELSE false END),
    CONSTRAINT store_movements_ref CHECK (ref ~ '^[a-z]+:[0-9]+$')
);
CREATE INDEX store_movements_lot ON store_movements (lot_id, id);
CREATE INDEX store_movements_store ON store_movements (store_id, id);
CREATE INDEX store_movements_ref ON store_movements (ref);

-- +goose StatementBegin
-- store_apply_movement applies a movement to its lot and records the lot's state after it. The
-- lot's CHECKs refuse a movement that would take on-hand below zero or reserved past on-hand.
CREATE FUNCTION store_apply_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE store_lots SET on_hand = on_hand + NEW.on_hand_delta, reserved = reserved + NEW.reserved_delta
     WHERE id = NEW.lot_id
    RETURNING on_hand, reserved, store_id, item_id
         INTO NEW.on_hand_after, NEW.reserved_after, NEW.store_id, NEW.item_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no lot %', NEW.lot_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_movements_apply BEFORE INSERT ON store_movements
    FOR EACH ROW EXECUTE FUNCTION store_apply_movement();

-- +goose StatementBegin
-- store_lots_through_journal refuses any change of a lot's quantities that does not come from a
-- movement (the movement trigger's UPDATE runs one trigger level deeper than a client's), and
-- any change of what a lot is.
CREATE FUNCTION store_lots_through_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.on_hand <> 0 OR NEW.reserved <> 0 THEN
            RAISE EXCEPTION 'a lot starts empty: receive stock with a movement' USING ERRCODE = 'TB101';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.store_id, NEW.item_id, NEW.best_before, NEW.source, NEW.donation_id, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.store_id, OLD.item_id, OLD.best_before, OLD.source, OLD.donation_id, OLD.created_at)
       OR ((NEW.on_hand, NEW.reserved) IS DISTINCT FROM (OLD.on_hand, OLD.reserved) AND pg_trigger_depth() < 2) THEN
        RAISE EXCEPTION 'lot % changes only through the stock journal', OLD.id USING ERRCODE = 'TB101';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_lots_through_journal BEFORE INSERT OR UPDATE ON store_lots
    FOR EACH ROW EXECUTE FUNCTION store_lots_through_journal();

-- +goose StatementBegin
CREATE FUNCTION store_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'TB101', HINT = 'correct stock with a count or a write-off, which append movements';
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_movements_append_only BEFORE UPDATE OR DELETE ON store_movements
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_movements_no_truncate BEFORE TRUNCATE ON store_movements
    FOR EACH STATEMENT EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_lots_no_delete BEFORE DELETE ON store_lots
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_lots_no_truncate BEFORE TRUNCATE ON store_lots
    FOR EACH STATEMENT EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_donations_append_only BEFORE UPDATE OR DELETE ON store_donations
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_donation_lines_append_only BEFORE UPDATE OR DELETE ON store_donation_lines
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();
CREATE TRIGGER store_allocations_append_only BEFORE UPDATE OR DELETE ON store_allocations
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();

-- +goose StatementBegin
-- An order is resolved once: a pending order may get its hold (once) and become fulfilled, cancelled
-- or expired, and then nothing about it changes again.
CREATE FUNCTION store_orders_resolve_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending'
       OR (OLD.hold_id IS NOT NULL AND NEW.hold_id IS DISTINCT FROM OLD.hold_id)
       OR (NEW.id, NEW.store_id, NEW.user_id, NEW.channel, NEW.total, NEW.pickup_nonce, NEW.idem_scope, NEW.idem_key,
           NEW.request_hash, NEW.created_by, NEW.created_at, NEW.expires_at)
          IS DISTINCT FROM (OLD.id, OLD.store_id, OLD.user_id, OLD.channel, OLD.total, OLD.pickup_nonce, OLD.idem_scope,
           OLD.idem_key, OLD.request_hash, OLD.created_by, OLD.created_at, OLD.expires_at) THEN
        RAISE EXCEPTION 'order % is % or its terms would change', OLD.id, OLD.status USING ERRCODE = 'TB101';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_orders_resolve_once BEFORE UPDATE ON store_orders
    FOR EACH ROW EXECUTE FUNCTION store_orders_resolve_once();
CREATE TRIGGER store_orders_no_delete BEFORE DELETE ON store_orders
    FOR EACH ROW EXECUTE FUNCTION store_refuse_change();

-- +goose Down
DROP TABLE store_movements;
DROP TABLE store_allocations;
DROP TABLE store_order_lines;
DROP TABLE store_orders;
DROP TABLE store_lots;
DROP TABLE store_adjustments;
DROP TABLE store_ack_counters;
DROP TABLE store_donation_lines;
DROP TABLE store_donations;
DROP TABLE store_items;
DROP TABLE store_policies;
DROP FUNCTION store_orders_resolve_once();
DROP FUNCTION store_refuse_change();
DROP FUNCTION store_lots_through_journal();
DROP FUNCTION store_apply_movement();
