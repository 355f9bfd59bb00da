-- Every transaction has postings, checked at commit; a lighter posting path for hot accounts.
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

-- ledger_post, as in 00001, but with ledger_free_slot written out: a posting to a split (hot)
-- account picks a free balance row and updates it in one statement, instead of a function call that
-- locks the row and then a second statement that updates it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_post(p_key text, p_hash bytea, p_kind text, p_memo text, p_reference text, p_actor text,
                            p_codes text[], p_amounts bigint[], p_reverses bigint)
RETURNS TABLE (tx_id bigint, replayed boolean, at timestamptz, account_ids bigint[], codes text[],
               slots smallint[], nslots smallint[], posted bigint[], pending bigint[], versions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_tx    bigint;
    v_hash  bytea;
    r       record;
    v_slot  smallint;
    v_post  bigint;
    v_pend  bigint;
    v_ver   bigint;
    o_amt   bigint[] := '{}';
BEGIN
    INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash, reverses)
    VALUES (p_kind, p_memo, p_reference, p_actor, p_key, p_hash, p_reverses)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        SELECT t.id, t.request_hash INTO v_tx, v_hash FROM ledger_transactions t WHERE t.idempotency_key = p_key;
        IF v_hash IS DISTINCT FROM p_hash THEN
            RAISE EXCEPTION 'idempotency key % was used for another request', p_key USING ERRCODE = 'TB003';
        END IF;
        tx_id := v_tx;
        replayed := true;
        RETURN NEXT;
        RETURN;
    END IF;
    tx_id := v_tx;
    replayed := false;
    at := now();
    account_ids := '{}'; codes := '{}'; slots := '{}'; nslots := '{}'; posted := '{}'; pending := '{}'; versions := '{}';
    -- Rows are locked in account order, so two transactions over the same accounts never deadlock.
    FOR r IN
        SELECT a.id, a.code, a.slots AS nslots, x.amount
        FROM unnest(p_codes, p_amounts) AS x (code, amount)
        JOIN ledger_accounts a ON a.code = x.code
        ORDER BY a.id
    LOOP
        IF r.nslots = 1 THEN
            v_slot := 0;
            UPDATE ledger_balances b
               SET posted = b.posted + r.amount, version = b.version + 1
             WHERE b.account_id = r.id AND b.slot = 0
               AND (b.allow_negative OR b.posted + r.amount - b.pending >= 0)
            RETURNING b.posted, b.pending, b.version INTO v_post, v_pend, v_ver;
        ELSE
            -- A split account (it may go negative): update a random row if no other transaction
            -- holds it, picking and changing it in one statement.
            v_slot := floor(random() * r.nslots)::smallint;
            UPDATE ledger_balances b
               SET posted = b.posted + r.amount, version = b.version + 1
             WHERE b.account_id = r.id
               AND b.slot = (SELECT f.slot FROM ledger_balances f WHERE f.account_id = r.id AND f.slot = v_slot
                             FOR UPDATE SKIP LOCKED)
            RETURNING b.posted, b.pending, b.version INTO v_post, v_pend, v_ver;
            IF NOT FOUND THEN
                -- That row is taken: the next free one, or else wait for the random one.
                v_slot := coalesce((SELECT f.slot FROM ledger_balances f WHERE f.account_id = r.id
                                    ORDER BY (f.slot - v_slot + r.nslots) % r.nslots LIMIT 1
                                    FOR UPDATE SKIP LOCKED), v_slot);
                UPDATE ledger_balances b
                   SET posted = b.posted + r.amount, version = b.version + 1
                 WHERE b.account_id = r.id AND b.slot = v_slot
                RETURNING b.posted, b.pending, b.version INTO v_post, v_pend, v_ver;
            END IF;
        END IF;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'insufficient funds in %', r.code USING ERRCODE = 'TB001', DETAIL = r.code;
        END IF;
        account_ids := account_ids || r.id;
        codes := codes || r.code;
        slots := slots || v_slot;
        nslots := nslots || r.nslots;
        posted := posted || v_post;
        pending := pending || v_pend;
        versions := versions || v_ver;
        o_amt := o_amt || r.amount;
    END LOOP;
    IF cardinality(account_ids) <> cardinality(p_codes) THEN
        PERFORM ledger_resolve(p_codes); -- raises TB002 naming the unknown account
    END IF;
    INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
    SELECT v_tx, x.a, x.s, x.m, x.p, x.v FROM unnest(account_ids, slots, o_amt, posted, versions) AS x (a, s, m, p, v);
    INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions) VALUES (account_ids, slots, posted, pending, versions);
    RETURN NEXT;
