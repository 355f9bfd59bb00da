-- Postings that arrive together, written together.
--
-- On a machine whose disk syncs fast, a posting's cost is mostly CPU: its statement, its commit, the
-- statements inside ledger_post. ledger_post_many posts a batch of transactions in one statement and
-- one commit, in a fixed number of statements whatever the batch's size, and decides each request as
-- ledger_post would decide it alone, one after another in the batch's order:
--   * a key already used answers the original transaction (replayed) or TB003 when the request
--     differs, also when the first use is earlier in the same batch;
--   * the first account in id order whose available balance would go below zero: TB001;
--   * else the first unknown account code: TB002;
--   * else the transaction is accepted and the balances it leaves are what the next requests see.
-- A refused request writes nothing and does not stop the others: each gets its own row, with the
-- error's code and detail. No subtransaction is needed, because every check is made on rows the
-- batch holds locked before anything is written.
--
-- Rows are locked in account order, as ledger_post locks them, at the start: each guarded account's
-- one row, and one free row of each split account (the whole batch posts to that row). The writes
-- are then one insert of the transactions, one of the postings (so the zero-sum trigger runs once),
-- one update of the balance rows and one outbox row. The table invariants stay the judges: a batch
-- whose writes broke a CHECK or the zero-sum trigger fails as a whole, as does a batch where an
-- idempotency key was taken by another transaction meanwhile (TB010); the caller then posts its
-- requests one by one.

-- +goose Up
-- +goose StatementBegin
-- ledger_post_many posts request i (from 1) with key p_keys[i], hash p_hashes[i], kind p_kinds[i],
-- memo, reference and actor, and the p_counts[i] postings that follow the previous requests' in
-- p_codes and p_amounts. It returns one row per request: r_n (i), r_err and r_detail (a refusal's
-- SQLSTATE and detail, as ledger_post would raise them), and otherwise the transaction's id, whether
-- it is a replay, and for a new transaction the state of each balance row right after its posting,
-- in the request's order of postings.
CREATE FUNCTION ledger_post_many(p_keys text[], p_hashes bytea[], p_kinds text[], p_memos text[], p_refs text[],
                                 p_actors text[], p_counts int[], p_codes text[], p_amounts bigint[])
