-- The double-entry ledger of time credits. Amounts are integer minutes.
--
-- PostgreSQL is the truth: the invariants live here, not only in Go code.
--   * every transaction's postings sum to zero (deferred constraint trigger, checked at commit);
--   * a guarded account (allow_negative = false) never has posted - pending below zero (CHECK);
--   * posted history (transactions, postings) is never updated or deleted (triggers).
--
-- An account's balance is kept in one or more "slots" (rows of ledger_balances). Guarded accounts have
-- exactly one slot, so their overdraft check is a row constraint. Accounts that may go negative (an
-- organization's issuing account, a store's redemption account) can be split into several slots, so
-- that concurrent postings to one hot account do not queue on a single row lock. The account's balance
-- is the sum of its slots; its version is the sum of the slots' versions, which grows by exactly one
-- with every change.

-- +goose Up
CREATE TABLE ledger_accounts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           text        NOT NULL,
    kind           text        NOT NULL,
    allow_negative boolean     NOT NULL,
    slots          smallint    NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_code_key UNIQUE (code),
    CONSTRAINT ledger_accounts_code_format CHECK (code ~ '^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$' AND length(code) <= 100),
    CONSTRAINT ledger_accounts_kind CHECK (kind IN ('volunteer', 'issuer', 'store', 'pool', 'system')),
    CONSTRAINT ledger_accounts_slots CHECK (slots BETWEEN 1 AND 64),
    CONSTRAINT ledger_accounts_guarded_single_slot CHECK (allow_negative OR slots = 1)
);

CREATE TABLE ledger_balances (
    account_id     bigint   NOT NULL REFERENCES ledger_accounts (id),
    slot           smallint NOT NULL,
    allow_negative boolean  NOT NULL,
    posted         bigint   NOT NULL DEFAULT 0,
    pending        bigint   NOT NULL DEFAULT 0,
    version        bigint   NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, slot),
    CONSTRAINT ledger_balances_pending CHECK (pending >= 0),
    CONSTRAINT ledger_balances_available CHECK (allow_negative OR posted - pending >= 0)
) WITH (fillfactor = 50);

CREATE TABLE ledger_transactions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL,
    memo            text        NOT NULL DEFAULT '',
    reference       text        NOT NULL DEFAULT '',
    created_by      text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    reverses        bigint REFERENCES ledger_transactions (id),
    hold_id         bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_transactions_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT ledger_transactions_kind CHECK (kind IN ('earn', 'redeem', 'transfer', 'donate', 'expire', 'adjust', 'reverse')),
    CONSTRAINT ledger_transactions_memo CHECK (length(memo) <= 500),
    CONSTRAINT ledger_transactions_reference CHECK (length(reference) <= 200),
    CONSTRAINT ledger_transactions_key CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    CONSTRAINT ledger_transactions_reverse_kind CHECK ((kind = 'reverse') = (reverses IS NOT NULL))
);

-- A transaction is reversed at most once (a partial index: ordinary transactions cost nothing here).
CREATE UNIQUE INDEX ledger_transactions_reverses_once ON ledger_transactions (reverses) WHERE reverses IS NOT NULL;

-- No foreign keys on postings: the posting function resolves accounts and creates the transaction
-- itself, and every foreign-key check is an index probe plus a row lock on the posting path (on a hot
-- account, multixact traffic); measured, the one to transactions alone cost ~7% of throughput. The
-- zero-sum trigger still refuses any set of postings that does not balance, and `timebank verify`
-- reports postings whose transaction or account does not exist.
-- The key is (tx_id, account_id): an account appears once per transaction, and the key doubles as the
-- index for reading a transaction's postings. id orders an account's statement.
CREATE TABLE ledger_postings (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    tx_id         bigint      NOT NULL,
    account_id    bigint      NOT NULL,
    slot          smallint    NOT NULL,
    amount        bigint      NOT NULL,
    balance_after bigint      NOT NULL,
    version_after bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tx_id, account_id),
    CONSTRAINT ledger_postings_amount CHECK (amount <> 0)
);
CREATE INDEX ledger_postings_account ON ledger_postings (account_id, id DESC);

