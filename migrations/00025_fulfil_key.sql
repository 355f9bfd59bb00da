-- A hand-out retried after its answer was lost (the counter's network dropped) is answered as the
-- first was, not with "already handed out": the order keeps the idempotency key of the request that
-- handed it out, and a hash of that request, so that only the same request under the same key is a
-- replay.

-- +goose Up
ALTER TABLE store_orders ADD COLUMN fulfil_key text, ADD COLUMN fulfil_hash bytea,
    ADD CONSTRAINT store_orders_fulfil_key CHECK ((fulfil_key IS NULL) = (fulfil_hash IS NULL));

-- +goose Down
ALTER TABLE store_orders DROP COLUMN fulfil_key, DROP COLUMN fulfil_hash;
