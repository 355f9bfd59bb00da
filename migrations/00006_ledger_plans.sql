-- The ledger's functions keep their plans.
--
-- Inside a PL/pgSQL function every statement with parameters is a prepared statement, and PostgreSQL
-- replans it on each call when the plan for "some array" looks dearer than the plan for this array
-- of two. The account lookups over unnest(...) did exactly that: planning (about 0.1 ms) cost more
-- than running them. With plan_cache_mode = force_generic_plan the functions plan each statement
-- once per connection; the lookups are written as a lateral index probe per array element, so that
-- the one plan they get is the index plan whatever the size of ledger_accounts.

-- +goose Up
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
        CROSS JOIN LATERAL (SELECT a.id, a.code, a.slots FROM ledger_accounts a WHERE a.code = x.code OFFSET 0) a
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_apply(p_tx bigint, p_accounts bigint[], p_slots smallint[], p_amounts bigint[], p_pending bigint[])
RETURNS TABLE (account_id bigint, code text, slot smallint, slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r     record;
    o_acc bigint[] := '{}';
    o_slt smallint[] := '{}';
    o_pst bigint[] := '{}';
    o_pnd bigint[] := '{}';
    o_ver bigint[] := '{}';
    o_amt bigint[] := '{}';
BEGIN
    FOR r IN
        SELECT a.id, a.code, a.slots AS nslots, x.slot AS want, x.amount, x.pend
        FROM unnest(p_accounts, p_slots, p_amounts, p_pending) AS x (account_id, slot, amount, pend)
        CROSS JOIN LATERAL (SELECT a.id, a.code, a.slots FROM ledger_accounts a WHERE a.id = x.account_id OFFSET 0) a
        ORDER BY a.id
    LOOP
        account_id := r.id;
        code := r.code;
        slots := r.nslots;
        slot := CASE WHEN r.want >= 0 THEN r.want WHEN r.nslots = 1 THEN 0
                     ELSE ledger_free_slot(r.id, r.nslots) END;
        UPDATE ledger_balances b
           SET posted = b.posted + r.amount, pending = b.pending + r.pend, version = b.version + 1
         WHERE b.account_id = r.id AND b.slot = ledger_apply.slot
           AND (b.allow_negative OR b.posted + r.amount - (b.pending + r.pend) >= 0)
        RETURNING b.posted, b.pending, b.version INTO posted, pending, version;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'insufficient funds in %', r.code USING ERRCODE = 'TB001', DETAIL = r.code;
        END IF;
        o_acc := o_acc || r.id;
        o_slt := o_slt || ledger_apply.slot;
        o_pst := o_pst || posted;
        o_pnd := o_pnd || pending;
        o_ver := o_ver || version;
        o_amt := o_amt || r.amount;
        RETURN NEXT;
    END LOOP;
    IF p_tx IS NOT NULL THEN
        INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
        SELECT p_tx, x.a, x.s, x.m, x.p, x.v FROM unnest(o_acc, o_slt, o_amt, o_pst, o_ver) AS x (a, s, m, p, v)
        WHERE x.m <> 0;
    END IF;
    INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions) VALUES (o_acc, o_slt, o_pst, o_pnd, o_ver);
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_resolve(p_codes text[]) RETURNS bigint[] LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_ids     bigint[];
    v_missing text;
BEGIN
    SELECT array_agg(a.id ORDER BY x.ord), min(x.code) FILTER (WHERE a.id IS NULL)
      INTO v_ids, v_missing
      FROM unnest(p_codes) WITH ORDINALITY AS x (code, ord)
      LEFT JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = x.code OFFSET 0) a ON true;
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'no account %', v_missing USING ERRCODE = 'TB002', DETAIL = v_missing;
    END IF;
    RETURN v_ids;
END $$;
-- +goose StatementEnd

ALTER FUNCTION ledger_post(text, bytea, text, text, text, text, text[], bigint[], bigint) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ledger_apply(bigint, bigint[], smallint[], bigint[], bigint[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ledger_resolve(text[]) SET plan_cache_mode = force_generic_plan;

-- +goose Down
-- The lateral lookups return what the joins returned; only the planning mode is undone.
ALTER FUNCTION ledger_post(text, bytea, text, text, text, text, text[], bigint[], bigint) RESET plan_cache_mode;
ALTER FUNCTION ledger_apply(bigint, bigint[], smallint[], bigint[], bigint[]) RESET plan_cache_mode;
ALTER FUNCTION ledger_resolve(text[]) RESET plan_cache_mode;
