package ledger

import "timebank/pkg/invariant"

// The keys the checks are cut by: transaction ids (a transaction's postings share its id, the
// postings' key starts with it) and account ids (an account's balance rows and postings).
const (
	txKeys = `SELECT coalesce(least((SELECT min(id) FROM ledger_transactions), (SELECT min(tx_id) FROM ledger_postings)), 0),
       coalesce(greatest((SELECT max(id) FROM ledger_transactions), (SELECT max(tx_id) FROM ledger_postings)), 0)`
	accountKeys = `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM ledger_accounts`

	// txLast is the newest transaction a checkpoint may reach: one older than the settling time ($1,
	// seconds), so that a transaction still being written with a lower id is not passed over.
	txLast = `SELECT coalesce(max(id), 0) FROM ledger_transactions WHERE created_at < now() - make_interval(secs => $1)`

	// txDigest is the digest of a transaction and its postings: a checkpoint whose transaction is not
	// what it was (a restored or reloaded database, a change) is not trusted.
	txDigest = `SELECT coalesce((SELECT md5(t::text || coalesce((SELECT string_agg(p::text, ',' ORDER BY p.account_id)
	                                      FROM ledger_postings p WHERE p.tx_id = t.id), ''))
                  FROM ledger_transactions t WHERE t.id = $1), '')`

	// touched are the accounts with a posting in the transactions $1 < id <= $2.
	touched = `touched AS (SELECT DISTINCT account_id FROM ledger_postings WHERE tx_id > $1 AND tx_id <= $2)`

	// releasedSince are the accounts of the holds voided or expired since the transaction $1 was
	// written: their pending minutes changed with no posting. Ten minutes earlier, for a release
	// whose transaction began before that one and committed after the last check read.
	releasedSince = `SELECT from_account FROM ledger_holds
       WHERE status IN ('voided', 'expired')
         AND resolved_at >= coalesce((SELECT created_at FROM ledger_transactions WHERE id = $1), '-infinity')
                            - interval '10 minutes'`

	// changed are the accounts whose balance rows may have changed after the transaction $1: those
	// the transactions $1 < id <= $2 touched, those with a pending hold and those of a hold released
	// since. Every write of a balance row is one of these (a CHECK or trigger refuses the rest).
	changed = `changed AS (SELECT account_id FROM ledger_postings WHERE tx_id > $1 AND tx_id <= $2
                UNION SELECT from_account FROM ledger_holds WHERE status = 'pending'
                UNION ` + releasedSince + `)`

	// accountLast is the newest account a checkpoint of accounts may reach: one created before the
	// settling time ($1, seconds).
	accountLast = `SELECT coalesce(max(id), 0) FROM ledger_accounts WHERE created_at < now() - make_interval(secs => $1)`

	// accountDigest is the digest of what never changes in an account and its balance rows.
	accountDigest = `SELECT coalesce((SELECT md5(concat_ws('|', a.id, a.code, a.kind, a.slots, a.allow_negative,
	           (SELECT string_agg(b.slot || ':' || b.allow_negative, ',' ORDER BY b.slot) FROM ledger_balances b WHERE b.account_id = a.id)))
	      FROM ledger_accounts a WHERE a.id = $1), '')`
)

const zeroSum = `
SELECT format('transaction %s: %s postings summing to %s', t.id, count(p.tx_id), coalesce(sum(p.amount), 0))
FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.tx_id = t.id AND p.tx_id > $1 AND p.tx_id <= $2
WHERE t.id > $1 AND t.id <= $2
GROUP BY t.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.tx_id) < 2 LIMIT 20`

const orphans = `
SELECT format('posting %s: transaction %s, account %s', p.id, p.tx_id, p.account_id)
FROM ledger_postings p
LEFT JOIN ledger_transactions t ON t.id = p.tx_id
LEFT JOIN ledger_accounts a ON a.id = p.account_id
WHERE p.tx_id > $1 AND p.tx_id <= $2 AND (t.id IS NULL OR a.id IS NULL) LIMIT 20`

// running checks the chain of running balances of the postings of the accounts that accounts (a
// condition on an account id column) admits, and that each chain ends at its balance row. One pass
// over the postings, in the order of the chain, serves both (the last of a chain is the one
// without a next).
func running(ctes string, accounts func(col string) string) string {
	return "WITH " + ctes + ` x AS (
    SELECT p.id, p.account_id, p.slot, p.amount, p.balance_after, p.version_after,
           lag(p.balance_after) OVER w AS prev_balance, lag(p.version_after) OVER w AS prev_version,
           lead(p.id) OVER w IS NULL AS last
      FROM ledger_postings p WHERE ` + accounts("p.account_id") + `
    WINDOW w AS (PARTITION BY p.account_id, p.slot ORDER BY p.version_after, p.id))
SELECT format('%s slot %s posting %s: balance_after %s, previous %s, amount %s, version %s after %s',
              a.code, x.slot, x.id, x.balance_after, coalesce(x.prev_balance, 0), x.amount, x.version_after, x.prev_version)
FROM x JOIN ledger_accounts a ON a.id = x.account_id
WHERE x.balance_after <> coalesce(x.prev_balance, 0) + x.amount OR x.version_after <= coalesce(x.prev_version, 0)
UNION ALL
SELECT format('%s slot %s: last running balance %s/version %s, balance row %s/version %s',
              a.code, b.slot, x.balance_after, x.version_after, b.posted, b.version)
FROM x JOIN ledger_balances b ON b.account_id = x.account_id AND b.slot = x.slot
JOIN ledger_accounts a ON a.id = b.account_id
WHERE x.last AND (x.balance_after <> b.posted OR x.version_after > b.version)
LIMIT 20`
}

