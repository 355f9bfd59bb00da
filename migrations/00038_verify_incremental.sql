-- What `timebank verify` needs to check from its checkpoints at a province's size.
--
-- The attendances still open or waiting for a decision, by id: the attendances' checkpoint stops
-- below the first of them (it reads min(id) of these; without the index, a walk of the primary key
-- past every decided attendance).
--
-- The reports' months by month: verify checks the months after its checkpoint's, and its digest
-- reads the checkpoint's month.
--
-- `timebank verify` recounts the reports' days in ranges of days at once; each range reads the
-- ledger's transactions of its days by their ids (the postings' key), as a rebuild does. This function
-- finds the first of them: the smallest transaction id created at t or later, reading ids as if in
-- order of time (the caller widens t by a margin where they are not), by a binary search on the
-- primary key; one past the last id when there is none. The same search as the report service's
-- firstTxAt.

-- +goose Up
CREATE INDEX attendances_undecided ON attendances (id) WHERE status IN ('open', 'closed');
CREATE INDEX report_monthly_month ON report_monthly (month);
CREATE INDEX report_region_monthly_month ON report_region_monthly (month);

-- +goose StatementBegin
CREATE FUNCTION report_first_tx_at(t timestamptz) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    lo  bigint := 0;
    hi  bigint;
    mid bigint;
    rid bigint;
    at  timestamptz;
BEGIN
    SELECT coalesce(max(id), 0) + 1 INTO hi FROM ledger_transactions;
    WHILE lo < hi LOOP
        mid := lo + (hi - lo) / 2;
        SELECT id, created_at INTO rid, at FROM ledger_transactions WHERE id >= mid ORDER BY id LIMIT 1;
        IF NOT FOUND THEN
            hi := mid;
        ELSIF at < t THEN
            lo := rid + 1;
        ELSE
            hi := mid;
        END IF;
    END LOOP;
    RETURN lo;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION report_first_tx_at(timestamptz);
DROP INDEX attendances_undecided;
DROP INDEX report_monthly_month;
DROP INDEX report_region_monthly_month;
