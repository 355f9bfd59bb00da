package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"timebank/pgerr"
)

// Posting is one line of a transaction: the amount moved into (or out of) an account, with the
// balance and version of the account's balance row right after it. For an account with one balance
// row (every guarded account) these are the account's running balance and version.
type Posting struct {
	Account      string `json:"account"`
	Amount       int64  `json:"amount"`
	Slot         int    `json:"slot"`
	BalanceAfter int64  `json:"balance_after"`
	VersionAfter int64  `json:"version_after"`
}

// Transaction is a posted transaction.
type Transaction struct {
	ID             int64     `json:"id"`
	Kind           string    `json:"kind"`
	Memo           string    `json:"memo"`
	Reference      string    `json:"reference"`
	CreatedBy      string    `json:"created_by"`
	IdempotencyKey string    `json:"idempotency_key"`
	Reverses       *int64    `json:"reverses,omitempty"`
	ReversedBy     *int64    `json:"reversed_by,omitempty"`
	HoldID         *int64    `json:"hold_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	Postings       []Posting `json:"postings"`
}

// Result is what a write returns: the transaction, whether it is the replay of an earlier request
// with the same idempotency key, and the balances of the accounts it touched.
type Result struct {
	Transaction Transaction `json:"transaction"`
	Replayed    bool        `json:"replayed"`
	Balances    []Balance   `json:"balances"`
}

// change is one row returned by the ledger's SQL functions: the new state of one balance row.
type change struct {
	id                       int64
	replayed                 bool
	at                       time.Time
	accountID                int64
	code                     string
	slot, slots              int
	posted, pending, version int64
}

// callChanges runs a ledger SQL function and collects its rows. A replay returns one row with only
// the id set.
func callChanges(ctx context.Context, q rowQueryer, query string, args ...any) ([]change, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	return scanChanges(rows, err)
}

func scanChanges(rows *sql.Rows, err error) ([]change, error) {
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	if len(out) == 0 {
		return nil, errors.New("ledger: SQL function returned no rows")
	}
	return out, nil
}

// scanChange reads a row of a ledger SQL function: the lead columns (if any) into lead, then a change.
func scanChange(rows *sql.Rows, lead ...any) (change, error) {
	var (
		c                             change
		at                            sql.NullTime
		acc, posted, pending, version sql.NullInt64
		code                          sql.NullString
		slot, slots                   sql.NullInt16
	)
	dest := append(lead, &c.id, &c.replayed, &at, &acc, &code, &slot, &slots, &posted, &pending, &version)
	if err := rows.Scan(dest...); err != nil {
		return c, err
	}
	c.at, c.accountID, c.code = at.Time, acc.Int64, code.String
	c.slot, c.slots = int(slot.Int16), int(slots.Int16)
	c.posted, c.pending, c.version = posted.Int64, pending.Int64, version.Int64
	return c, nil
}

const postQuery = `SELECT * FROM ledger_post($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// postChanges calls ledger_post.
func postChanges(ctx context.Context, q rowQueryer, r TransactionRequest, reverses *int64) ([]change, error) {
	codes := make([]string, len(r.Postings))
	amounts := make([]int64, len(r.Postings))
	for i, p := range r.Postings {
		codes[i], amounts[i] = p.Account, p.Amount
	}
	kind := r.Kind
	if reverses != nil {
		kind = TxReverse
	}
	return scanPost(q.QueryContext(ctx, postQuery, r.IdempotencyKey, r.hash(), kind, r.Memo, r.Reference, r.CreatedBy,
		pq.StringArray(codes), pq.Int64Array(amounts), reverses))
}

// aloneRetries is how many times a request posted on its own is sent when PostgreSQL keeps ending it
// to break deadlocks.
const aloneRetries = 4

// postAlone is postChanges for a request in a transaction of its own (its one statement, on the
// pool). A batch locks its accounts before it writes its keys, a request alone its key first, so
// the two may wait for each other; PostgreSQL then ends one of them, nothing of it written, and a
// request alone is simply sent again rather than answered with the deadlock.
func postAlone(ctx context.Context, q rowQueryer, r TransactionRequest, reverses *int64) ([]change, error) {
	for attempt := 1; ; attempt++ {
		ch, err := postChanges(ctx, q, r, reverses)
		if err == nil || attempt == aloneRetries || !pgerr.Retryable(err) || ctx.Err() != nil {
			return ch, err
		}
	}
}

// scanPost reads ledger_post's single row: the transaction and, in parallel arrays, the new state of
// each balance row it changed. A replay has only the id.
func scanPost(rows *sql.Rows, err error) ([]change, error) {
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, dbError(err)
		}
		return nil, errors.New("ledger: ledger_post returned no row")
	}
	var (
		id                                    int64
		replayed                              bool
		at                                    sql.NullTime
		codes                                 pq.StringArray
		accounts, slots, nslots, posted, pend pq.Int64Array
		versions                              pq.Int64Array
	)
	if err := rows.Scan(&id, &replayed, &at, &accounts, &codes, &slots, &nslots, &posted, &pend, &versions); err != nil {
		return nil, dbError(err)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if replayed {
		return []change{{id: id, replayed: true}}, nil
	}
	out := make([]change, len(accounts))
	for i := range accounts {
		out[i] = change{id: id, at: at.Time, accountID: accounts[i], code: codes[i], slot: int(slots[i]),
			slots: int(nslots[i]), posted: posted[i], pending: pend[i], version: versions[i]}
	}
	return out, nil
}

// Post records a transaction. The same idempotency key with the same request returns the original
// transaction with Replayed set; concurrent requests with one key post once.
// Errors: ErrInvalid, ErrAccountNotFound, ErrInsufficientFunds, ErrIdempotencyConflict.
func (l *Ledger) Post(ctx context.Context, r TransactionRequest) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, err
	}
	// Postings arriving together are written together (post_group.go); each is decided as if alone.
	ch, totals, err := l.posts.post(ctx, r)
	if err != nil {
		return Result{}, err
	}
	return l.finish(ctx, r, ch, totals)
}