CREATE TABLE ledger_holds (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_account     bigint      NOT NULL REFERENCES ledger_accounts (id),
    from_slot        smallint    NOT NULL,
    to_account       bigint      NOT NULL REFERENCES ledger_accounts (id),
    amount           bigint      NOT NULL,
    kind             text        NOT NULL,
    memo             text        NOT NULL DEFAULT '',
    reference        text        NOT NULL DEFAULT '',
    created_by       text        NOT NULL,
    idempotency_key  text        NOT NULL,
    request_hash     bytea       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending',
    committed_amount bigint,
    tx_id            bigint REFERENCES ledger_transactions (id),
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    CONSTRAINT ledger_holds_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT ledger_holds_amount CHECK (amount > 0),
    CONSTRAINT ledger_holds_accounts CHECK (from_account <> to_account),
    CONSTRAINT ledger_holds_status CHECK (status IN ('pending', 'committed', 'voided', 'expired')),
    CONSTRAINT ledger_holds_committed CHECK ((status = 'committed') = (tx_id IS NOT NULL)
        AND (status <> 'committed' OR committed_amount BETWEEN 1 AND amount)),
    CONSTRAINT ledger_holds_kind CHECK (kind IN ('earn', 'redeem', 'transfer', 'donate', 'expire', 'adjust')),
    CONSTRAINT ledger_holds_memo CHECK (length(memo) <= 500),
    CONSTRAINT ledger_holds_reference CHECK (length(reference) <= 200)
);
CREATE INDEX ledger_holds_due ON ledger_holds (expires_at) WHERE status = 'pending';
CREATE INDEX ledger_holds_from ON ledger_holds (from_account, from_slot) WHERE status = 'pending';

