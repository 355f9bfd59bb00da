-- Holds placed and committed many at a time.
--
-- A busy charity supermarket places and hands out orders many at once, and what each costs PostgreSQL
-- is mostly the cost of a statement (starting an executor, running a function's statements one by
-- one), not of the rows it writes. ledger_hold_many and ledger_hold_commit_many do for a batch of
-- holds what ledger_hold and ledger_hold_commit do for one, in a fixed number of statements whatever
-- the batch's size. They are all or nothing: a batch with any hold that cannot be placed or committed
-- (no account, not enough credits, not pending, expired) fails as a whole, and the caller places or
-- commits its holds one by one to learn which one and why. The invariants are the tables' own (the
-- balances' CHECKs, the holds' resolve-once trigger, the postings' zero-sum trigger), as for one hold.
--
-- Rows are locked in account order, as ledger_apply locks them, so a batch and a single posting
-- never wait for each other in a circle.
--
-- A batch is at most a few dozen holds, so every join in these functions is a handful of index
-- probes: hash and merge joins are switched off for them, since a generic plan that guesses a
-- large batch would otherwise read the whole of ledger_holds or ledger_balances to join a few rows.

-- +goose Up
-- +goose StatementBegin
-- ledger_hold_many reserves p_amounts[i] of p_from[i]'s available balance for a later transfer to
-- p_to[i], for every i, with keys p_keys. Every source must be a one-row (guarded) account, as a
-- volunteer's is. It returns one row per hold (n: its place in the arrays, from 1) with its source's
-- balance row after the batch.
CREATE FUNCTION ledger_hold_many(p_keys text[], p_hashes bytea[], p_kind text, p_memos text[], p_refs text[],
                                 p_actors text[], p_from text[], p_to text[], p_amounts bigint[], p_expires timestamptz[])
RETURNS TABLE (n bigint, hold_id bigint, replayed boolean, at timestamptz, account_id bigint, code text, slot smallint,
               slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_from  bigint[];
    v_to    bigint[];
    v_split text;
BEGIN
    SELECT array_agg(f.id ORDER BY x.n), array_agg(t.id ORDER BY x.n), min(x.f) FILTER (WHERE f.slots <> 1)
      INTO v_from, v_to, v_split
      FROM unnest(p_from, p_to) WITH ORDINALITY AS x (f, t, n)
      LEFT JOIN LATERAL (SELECT a.id, a.slots FROM ledger_accounts a WHERE a.code = x.f OFFSET 0) f ON true
      LEFT JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = x.t OFFSET 0) t ON true;
    IF array_position(v_from, NULL) IS NOT NULL OR array_position(v_to, NULL) IS NOT NULL THEN
        PERFORM ledger_resolve(p_from || p_to); -- raises TB002 naming the unknown account
    END IF;
    IF v_split IS NOT NULL THEN
        RAISE EXCEPTION 'ledger_hold_many holds only from one-row accounts, not %', v_split USING ERRCODE = 'TB010';
    END IF;
    PERFORM FROM ledger_balances b
     WHERE b.account_id = ANY((SELECT v_from)::bigint[]) AND b.slot = 0
     ORDER BY b.account_id FOR UPDATE;
    -- The balances' CHECK refuses a batch that would take any source's available balance below zero.
    RETURN QUERY
    WITH h AS (
        INSERT INTO ledger_holds (from_account, from_slot, to_account, amount, kind, memo, reference, created_by,
                                  idempotency_key, request_hash, expires_at)
        SELECT x.f, 0, x.t, x.amount, p_kind, x.memo, x.ref, x.actor, x.key, x.hash, x.expires
        FROM unnest(v_from, v_to, p_amounts, p_memos, p_refs, p_actors, p_keys, p_hashes, p_expires) WITH ORDINALITY
             AS x (f, t, amount, memo, ref, actor, key, hash, expires, n)
        ORDER BY x.n
        RETURNING id, from_account, amount, idempotency_key
    ), b AS (
        UPDATE ledger_balances bal
           SET pending = bal.pending + d.amount, version = bal.version + 1
          FROM (SELECT h.from_account, sum(h.amount) AS amount FROM h GROUP BY h.from_account) d
         WHERE bal.account_id = d.from_account AND bal.slot = 0
        RETURNING bal.account_id, bal.posted, bal.pending, bal.version
    ), o AS (
        INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions)
        SELECT array_agg(b.account_id), array_agg(0::smallint), array_agg(b.posted), array_agg(b.pending),
               array_agg(b.version)
        FROM b
    )
    SELECT k.n, h.id, false, now(), b.account_id, a.code, 0::smallint, 1::smallint, b.posted, b.pending, b.version
    FROM h
    JOIN unnest(p_keys) WITH ORDINALITY AS k (key, n) ON k.key = h.idempotency_key
    JOIN b ON b.account_id = h.from_account
    CROSS JOIN LATERAL (SELECT a.code FROM ledger_accounts a WHERE a.id = b.account_id OFFSET 0) a
    ORDER BY k.n;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- ledger_hold_commit_many commits each hold p_holds[i] for p_amounts[i] (1 to the held amount), by
