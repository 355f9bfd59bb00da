-- Every transaction has postings: checked at commit.
--
-- 00001's zero-sum trigger runs after each INSERT into ledger_postings, so a transaction row with no
-- posting at all was never checked. A deferred constraint trigger on ledger_transactions closes that:
-- at commit, each transaction inserted in it must have a posting. The zero-sum trigger has already
-- made sure that whatever postings it has are two or more and sum to zero, so one index probe on
-- ledger_postings' key (tx_id, account_id) is all this check needs.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION ledger_check_has_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM ledger_postings p WHERE p.tx_id = NEW.id) THEN
        RAISE EXCEPTION 'transaction % has no postings', NEW.id
            USING ERRCODE = '23514', CONSTRAINT = 'ledger_transactions_have_postings';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_transactions_have_postings AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_has_postings();

-- +goose Down
DROP TRIGGER ledger_transactions_have_postings ON ledger_transactions;
DROP FUNCTION ledger_check_has_postings();
