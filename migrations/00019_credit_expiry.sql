-- Credits that expire: each earning made while its organization's credit policy sets an expiry is a
-- lot that expires that many months after it was earned. A worker posts what is left of a due lot,
-- earned-first-spent-first, as an `expire` transaction to the expiry account, and tells the
-- volunteer 30 days before. Service records never change.

-- +goose Up
CREATE TABLE credit_lots (
    earn_tx_id   bigint      PRIMARY KEY REFERENCES ledger_transactions (id),
    user_id      bigint      NOT NULL REFERENCES users (id),
    org_id       bigint      NOT NULL REFERENCES organizations (id),
    amount       bigint      NOT NULL,
    expires_at   timestamptz NOT NULL,
    notified_at  timestamptz,
    settled_at   timestamptz,
    expired      bigint      NOT NULL DEFAULT 0,
    expire_tx_id bigint REFERENCES ledger_transactions (id),
    CONSTRAINT credit_lots_amount CHECK (amount > 0),
    CONSTRAINT credit_lots_expired CHECK (expired BETWEEN 0 AND amount),
    CONSTRAINT credit_lots_settled CHECK (settled_at IS NOT NULL OR (expired = 0 AND expire_tx_id IS NULL))
);
-- The worker's look-ups: lots not settled yet, by when they are due.
CREATE INDEX credit_lots_due ON credit_lots (expires_at) WHERE settled_at IS NULL;
CREATE INDEX credit_lots_user ON credit_lots (user_id);

-- +goose Down
DROP TABLE credit_lots;