-- p_actors[i], and
-- releases the rest of it, as ledger_hold_commit does one: a transaction of the hold's kind and terms
-- per hold, keyed 'ledger:hold:<id>:commit', posting from the hold's source row to a free row of its
-- destination. It returns, per transaction, a row for each of its two balance rows after the batch,
-- with n, the place of its hold in p_holds (from 1).
CREATE FUNCTION ledger_hold_commit_many(p_holds bigint[], p_amounts bigint[], p_actors text[])
RETURNS TABLE (n bigint, tx_id bigint, replayed boolean, at timestamptz, account_id bigint, code text, slot smallint,
               slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_bad   bigint;
    v_state text;
    v_lo    bigint := 0;
    r       record;
    v_to    bigint[] := '{}';
    v_slot  smallint[] := '{}';
BEGIN
    IF cardinality(p_holds) IS DISTINCT FROM cardinality(p_amounts)
       OR cardinality(p_holds) IS DISTINCT FROM cardinality(p_actors)
       OR (SELECT count(DISTINCT x) FROM unnest(p_holds) AS x) <> cardinality(p_holds) THEN
        RAISE EXCEPTION 'ledger_hold_commit_many needs distinct holds, each with an amount' USING ERRCODE = 'TB010';
    END IF;
    -- Lock the holds in id order, then name the first that cannot be committed.
    SELECT l.id, l.state INTO v_bad, v_state
      FROM (SELECT h.id,
                   CASE WHEN h.status <> 'pending' THEN h.status
                        WHEN h.expires_at <= now() THEN 'expired'
                        WHEN x.amount NOT BETWEEN 1 AND h.amount THEN 'amount'
                        WHEN a.id IS NOT NULL THEN 'source is a destination' END AS state
              FROM ledger_holds h
              CROSS JOIN LATERAL (SELECT c.amount FROM unnest(p_holds, p_amounts) AS c (id, amount)
                                  WHERE c.id = h.id LIMIT 1) x
              LEFT JOIN LATERAL (SELECT d.id FROM ledger_holds d
                                 WHERE d.id = ANY((SELECT p_holds)::bigint[]) AND d.to_account = h.from_account
                                 LIMIT 1) a ON true
             WHERE h.id = ANY((SELECT p_holds)::bigint[])
             ORDER BY h.id FOR UPDATE OF h) l
     WHERE l.state IS NOT NULL
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'hold % cannot be committed: %', v_bad, v_state USING ERRCODE = 'TB004', DETAIL = v_state;
    END IF;
    IF (SELECT count(*) FROM ledger_holds h WHERE h.id = ANY((SELECT p_holds)::bigint[])) <> cardinality(p_holds) THEN
        RAISE EXCEPTION 'no hold among %', p_holds USING ERRCODE = 'TB008';
    END IF;
    -- Lock the balance rows in account order: the sources' rows as they are, each destination's
    -- free row (a split account spreads the batches over its rows) where it falls in that order.
    FOR r IN
        SELECT a.id, a.slots FROM ledger_accounts a
        WHERE a.id IN (SELECT h.to_account FROM ledger_holds h WHERE h.id = ANY((SELECT p_holds)::bigint[]))
        ORDER BY a.id
    LOOP
        PERFORM FROM ledger_balances b
         WHERE (b.account_id, b.slot) IN (SELECT h.from_account, h.from_slot FROM ledger_holds h
                                          WHERE h.id = ANY((SELECT p_holds)::bigint[])
                                            AND h.from_account > v_lo AND h.from_account < r.id)
         ORDER BY b.account_id, b.slot FOR UPDATE;
        v_to := v_to || r.id;
        v_slot := v_slot || CASE WHEN r.slots = 1 THEN (SELECT b.slot FROM ledger_balances b
                                                       WHERE b.account_id = r.id AND b.slot = 0 FOR UPDATE)
                                 ELSE ledger_free_slot(r.id, r.slots) END;
        v_lo := r.id;
    END LOOP;
    PERFORM FROM ledger_balances b
     WHERE (b.account_id, b.slot) IN (SELECT h.from_account, h.from_slot FROM ledger_holds h
                                      WHERE h.id = ANY((SELECT p_holds)::bigint[]) AND h.from_account > v_lo)
     ORDER BY b.account_id, b.slot FOR UPDATE;
    RETURN QUERY
    WITH t AS (
        INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash, hold_id)
        SELECT h.kind, h.memo, h.reference, c.actor, 'ledger:hold:' || h.id || ':commit', h.request_hash, h.id
        FROM unnest(p_holds, p_actors) AS c (id, actor)
        JOIN ledger_holds h ON h.id = c.id
        ORDER BY h.id
        RETURNING id, ledger_transactions.hold_id
    ), x AS (
        SELECT c.n, t.id AS tx, h.id AS hold, h.from_account, h.from_slot, h.to_account, d.slot AS to_slot,
               c.amount, h.amount AS held
        FROM t
        JOIN ledger_holds h ON h.id = t.hold_id
        JOIN unnest(p_holds, p_amounts) WITH ORDINALITY AS c (id, amount, n) ON c.id = h.id
        JOIN unnest(v_to, v_slot) AS d (account_id, slot) ON d.account_id = h.to_account
    ), u AS (
        UPDATE ledger_holds h
           SET status = 'committed', committed_amount = x.amount, tx_id = x.tx, resolved_at = now()
          FROM x WHERE h.id = x.hold
    ), d AS (
        SELECT x.from_account AS account_id, x.from_slot AS slot, -sum(x.amount) AS posted, -sum(x.held) AS pending,
               count(*) AS n
        FROM x GROUP BY 1, 2
        UNION ALL
        SELECT x.to_account, x.to_slot, sum(x.amount), 0, count(*) FROM x GROUP BY 1, 2
    ), b AS (
        UPDATE ledger_balances bal
           SET posted = bal.posted + d.posted, pending = bal.pending + d.pending, version = bal.version + d.n
          FROM d WHERE bal.account_id = d.account_id AND bal.slot = d.slot
        RETURNING bal.account_id, bal.slot, bal.posted, bal.pending, bal.version, d.posted AS moved, d.n
    ), e AS (
        SELECT x.n, x.tx, x.from_account AS account_id, x.from_slot AS slot, -x.amount AS amount FROM x
        UNION ALL
        SELECT x.n, x.tx, x.to_account, x.to_slot, x.amount FROM x
    ), p AS (
        -- Each row's running balance and version go up posting by posting in transaction order,
        -- from what the row held before the batch.
        INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
        SELECT e.tx, e.account_id, e.slot, e.amount,
               b.posted - b.moved + sum(e.amount) OVER w, b.version - b.n + row_number() OVER w
        FROM e JOIN b ON b.account_id = e.account_id AND b.slot = e.slot
        WINDOW w AS (PARTITION BY e.account_id, e.slot ORDER BY e.tx)
        ORDER BY e.tx, e.account_id
    ), o AS (
        INSERT INTO ledger_outbox (account_ids, slots, posted, pending, versions)
        SELECT array_agg(b.account_id), array_agg(b.slot), array_agg(b.posted), array_agg(b.pending), array_agg(b.version)
        FROM b
    )
    SELECT e.n, e.tx, false, now(), b.account_id, a.code, b.slot, a.slots, b.posted, b.pending, b.version
    FROM e
    JOIN b ON b.account_id = e.account_id AND b.slot = e.slot
    CROSS JOIN LATERAL (SELECT a.code, a.slots FROM ledger_accounts a WHERE a.id = b.account_id OFFSET 0) a
    ORDER BY e.tx, b.account_id;
END $$;
-- +goose StatementEnd

ALTER FUNCTION ledger_hold_many(text[], bytea[], text, text[], text[], text[], text[], text[], bigint[], timestamptz[])
    SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION ledger_hold_commit_many(bigint[], bigint[], text[])
    SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off;

-- +goose Down
DROP FUNCTION ledger_hold_commit_many(bigint[], bigint[], text[]);
DROP FUNCTION ledger_hold_many(text[], bytea[], text, text[], text[], text[], text[], text[], bigint[], timestamptz[]);
