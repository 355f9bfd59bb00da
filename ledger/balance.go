package ledger

import (
	"context"

	"github.com/lib/pq"
)

// Where a balance was read from.
const (
	SourceRedis    = "redis"
	SourcePostgres = "postgres"
)

// Balance is an account's balance in minutes. Available = Posted − Pending; Version grows by one
// with every change of the account.
type Balance struct {
	Account   string `json:"code"`
	Posted    int64  `json:"posted"`
	Pending   int64  `json:"pending"`
	Available int64  `json:"available"`
	Version   int64  `json:"version"`
	Source    string `json:"source"`
}

func newBalance(code string, posted, pending, version int64, source string) Balance {
	return Balance{Account: code, Posted: posted, Pending: pending, Available: posted - pending,
		Version: version, Source: source}
}

// Balance returns the account's balance from Redis, or from PostgreSQL when Redis misses the key or
// is down (and then writes it back to Redis).
// Errors: ErrAccountNotFound.
func (l *Ledger) Balance(ctx context.Context, code string) (Balance, error) {
	if b, ok := l.proj.read(ctx, code); ok {
		return b, nil
	}
	bs, err := l.pgBalances(ctx, []string{code}, true)
	if err != nil {
		return Balance{}, err
	}
	return bs[0], nil
}

// Balances returns several balances, each as Balance would.
// Errors: ErrAccountNotFound.
func (l *Ledger) Balances(ctx context.Context, codes []string) ([]Balance, error) {
	out := make([]Balance, len(codes))
	var missing []string
	for i, c := range codes {
		if b, ok := l.proj.read(ctx, c); ok {
			out[i] = b
		} else {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	bs, err := l.pgBalances(ctx, missing, true)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Account == "" {
			out[i], bs = bs[0], bs[1:]
		}
	}
	return out, nil
}

// PostgresBalance reads the balance from PostgreSQL only.
// Errors: ErrAccountNotFound.
func (l *Ledger) PostgresBalance(ctx context.Context, code string) (Balance, error) {
	bs, err := l.pgBalances(ctx, []string{code}, false)
	if err != nil {
		return Balance{}, err
	}
	return bs[0], nil
}

// pgBalances reads the balances of the codes, in their order, summing each account's slots; with
// repair it writes the slots it read to Redis.
func (l *Ledger) pgBalances(ctx context.Context, codes []string, repair bool) ([]Balance, error) {
	const q = `
SELECT a.id, a.code, a.slots, b.slot, b.posted, b.pending, b.version
FROM unnest($1::text[]) WITH ORDINALITY AS x (code, ord)
JOIN ledger_accounts a ON a.code = x.code
JOIN ledger_balances b ON b.account_id = a.id
ORDER BY x.ord, b.slot`
	rows, err := l.db.QueryContext(ctx, q, pq.StringArray(codes))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out []Balance
		chs []change
	)
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.accountID, &c.code, &c.slots, &c.slot, &c.posted, &c.pending, &c.version); err != nil {
			return nil, err
		}
		chs = append(chs, c)
		if n := len(out); n > 0 && out[n-1].Account == c.code {
			b := &out[n-1]
			b.Posted, b.Pending, b.Version = b.Posted+c.posted, b.Pending+c.pending, b.Version+c.version
			b.Available = b.Posted - b.Pending
			continue
		}
		out = append(out, newBalance(c.code, c.posted, c.pending, c.version, SourcePostgres))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, c := range codes {
		if i >= len(out) || out[i].Account != c {
			return nil, &AccountError{Err: ErrAccountNotFound, Account: c}
		}
	}
	if repair && !l.proj.down() {
		if _, err := l.proj.writeAll(ctx, chs); err != nil {
			l.log.Warn("ledger: projection repair", "err", err)
		}
	}
	return out, nil
}

// afterCommit projects committed changes to Redis and returns the new balance of every account they
// touched. Redis answers with the account totals; where it cannot, a single-slot account's totals
// are in the change itself and a split account's are summed in PostgreSQL.
func (l *Ledger) afterCommit(ctx context.Context, chs []change) ([]Balance, error) {
	return l.balancesAfter(ctx, l.project(ctx, chs), chs)
}

// balancesAfter returns the balances of the accounts the changes touched: the totals Redis reported
// when the changes were projected, else the changes' own rows (an account of one row), else
// PostgreSQL's.
func (l *Ledger) balancesAfter(ctx context.Context, totals map[string]Balance, chs []change) ([]Balance, error) {
	out := make([]Balance, 0, len(chs))
	var split []string
	for _, c := range chs {
		if c.code == "" {
			continue
		}
		if b, ok := totals[c.code]; ok {
			out = append(out, b)
		} else if c.slots == 1 {
			out = append(out, newBalance(c.code, c.posted, c.pending, c.version, SourcePostgres))
		} else {
			split = append(split, c.code)
			out = append(out, Balance{Account: c.code})
		}
	}
	if len(split) == 0 {
		return out, nil
	}
	bs, err := l.pgBalances(ctx, split, false)
	if err != nil {
		return out, err
	}
	for i := range out {
		if out[i].Source == "" {
			out[i], bs = bs[0], bs[1:]
		}
	}
	return out, nil
}