-- The balance rows each write changed, in one row per write, written in the same transaction, so that
-- the Redis projection can be repaired by the relay when the write after commit is lost (crash, Redis
-- down). The relay deletes what it drained, so the table stays small; it has no index, because every
-- index is paid for on the posting path and the relay reads the table whole.
CREATE TABLE ledger_outbox (
    account_ids bigint[]    NOT NULL,
    slots       smallint[]  NOT NULL,
    posted      bigint[]    NOT NULL,
    pending     bigint[]    NOT NULL,
    versions    bigint[]    NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'TB009', HINT = 'correct a mistake with a reversing transaction';
END $$;
-- +goose StatementEnd

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_append_only BEFORE UPDATE OR DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holds_no_delete BEFORE DELETE ON ledger_holds
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holds_no_truncate BEFORE TRUNCATE ON ledger_holds
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A hold is resolved once: only a pending hold may change, and only its resolution columns.
-- +goose StatementBegin
CREATE FUNCTION ledger_holds_resolve_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending'
       OR (NEW.id, NEW.from_account, NEW.from_slot, NEW.to_account, NEW.amount, NEW.kind, NEW.memo,
           NEW.reference, NEW.created_by, NEW.idempotency_key, NEW.request_hash, NEW.expires_at, NEW.created_at)
          IS DISTINCT FROM
          (OLD.id, OLD.from_account, OLD.from_slot, OLD.to_account, OLD.amount, OLD.kind, OLD.memo,
           OLD.reference, OLD.created_by, OLD.idempotency_key, OLD.request_hash, OLD.expires_at, OLD.created_at)
    THEN
        RAISE EXCEPTION 'hold % is resolved or its terms would change', OLD.id USING ERRCODE = 'TB009';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_holds_resolve_once BEFORE UPDATE ON ledger_holds
    FOR EACH ROW EXECUTE FUNCTION ledger_holds_resolve_once();

-- Zero sum: after every INSERT statement into ledger_postings, each transaction it touched has two or
-- more postings summing to zero. The ledger inserts a transaction's postings in one statement, so this
-- runs once per transaction; an unbalanced insert fails before it can commit.
-- +goose StatementBegin
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_bad record;
BEGIN
    SELECT n.tx_id, s.total, s.n INTO v_bad
      FROM (SELECT DISTINCT tx_id FROM new_postings) n
      CROSS JOIN LATERAL (SELECT coalesce(sum(p.amount), 0) AS total, count(*) AS n
                          FROM ledger_postings p WHERE p.tx_id = n.tx_id) s
     WHERE s.total <> 0 OR s.n < 2
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'transaction % does not balance: % postings summing to %', v_bad.tx_id, v_bad.n, v_bad.total
            USING ERRCODE = '23514', CONSTRAINT = 'ledger_postings_balanced';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
    REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced();

-- ledger_free_slot picks a balance row of a split account that no other transaction holds locked,
-- starting from a random one and locking it, so that concurrent postings to a hot account spread
-- over its rows instead of queueing on one. When every row is taken it waits for the random one.
-- +goose StatementBegin
CREATE FUNCTION ledger_free_slot(p_account bigint, p_slots smallint) RETURNS smallint LANGUAGE plpgsql AS $$
DECLARE
    v_start smallint := floor(random() * p_slots)::smallint;
    v_slot  smallint;
BEGIN
    -- Usually the random row is free: one primary-key probe.
    SELECT b.slot INTO v_slot FROM ledger_balances b
     WHERE b.account_id = p_account AND b.slot = v_start FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        RETURN v_slot;
    END IF;
    SELECT b.slot INTO v_slot FROM ledger_balances b
     WHERE b.account_id = p_account
     ORDER BY (b.slot - v_start + p_slots) % p_slots
     LIMIT 1 FOR UPDATE SKIP LOCKED;
    RETURN coalesce(v_slot, v_start);
END $$;
-- +goose StatementEnd

-- ledger_apply changes balances for one event: p_amounts move posted balances (and become postings of
-- p_tx), p_pending moves pending holds. Rows are locked in account order, so two transactions over the
-- same accounts never deadlock. A slot of -1 means "any": a random slot of a split account.
-- +goose StatementBegin
CREATE FUNCTION ledger_apply(p_tx bigint, p_accounts bigint[], p_slots smallint[], p_amounts bigint[], p_pending bigint[])
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
        JOIN ledger_accounts a ON a.id = x.account_id
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

-- ledger_resolve turns account codes into ids, failing with TB002 on the first unknown code.
-- +goose StatementBegin
CREATE FUNCTION ledger_resolve(p_codes text[]) RETURNS bigint[] LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_ids     bigint[];
    v_missing text;
BEGIN
    SELECT array_agg(a.id ORDER BY x.ord), min(x.code) FILTER (WHERE a.id IS NULL)
      INTO v_ids, v_missing
      FROM unnest(p_codes) WITH ORDINALITY AS x (code, ord)
      LEFT JOIN ledger_accounts a ON a.code = x.code;
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'no account %', v_missing USING ERRCODE = 'TB002', DETAIL = v_missing;
    END IF;
    RETURN v_ids;
END $$;
-- +goose StatementEnd

-- ledger_post records one transaction in a single round trip. A known idempotency key returns the
-- original transaction (replayed = true) when the request hash matches, and fails with TB003 otherwise.
-- It returns one row, with the new state of each balance row it changed in parallel arrays.
-- It is ledger_resolve and ledger_apply written out in one loop, because this is the hot path and
-- every nested call and intermediate result costs here.
-- +goose StatementBegin
CREATE FUNCTION ledger_post(p_key text, p_hash bytea, p_kind text, p_memo text, p_reference text, p_actor text,
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

-- ledger_hold reserves p_amount of p_from's available balance for a later transfer to p_to.
-- +goose StatementBegin
CREATE FUNCTION ledger_hold(p_key text, p_hash bytea, p_kind text, p_memo text, p_reference text, p_actor text,
                            p_from text, p_to text, p_amount bigint, p_expires timestamptz)
RETURNS TABLE (hold_id bigint, replayed boolean, at timestamptz, account_id bigint, code text, slot smallint,
               slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_ids  bigint[] := ledger_resolve(ARRAY[p_from, p_to]);
    v_slot smallint;
    v_hold bigint;
    v_hash bytea;
BEGIN
    SELECT CASE WHEN a.slots = 1 THEN 0 ELSE ledger_free_slot(a.id, a.slots) END INTO v_slot
      FROM ledger_accounts a WHERE a.id = v_ids[1];
    INSERT INTO ledger_holds (from_account, from_slot, to_account, amount, kind, memo, reference, created_by,
                              idempotency_key, request_hash, expires_at)
    VALUES (v_ids[1], v_slot, v_ids[2], p_amount, p_kind, p_memo, p_reference, p_actor, p_key, p_hash, p_expires)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_hold;
    IF v_hold IS NULL THEN
        SELECT h.id, h.request_hash INTO v_hold, v_hash FROM ledger_holds h WHERE h.idempotency_key = p_key;
        IF v_hash IS DISTINCT FROM p_hash THEN
            RAISE EXCEPTION 'idempotency key % was used for another request', p_key USING ERRCODE = 'TB003';
        END IF;
        RETURN QUERY SELECT v_hold, true, NULL::timestamptz, NULL::bigint, NULL::text, NULL::smallint, NULL::smallint,
                            NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT v_hold, false, now(), a.account_id, a.code, a.slot, a.slots, a.posted, a.pending, a.version
        FROM ledger_apply(NULL, ARRAY[v_ids[1]], ARRAY[v_slot], ARRAY[0::bigint], ARRAY[p_amount]) a;
END $$;
-- +goose StatementEnd

-- ledger_hold_commit posts p_amount (at most the held amount; NULL means all of it) from the hold's
-- source to its destination and releases the whole hold. Committing again with the same amount is a
-- replay; TB004 means the hold is no longer pending, TB005 that it has expired.
-- +goose StatementBegin
CREATE FUNCTION ledger_hold_commit(p_hold bigint, p_amount bigint, p_actor text)
RETURNS TABLE (tx_id bigint, replayed boolean, at timestamptz, account_id bigint, code text, slot smallint,
               slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    h      ledger_holds%ROWTYPE;
    v_amt  bigint;
    v_tx   bigint;
BEGIN
    SELECT * INTO h FROM ledger_holds WHERE id = p_hold FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no hold %', p_hold USING ERRCODE = 'TB008';
    END IF;
    v_amt := coalesce(p_amount, h.amount);
    IF h.status = 'committed' AND h.committed_amount = v_amt THEN
        RETURN QUERY SELECT h.tx_id, true, NULL::timestamptz, NULL::bigint, NULL::text, NULL::smallint, NULL::smallint,
                            NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF h.status <> 'pending' THEN
        RAISE EXCEPTION 'hold % is %', p_hold, h.status USING ERRCODE = 'TB004', DETAIL = h.status;
    END IF;
    IF h.expires_at <= now() THEN
        RAISE EXCEPTION 'hold % expired at %', p_hold, h.expires_at USING ERRCODE = 'TB005';
    END IF;
    IF v_amt < 1 OR v_amt > h.amount THEN
        RAISE EXCEPTION 'hold % holds %, cannot commit %', p_hold, h.amount, v_amt USING ERRCODE = 'TB007';
    END IF;
    INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash, hold_id)
    VALUES (h.kind, h.memo, h.reference, p_actor, 'ledger:hold:' || h.id || ':commit', h.request_hash, h.id)
    RETURNING id INTO v_tx;
    UPDATE ledger_holds SET status = 'committed', committed_amount = v_amt, tx_id = v_tx, resolved_at = now()
     WHERE id = h.id;
    RETURN QUERY
        SELECT v_tx, false, now(), a.account_id, a.code, a.slot, a.slots, a.posted, a.pending, a.version
        FROM ledger_apply(v_tx, ARRAY[h.from_account, h.to_account], ARRAY[h.from_slot, -1::smallint],
                          ARRAY[-v_amt, v_amt], ARRAY[-h.amount, 0::bigint]) a;
END $$;
-- +goose StatementEnd

-- ledger_hold_release voids a pending hold (p_status 'voided') or expires it ('expired'). Releasing
-- a hold that already has that status is a replay; any other status is TB004.
-- +goose StatementBegin
CREATE FUNCTION ledger_hold_release(p_hold bigint, p_status text)
RETURNS TABLE (hold_id bigint, replayed boolean, at timestamptz, account_id bigint, code text, slot smallint,
               slots smallint, posted bigint, pending bigint, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    h ledger_holds%ROWTYPE;
BEGIN
    SELECT * INTO h FROM ledger_holds WHERE id = p_hold FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no hold %', p_hold USING ERRCODE = 'TB008';
    END IF;
    IF h.status = p_status THEN
        RETURN QUERY SELECT h.id, true, NULL::timestamptz, NULL::bigint, NULL::text, NULL::smallint, NULL::smallint,
                            NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF h.status <> 'pending' THEN
        RAISE EXCEPTION 'hold % is %', p_hold, h.status USING ERRCODE = 'TB004', DETAIL = h.status;
    END IF;
    UPDATE ledger_holds SET status = p_status, resolved_at = now() WHERE id = h.id;
    RETURN QUERY
        SELECT h.id, false, now(), a.account_id, a.code, a.slot, a.slots, a.posted, a.pending, a.version
        FROM ledger_apply(NULL, ARRAY[h.from_account], ARRAY[h.from_slot], ARRAY[0::bigint], ARRAY[-h.amount]) a;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_hold_release(bigint, text);
DROP FUNCTION ledger_hold_commit(bigint, bigint, text);
DROP FUNCTION ledger_hold(text, bytea, text, text, text, text, text, text, bigint, timestamptz);
DROP FUNCTION ledger_post(text, bytea, text, text, text, text, text[], bigint[], bigint);
DROP FUNCTION ledger_resolve(text[]);
DROP FUNCTION ledger_free_slot(bigint, smallint);
DROP FUNCTION ledger_apply(bigint, bigint[], smallint[], bigint[], bigint[]);
DROP TABLE ledger_outbox;
DROP TABLE ledger_holds;
DROP TABLE ledger_postings;
DROP TABLE ledger_transactions;
DROP TABLE ledger_balances;
DROP TABLE ledger_accounts;
DROP FUNCTION ledger_check_balanced();
DROP FUNCTION ledger_holds_resolve_once();
DROP FUNCTION ledger_refuse_change();