// finish turns the rows of a committed posting into a Result; totals are the balances Redis
// reported when its changes were projected (none for a replay).
func (l *Ledger) finish(ctx context.Context, r TransactionRequest, ch []change, totals map[string]Balance) (Result, error) {
	if ch[0].replayed {
		return l.replay(ctx, ch[0].id)
	}
	t := l.transaction(r, ch)
	// The transaction is committed: a failure to read balances afterwards must not look like a
	// failed posting, or the caller would be tempted to post again under a new key.
	bals, err := l.balancesAfter(ctx, totals, ch)
	if err != nil {
		l.log.Warn("ledger: balances after commit", "tx", t.ID, "err", err)
	}
	return Result{Transaction: t, Balances: bals}, nil
}

// transaction is the posted transaction of request r, from the rows of its posting.
func (l *Ledger) transaction(r TransactionRequest, ch []change) Transaction {
	l.stats.transactions.Add(1)
	l.stats.postings.Add(uint64(len(ch)))
	t := Transaction{
		ID: ch[0].id, Kind: r.Kind, Memo: r.Memo, Reference: r.Reference, CreatedBy: r.CreatedBy,
		IdempotencyKey: r.IdempotencyKey, CreatedAt: ch[0].at, Postings: make([]Posting, 0, len(r.Postings)),
	}
	// Postings are reported in the order the caller gave them.
	for _, p := range r.Postings {
		for _, c := range ch {
			if c.code == p.Account {
				t.Postings = append(t.Postings, Posting{Account: c.code, Amount: p.Amount, Slot: c.slot,
					BalanceAfter: c.posted, VersionAfter: c.version})
			}
		}
	}
	return t
}

func (l *Ledger) replay(ctx context.Context, id int64) (Result, error) {
	t, err := l.Transaction(ctx, id)
	if err != nil {
		return Result{}, err
	}
	codes := make([]string, len(t.Postings))
	for i, p := range t.Postings {
		codes[i] = p.Account
	}
	bals, err := l.Balances(ctx, codes)
	return Result{Transaction: t, Replayed: true, Balances: bals}, err
}

