-- +goose Up
-- The holds released without a posting (voided or expired), by when: verify's comparison with
-- Redis from a checkpoint revisits their accounts, whose pending minutes changed with no transaction.
CREATE INDEX ledger_holds_released ON ledger_holds (resolved_at) WHERE status IN ('voided', 'expired');

-- +goose Down
DROP INDEX ledger_holds_released;