RETURNS TABLE (r_n int, r_err text, r_detail text, r_tx bigint, r_replayed boolean, r_at timestamptz,
               r_accounts bigint[], r_codes text[], r_slots smallint[], r_nslots smallint[], r_posted bigint[],
               r_pending bigint[], r_versions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_n     int := coalesce(cardinality(p_keys), 0);
    v_m     int := coalesce(cardinality(p_codes), 0);
    -- The batch's accounts in id order, the balance row each posts to, and that row's state.
    a_id    bigint[];
    a_code  text[];
    a_n     smallint[];
    a_slot  smallint[];
    a_neg   boolean[];
    a_post  bigint[];
    a_pend  bigint[];
    a_ver   bigint[];
    a_post0 bigint[];
    a_ver0  bigint[];
    v_one   bigint[];
    v_lo    bigint := 0;
    v_slot  smallint;
    v_pick  smallint;
    -- Keys used before the batch.
    e_key   text[];
    e_id    bigint[];
    e_hash  bytea[];
    -- Accepted requests, and their postings (o_*), in order.
    k_item  int[] := '{}';
    k_key   text[] := '{}';
    o_item  int[] := '{}';
    o_idx   int[] := '{}';
    o_amt   bigint[] := '{}';
    o_post  bigint[] := '{}';
    o_ver   bigint[] := '{}';
    v_o     int := 0;
    -- Per request: refusal, transaction, replay of an accepted request, first posting in o_*.
    s_err   text[];
    s_det   text[];
    s_tx    bigint[];
    s_of    int[];
    s_first int[];
    t_key   text[];
    t_id    bigint[];
    v_off   int := 0;
    v_bad   int;
    v_miss  text;
    i       int;
    j       int;
    k       int;
    x       int;
BEGIN
    IF cardinality(p_hashes) IS DISTINCT FROM v_n OR cardinality(p_kinds) IS DISTINCT FROM v_n
       OR cardinality(p_memos) IS DISTINCT FROM v_n OR cardinality(p_refs) IS DISTINCT FROM v_n
       OR cardinality(p_actors) IS DISTINCT FROM v_n OR cardinality(p_counts) IS DISTINCT FROM v_n
       OR cardinality(p_amounts) IS DISTINCT FROM v_m
       OR (SELECT coalesce(sum(c), 0) FROM unnest(p_counts) AS c) <> v_m THEN
        RAISE EXCEPTION 'ledger_post_many needs one key, hash, kind, memo, reference, actor and count per request'
            USING ERRCODE = 'TB010';
    END IF;
    SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}'), coalesce(array_agg(a.code ORDER BY a.id), '{}'),
           coalesce(array_agg(a.slots ORDER BY a.id), '{}'),
           coalesce(array_agg(a.id ORDER BY a.id) FILTER (WHERE a.slots = 1), '{}')
      INTO a_id, a_code, a_n, v_one
      FROM (SELECT DISTINCT c FROM unnest(p_codes) AS c) x
      CROSS JOIN LATERAL (SELECT a.id, a.code, a.slots FROM ledger_accounts a WHERE a.code = x.c OFFSET 0) a;
    a_slot := array_fill(0::smallint, ARRAY[cardinality(a_id)]);
    -- Lock in account order: the one-row accounts below each split account, then a free row of it.
    FOR i IN 1..cardinality(a_id) LOOP
        CONTINUE WHEN a_n[i] = 1;
        PERFORM FROM ledger_balances b
         WHERE b.account_id = ANY((SELECT v_one)::bigint[]) AND b.account_id > v_lo AND b.account_id < a_id[i]
           AND b.slot = 0
         ORDER BY b.account_id FOR UPDATE;
        v_slot := floor(random() * a_n[i])::smallint;
        SELECT f.slot INTO v_pick FROM ledger_balances f WHERE f.account_id = a_id[i] AND f.slot = v_slot
           FOR UPDATE SKIP LOCKED;
        IF v_pick IS NULL THEN
            SELECT f.slot INTO v_pick FROM ledger_balances f WHERE f.account_id = a_id[i]
             ORDER BY (f.slot - v_slot + a_n[i]) % a_n[i] LIMIT 1 FOR UPDATE SKIP LOCKED;
        END IF;
        IF v_pick IS NULL THEN
            -- Every row is taken: wait for the random one.
            v_pick := v_slot;
            PERFORM FROM ledger_balances f WHERE f.account_id = a_id[i] AND f.slot = v_pick FOR UPDATE;
        END IF;
        a_slot[i] := v_pick;
        v_lo := a_id[i];
    END LOOP;
    PERFORM FROM ledger_balances b
     WHERE b.account_id = ANY((SELECT v_one)::bigint[]) AND b.account_id > v_lo AND b.slot = 0
     ORDER BY b.account_id FOR UPDATE;
    SELECT coalesce(array_agg(b.posted ORDER BY x.i), '{}'), coalesce(array_agg(b.pending ORDER BY x.i), '{}'),
           coalesce(array_agg(b.version ORDER BY x.i), '{}'), coalesce(array_agg(b.allow_negative ORDER BY x.i), '{}')
      INTO a_post, a_pend, a_ver, a_neg
      FROM unnest(a_id, a_slot) WITH ORDINALITY AS x (id, slot, i)
      CROSS JOIN LATERAL (SELECT b.posted, b.pending, b.version, b.allow_negative FROM ledger_balances b
                          WHERE b.account_id = x.id AND b.slot = x.slot OFFSET 0) b;
    a_post0 := a_post;
    a_ver0 := a_ver;
    SELECT array_agg(t.idempotency_key), array_agg(t.id), array_agg(t.request_hash) INTO e_key, e_id, e_hash
      FROM ledger_transactions t WHERE t.idempotency_key = ANY((SELECT p_keys)::text[]);

    -- Decide each request in order, on the balances the accepted ones before it leave.
    s_err := array_fill(NULL::text, ARRAY[v_n]);
    s_det := array_fill(NULL::text, ARRAY[v_n]);
    s_tx := array_fill(NULL::bigint, ARRAY[v_n]);
    s_of := array_fill(NULL::int, ARRAY[v_n]);
    s_first := array_fill(NULL::int, ARRAY[v_n]);
    FOR i IN 1..v_n LOOP
        k := array_position(e_key, p_keys[i]);
        IF k IS NOT NULL THEN
            IF e_hash[k] = p_hashes[i] THEN s_tx[i] := e_id[k]; ELSE s_err[i] := 'TB003'; END IF;
        ELSE
            k := array_position(k_key, p_keys[i]);
            IF k IS NOT NULL THEN
                IF p_hashes[k_item[k]] = p_hashes[i] THEN s_of[i] := k_item[k]; ELSE s_err[i] := 'TB003'; END IF;
            ELSE
                v_bad := NULL;
                v_miss := NULL;
                FOR j IN v_off + 1 .. v_off + p_counts[i] LOOP
                    x := array_position(a_code, p_codes[j]);
                    IF x IS NULL THEN
                        v_miss := least(v_miss, p_codes[j]);
                    ELSIF NOT a_neg[x] AND a_post[x] + p_amounts[j] - a_pend[x] < 0 AND (v_bad IS NULL OR x < v_bad) THEN
                        v_bad := x;
                    END IF;
                END LOOP;
                IF v_bad IS NOT NULL THEN
                    s_err[i] := 'TB001';
                    s_det[i] := a_code[v_bad];
                ELSIF v_miss IS NOT NULL THEN
                    s_err[i] := 'TB002';
                    s_det[i] := v_miss;
                ELSE
                    s_first[i] := v_o + 1;
                    FOR j IN v_off + 1 .. v_off + p_counts[i] LOOP
                        x := array_position(a_code, p_codes[j]);
                        a_post[x] := a_post[x] + p_amounts[j];
                        a_ver[x] := a_ver[x] + 1;
                        v_o := v_o + 1;
                        o_item[v_o] := i;
                        o_idx[v_o] := x;
                        o_amt[v_o] := p_amounts[j];
                        o_post[v_o] := a_post[x];
                        o_ver[v_o] := a_ver[x];
                    END LOOP;
                    k_item := k_item || i;
                    k_key := k_key || p_keys[i];
                END IF;
            END IF;
        END IF;
        v_off := v_off + p_counts[i];
    END LOOP;

    IF cardinality(k_item) > 0 THEN
        WITH t AS (
            INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash)
            SELECT p_kinds[x.i], p_memos[x.i], p_refs[x.i], p_actors[x.i], p_keys[x.i], p_hashes[x.i]
            FROM unnest(k_item) WITH ORDINALITY AS x (i, o)
            ORDER BY x.o
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id, idempotency_key
        )
        SELECT array_agg(t.idempotency_key), array_agg(t.id) INTO t_key, t_id FROM t;
        IF coalesce(cardinality(t_id), 0) <> cardinality(k_item) THEN
            RAISE EXCEPTION 'an idempotency key of the batch was taken by another transaction' USING ERRCODE = 'TB010';
        END IF;
        FOR k IN 1..cardinality(k_item) LOOP
            s_tx[k_item[k]] := t_id[array_position(t_key, p_keys[k_item[k]])];
        END LOOP;
        -- Postings in transaction order, each transaction's in account order, as ledger_post writes them.
        INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
        SELECT s_tx[x.item], a_id[x.idx], a_slot[x.idx], x.amt, x.post, x.ver
        FROM unnest(o_item, o_idx, o_amt, o_post, o_ver) AS x (item, idx, amt, post, ver)
        ORDER BY x.item, x.idx;
        UPDATE ledger_balances b
           SET posted = b.posted + (a_post[x.i] - a_post0[x.i]), version = b.version + (a_ver[x.i] - a_ver0[x.i])
          FROM generate_subscripts(a_id, 1) AS x (i)
         WHERE a_ver[x.i] <> a_ver0[x.i] AND b.account_id = a_id[x.i] AND b.slot = a_slot[x.i];
        INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions)
        SELECT array_agg(a_id[x.i]), array_agg(a_slot[x.i]), array_agg(a_post[x.i]), array_agg(a_pend[x.i]),
               array_agg(a_ver[x.i])
        FROM generate_subscripts(a_id, 1) AS x (i)
        WHERE a_ver[x.i] <> a_ver0[x.i];
    END IF;

    FOR i IN 1..v_n LOOP
        r_n := i;
        r_err := s_err[i];
        r_detail := s_det[i];
        r_tx := coalesce(s_tx[i], s_tx[s_of[i]]);
        r_replayed := r_err IS NULL AND s_first[i] IS NULL;
        r_at := NULL;
        r_accounts := NULL; r_codes := NULL; r_slots := NULL; r_nslots := NULL;
        r_posted := NULL; r_pending := NULL; r_versions := NULL;
        IF s_first[i] IS NOT NULL THEN
            r_at := now();
            r_accounts := '{}'; r_codes := '{}'; r_slots := '{}'; r_nslots := '{}';
            r_posted := '{}'; r_pending := '{}'; r_versions := '{}';
            k := 0;
            FOR j IN s_first[i] .. v_o LOOP
                EXIT WHEN o_item[j] <> i;
                x := o_idx[j];
                k := k + 1;
                r_accounts[k] := a_id[x];
                r_codes[k] := a_code[x];
                r_slots[k] := a_slot[x];
                r_nslots[k] := a_n[x];
                r_posted[k] := o_post[j];
                r_pending[k] := a_pend[x];
                r_versions[k] := o_ver[j];
            END LOOP;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
-- +goose StatementEnd

-- The joins are a handful of index probes each; a generic plan is made once per connection (see
-- 00006 and 00008).
ALTER FUNCTION ledger_post_many(text[], bytea[], text[], text[], text[], text[], int[], text[], bigint[])
    SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off;

-- +goose Down
DROP FUNCTION ledger_post_many(text[], bytea[], text[], text[], text[], text[], int[], text[], bigint[]);