// Transaction returns a posted transaction with its postings.
// Errors: ErrTransactionNotFound.
func (l *Ledger) Transaction(ctx context.Context, id int64) (Transaction, error) {
	var t Transaction
	const q = `
SELECT t.id, t.kind, t.memo, t.reference, t.created_by, t.idempotency_key, t.reverses, r.id, t.hold_id, t.created_at
FROM ledger_transactions t LEFT JOIN ledger_transactions r ON r.reverses = t.id
WHERE t.id = $1`
	err := l.db.QueryRowContext(ctx, q, id).Scan(&t.ID, &t.Kind, &t.Memo, &t.Reference, &t.CreatedBy,
		&t.IdempotencyKey, &t.Reverses, &t.ReversedBy, &t.HoldID, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrTransactionNotFound
	}
	if err != nil {
		return t, err
	}
	const qp = `
SELECT a.code, p.amount, p.slot, p.balance_after, p.version_after
FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
WHERE p.tx_id = $1 ORDER BY p.id`
	rows, err := l.db.QueryContext(ctx, qp, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Posting
		if err := rows.Scan(&p.Account, &p.Amount, &p.Slot, &p.BalanceAfter, &p.VersionAfter); err != nil {
			return t, err
		}
		t.Postings = append(t.Postings, p)
	}
	return t, rows.Err()
}

// Reverse posts the transaction's postings negated, pointing back to it. Reversing again returns the
// same reversal (Replayed). A reversal can fail with ErrInsufficientFunds when the credits were spent.
// Errors: ErrTransactionNotFound, ErrNotReversible, ErrInsufficientFunds, ErrAlreadyReversed.
func (l *Ledger) Reverse(ctx context.Context, id int64, actor, memo string) (Result, error) {
	r, err := l.reversal(ctx, id, actor, memo)
	if err != nil {
		return Result{}, err
	}
	ch, err := postAlone(ctx, l.calls, r, &id)
	if err != nil {
		return Result{}, err
	}
	if !ch[0].replayed {
		r.Kind = TxReverse
	}
	var totals map[string]Balance
	if !ch[0].replayed {
		totals = l.project(ctx, ch)
	}
	res, err := l.finish(ctx, r, ch, totals)
	if err == nil && !res.Replayed {
		res.Transaction.Reverses = &id
	}
	return res, err
}

// reversal builds the request that reverses transaction id.
func (l *Ledger) reversal(ctx context.Context, id int64, actor, memo string) (TransactionRequest, error) {
	orig, err := l.Transaction(ctx, id)
	if err != nil {
		return TransactionRequest{}, err
	}
	if orig.Kind == TxReverse {
		return TransactionRequest{}, ErrNotReversible
	}
	if memo == "" {
		memo = fmt.Sprintf("reversal of transaction %d", id)
	}
	r := TransactionRequest{
		Kind: orig.Kind, Memo: memo, Reference: fmt.Sprintf("tx:%d", id), CreatedBy: actor, IdempotencyKey: "x",
	}
	for _, p := range orig.Postings {
		r.Postings = append(r.Postings, PostingRequest{Account: p.Account, Amount: -p.Amount})
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	r.IdempotencyKey = fmt.Sprintf("%sreverse:%d", internalKeyPrefix, id)
	// The caller does not take part in the hash: reversing is idempotent whoever asks.
	r.CreatedBy, r.Memo = "", ""
	h := r.hash()
	r.CreatedBy, r.Memo = actor, memo
	r.fixedHash = h
	return r, nil
}

// closeRows reads a statement to its end after the rows the caller wanted. A row reaches the client
// before an autocommitted statement commits; a commit that fails then (its backend killed, the
// disk full) is reported only after the rows, and database/sql's deferred Close drops that error.
// So a write is acknowledged only once this returns nil.
func closeRows(rows *sql.Rows) error {
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return dbError(err)
	}
	return dbError(rows.Close())
}
