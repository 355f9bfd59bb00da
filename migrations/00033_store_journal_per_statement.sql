-- The stock journal applied once per statement instead of once per movement.
--
-- Until now a row trigger ran an UPDATE of the lot for every movement: an order's four movements
-- (reserved at placement, handed out at the counter) cost four lot updates, each with its own
-- executor start-up. Now a statement writes its movements with the lot's state after each one
-- (computed from the lots it has locked), and one statement trigger checks every movement against
-- its lot and moves each lot once, by the sum of its movements. The invariants stay in the
-- database: every movement must follow its lot exactly (same store and item, quantities after it
-- equal to the lot's before the statement plus the movements of the lot up to it, in id order),
-- no movement may leave a lot below zero or reserving more than it holds, and a lot changes only
-- by its journal, so a lot is always the sum of its movements.

-- +goose Up
ALTER TABLE store_movements
    ADD CONSTRAINT store_movements_on_hand_after CHECK (on_hand_after >= 0),
    ADD CONSTRAINT store_movements_reserved_after CHECK (reserved_after >= 0 AND reserved_after <= on_hand_after);

DROP TRIGGER store_movements_apply ON store_movements;
DROP FUNCTION store_apply_movement();

-- +goose StatementBegin
-- store_apply_movements moves each lot of the statement's movements by their sum, once, and
-- refuses the statement unless every movement states its lot's store, item and quantities after
-- it as they follow from the lot and the lot's earlier movements of the statement.
CREATE FUNCTION store_apply_movements() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    WITH s AS (
        SELECT lot_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
        FROM moved GROUP BY lot_id
    ), lot AS (
        UPDATE store_lots l SET on_hand = l.on_hand + s.on_hand, reserved = l.reserved + s.reserved
          FROM s
         WHERE l.id = s.lot_id
        RETURNING l.id, l.store_id, l.item_id, l.on_hand - s.on_hand AS on_hand0, l.reserved - s.reserved AS reserved0
    )
    SELECT m.id INTO bad
    FROM (SELECT id, lot_id, store_id, item_id, on_hand_after, reserved_after,
                 sum(on_hand_delta) OVER w AS on_hand, sum(reserved_delta) OVER w AS reserved
          FROM moved WINDOW w AS (PARTITION BY lot_id ORDER BY id)) m
    LEFT JOIN lot ON lot.id = m.lot_id
    WHERE lot.id IS NULL
       OR (m.store_id, m.item_id, m.on_hand_after, m.reserved_after)
          IS DISTINCT FROM (lot.store_id, lot.item_id, lot.on_hand0 + m.on_hand, lot.reserved0 + m.reserved)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'movement % does not follow its lot', bad USING ERRCODE = 'TB101';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_movements_apply AFTER INSERT ON store_movements
    REFERENCING NEW TABLE AS moved FOR EACH STATEMENT EXECUTE FUNCTION store_apply_movements();

-- +goose Down
DROP TRIGGER store_movements_apply ON store_movements;
DROP FUNCTION store_apply_movements();
ALTER TABLE store_movements
    DROP CONSTRAINT store_movements_on_hand_after,
    DROP CONSTRAINT store_movements_reserved_after;
-- +goose StatementBegin
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