END $$;
-- +goose StatementEnd


-- +goose Down
DROP TRIGGER ledger_transactions_have_postings ON ledger_transactions;
DROP FUNCTION ledger_check_has_postings();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_post(p_key text, p_hash bytea, p_kind text, p_memo text, p_reference text, p_actor text,
                            p_codes text[], p_amounts bigint[], p_reverses bigint)
RETURNS TABLE (tx_id bigint, replayed boolean, at timestamptz, account_ids bigint[], codes text[],
               slots smallint[], nslots smallint[], posted bigint[], pending bigint[], versions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_tx    bigint;
    v_hash  bytea;
    r       record;
    v_slot  smallint;
    v_post  bigint;
    v_pend  bigint;
    v_ver   bigint;
    o_amt   bigint[] := '{}';
BEGIN
    INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash, reverses)
    VALUES (p_kind, p_memo, p_reference, p_actor, p_key, p_hash, p_reverses)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        SELECT t.id, t.request_hash INTO v_tx, v_hash FROM ledger_transactions t WHERE t.idempotency_key = p_key;
        IF v_hash IS DISTINCT FROM p_hash THEN
            RAISE EXCEPTION 'idempotency key % was used for another request', p_key USING ERRCODE = 'TB003';
        END IF;
        tx_id := v_tx;
        replayed := true;
        RETURN NEXT;
        RETURN;
    END IF;
    tx_id := v_tx;
    replayed := false;
    at := now();
    account_ids := '{}'; codes := '{}'; slots := '{}'; nslots := '{}'; posted := '{}'; pending := '{}'; versions := '{}';
    -- Rows are locked in account order, so two transactions over the same accounts never deadlock.
    FOR r IN
        SELECT a.id, a.code, a.slots AS nslots, x.amount
        FROM unnest(p_codes, p_amounts) AS x (code, amount)
        JOIN ledger_accounts a ON a.code = x.code
        ORDER BY a.id
    LOOP
        v_slot := CASE WHEN r.nslots = 1 THEN 0 ELSE ledger_free_slot(r.id, r.nslots) END;
        UPDATE ledger_balances b
           SET posted = b.posted + r.amount, version = b.version + 1
         WHERE b.account_id = r.id AND b.slot = v_slot
           AND (b.allow_negative OR b.posted + r.amount - b.pending >= 0)
        RETURNING b.posted, b.pending, b.version INTO v_post, v_pend, v_ver;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'insufficient funds in %', r.code USING ERRCODE = 'TB001', DETAIL = r.code;
        END IF;
        account_ids := account_ids || r.id;
        codes := codes || r.code;
        slots := slots || v_slot;
        nslots := nslots || r.nslots;
        posted := posted || v_post;
        pending := pending || v_pend;
        versions := versions || v_ver;
        o_amt := o_amt || r.amount;
    END LOOP;
    IF cardinality(account_ids) <> cardinality(p_codes) THEN
        PERFORM ledger_resolve(p_codes); -- raises TB002 naming the unknown account
    END IF;
    INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
    SELECT v_tx, x.a, x.s, x.m, x.p, x.v FROM unnest(account_ids, slots, o_amt, posted, versions) AS x (a, s, m, p, v);
    INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions) VALUES (account_ids, slots, posted, pending, versions);
    RETURN NEXT;
END $$;
-- +goose StatementEnd