// between is the condition that an account id column is in the range $1 < id <= $2.
func between(col string) string { return col + ` > $1 AND ` + col + ` <= $2` }

// inTouched is the condition that an account id column names a touched account.
func inTouched(col string) string { return col + ` IN (SELECT account_id FROM touched)` }

// Checks are the invariants of the books in PostgreSQL. Every one can run from a checkpoint: those
// over transactions (zero-sum, every posting's transaction and account, the total) by their ids,
// those of balance rows for the accounts that changed since (touched by a transaction, with a hold
// pending or released), the balance rows' shape for the accounts opened since.
var Checks = []invariant.Check{
	{Name: "every transaction has two or more postings summing to zero",
		Query: zeroSum, Keys: txKeys, After: zeroSum,
		Since: "ledger: zero-sum", Last: txLast, Digest: txDigest},
	{Name: "every balance equals the sum of its postings", Keys: accountKeys, Query: `
SELECT format('%s slot %s: balance %s, postings sum to %s', a.code, b.slot, b.posted, coalesce(s.total, 0))
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN (SELECT account_id, slot, sum(amount) AS total FROM ledger_postings WHERE ` + between("account_id") + ` GROUP BY 1, 2) s
       ON s.account_id = b.account_id AND s.slot = b.slot
WHERE ` + between("b.account_id") + ` AND b.posted <> coalesce(s.total, 0) LIMIT 20`,
		Since: "ledger: balances = postings", Last: txLast, Digest: txDigest, After: `WITH ` + touched + `
SELECT format('%s slot %s: balance %s, postings sum to %s', a.code, b.slot, b.posted, coalesce(s.total, 0))
FROM touched x JOIN ledger_balances b ON b.account_id = x.account_id JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM ledger_postings p
                   WHERE p.account_id = b.account_id AND p.slot = b.slot) s ON true
WHERE b.posted <> coalesce(s.total, 0) LIMIT 20`},
	{Name: "running balances follow each other and end at the balance",
		Keys: accountKeys, Query: running("", between),
		Since: "ledger: running balances", Last: txLast, Digest: txDigest, After: running(touched+",", inTouched)},
	{Name: "pending equals the sum of pending holds", Keys: accountKeys, Query: `
SELECT format('%s slot %s: pending %s, pending holds sum to %s', a.code, b.slot, b.pending, coalesce(h.total, 0))
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN (SELECT from_account, from_slot, sum(amount) AS total FROM ledger_holds
           WHERE status = 'pending' AND from_account > $1 AND from_account <= $2 GROUP BY 1, 2) h
       ON h.from_account = b.account_id AND h.from_slot = b.slot
WHERE ` + between("b.account_id") + ` AND b.pending <> coalesce(h.total, 0) LIMIT 20`,
		Since: "ledger: pending = holds", Last: txLast, Digest: txDigest, After: `WITH ` + changed + `
SELECT format('%s slot %s: pending %s, pending holds sum to %s', a.code, b.slot, b.pending, coalesce(h.total, 0))
FROM (SELECT DISTINCT account_id FROM changed) x JOIN ledger_balances b ON b.account_id = x.account_id
JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM ledger_holds h
                   WHERE h.status = 'pending' AND h.from_account = b.account_id AND h.from_slot = b.slot) h ON true
WHERE b.pending <> coalesce(h.total, 0) LIMIT 20`},
	{Name: "no guarded account is below zero", Keys: accountKeys,
		Query: `SELECT ` + overdrawn + ` AND b.account_id > $1 AND b.account_id <= $2 LIMIT 20`,
		Since: "ledger: no overdraft", Last: txLast, Digest: txDigest,
		After: `WITH ` + changed + ` SELECT ` + overdrawn + ` AND b.account_id IN (SELECT account_id FROM changed) LIMIT 20`},
	{Name: "balance rows match their accounts", Keys: accountKeys, Query: rowsMatch, After: rowsMatch,
		Since: "ledger: balance rows", Last: accountLast, Digest: accountDigest},
	{Name: "every posting belongs to a transaction and an account",
		Query: orphans, Keys: txKeys, After: orphans,
		Since: "ledger: postings' transactions", Last: txLast, Digest: txDigest},
	// From a checkpoint: the total was zero there, and it moves by the sum of the postings since
	// (balances = postings is checked for the accounts they touched).
	{Name: "all balances sum to zero", Query: `
SELECT format('balances sum to %s', sum(posted)) FROM ledger_balances HAVING sum(posted) <> 0`,
		Since: "ledger: sum", Last: txLast, Digest: txDigest, After: `
SELECT format('the postings of transactions %s to %s move the total of the balances by %s', $1::bigint + 1, $2::bigint, sum(amount))
FROM ledger_postings WHERE tx_id > $1 AND tx_id <= $2 HAVING sum(amount) <> 0`},
}

// overdrawn is the body of the query finding the guarded accounts below zero, without the accounts'
// condition (added with AND).
const overdrawn = `format('%s: posted %s, pending %s', a.code, b.posted, b.pending)
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
WHERE NOT a.allow_negative AND (b.posted - b.pending < 0 OR b.posted < 0)`

// rowsMatch finds the accounts $1 < id <= $2 whose balance rows are not one a slot, guarded as the
// account is.
const rowsMatch = `
SELECT format('%s: %s balance rows for %s slots, allow_negative %s', a.code, count(b.slot), a.slots, a.allow_negative)
FROM ledger_accounts a LEFT JOIN ledger_balances b ON b.account_id = a.id
WHERE a.id > $1 AND a.id <= $2
GROUP BY a.id HAVING count(b.slot) <> a.slots OR bool_or(b.allow_negative <> a.allow_negative)
    OR min(b.slot) <> 0 OR max(b.slot) <> a.slots - 1 LIMIT 20`
