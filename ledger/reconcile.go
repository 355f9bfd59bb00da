package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Repair is one account whose Redis projection differed from PostgreSQL and was rewritten.
type Repair struct {
	Account  string `json:"account"`
	Redis    string `json:"redis"`    // what Redis held ("missing" when it held nothing)
	Postgres string `json:"postgres"` // what it holds now
}

func (r Repair) String() string {
	return fmt.Sprintf("%s: redis %s -> postgres %s", r.Account, r.Redis, r.Postgres)
}

// ReconcileReport says what Reconcile looked at and changed.
type ReconcileReport struct {
	Accounts int      `json:"accounts"`
	Repairs  []Repair `json:"repairs"`
}

// accountRows is one account's balance rows as PostgreSQL holds them.
type accountRows struct {
	id    int64
	code  string
	slots int
	rows  [][3]int64 // posted, pending, version per slot
}

// changes returns the rows as changes, for the bookkeeping of what Redis is owed.
func (a accountRows) changes() []change {
	out := make([]change, len(a.rows))
	for slot, r := range a.rows {
		out[slot] = change{accountID: a.id, code: a.code, slot: slot, slots: a.slots, posted: r[0], pending: r[1], version: r[2]}
	}
	return out
}

func (a accountRows) String() string {
	var posted, pending, version int64
	for _, r := range a.rows {
		posted, pending, version = posted+r[0], pending+r[1], version+r[2]
	}
	return fmt.Sprintf("posted=%d pending=%d version=%d", posted, pending, version)
}

// pgAccounts returns the balance rows of the first 500 accounts after afterID up to lastID, in id order.
func (l *Ledger) pgAccounts(ctx context.Context, afterID, lastID int64) ([]accountRows, error) {
	const q = `
SELECT a.id, a.code, a.slots, b.slot, b.posted, b.pending, b.version
FROM (SELECT id, code, slots FROM ledger_accounts WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 500) a
JOIN ledger_balances b ON b.account_id = a.id
ORDER BY a.id, b.slot`
	rows, err := l.db.QueryContext(ctx, q, afterID, lastID)
	if err != nil {
		return nil, err
	}
	return scanAccountRows(rows)
}

// scanAccountRows reads rows of (id, code, slots, slot, posted, pending, version) ordered by id and
// slot into one accountRows per account, and closes them.
func scanAccountRows(rows *sql.Rows) ([]accountRows, error) {
	defer rows.Close()
	var out []accountRows
	for rows.Next() {
		var (
			id          int64
			code        string
			slots, slot int
			r           [3]int64
		)
		if err := rows.Scan(&id, &code, &slots, &slot, &r[0], &r[1], &r[2]); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].id != id {
			out = append(out, accountRows{id: id, code: code, slots: slots})
		}
		out[len(out)-1].rows = append(out[len(out)-1].rows, r)
	}
	return out, rows.Err()
}

// redisRows reads the accounts' projection: a one-row account's bucket field, a split account's
// hash; a nil entry means missing or incomplete. With legacy it also reports which one-row accounts
// still have a hash of their own (from before the buckets: nothing reads it, reconcile deletes it).
func (p *projector) redisRows(ctx context.Context, accs []accountRows, legacy bool) ([][][3]int64, []bool, error) {
	pipe := p.rdb.Pipeline()
	fields := make([]*redis.StringCmd, len(accs))
	hashes := make([]*redis.MapStringStringCmd, len(accs))
	exists := make([]*redis.IntCmd, len(accs))
	for i, a := range accs {
		if a.slots > 1 {
			hashes[i] = pipe.HGetAll(ctx, p.key(a.code))
			continue
		}
		key, field := p.bucket(a.code)
		fields[i] = pipe.HGet(ctx, key, field)
		if legacy {
			exists[i] = pipe.Exists(ctx, p.key(a.code))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, err
	}
	out := make([][][3]int64, len(accs))
	old := make([]bool, len(accs))
	for i := range accs {
		if f := fields[i]; f != nil {
			s, err := f.Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				return nil, nil, err
			}
			if r, ok := parseBucket(s); err == nil && ok {
				out[i] = [][3]int64{r}
			}
			old[i] = exists[i] != nil && exists[i].Val() > 0
		} else if rows, ok := parseRows(hashes[i].Val()); ok {
			out[i] = rows
		}
	}
	return out, old, nil
}

func sameRows(a, b [][3]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Reconcile compares every account's Redis projection with PostgreSQL and rewrites those that
// differ, reading them again just before the rewrite so that a posting committed during the
// comparison is not undone. (One that commits between that read and the rewrite still has its
// outbox row, which the relay replays, being newer.) An account that never changed and has no hash
// is left alone, as Verify leaves it: its first read projects it, and a province's millions of
// registered volunteers who never served cost Redis nothing. The accounts of a page are read again
// in one query and rewritten in one pipeline. Run it when Redis was flushed or restored.
func (l *Ledger) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var (
		rep ReconcileReport
		mu  sync.Mutex
	)
	err := l.eachPage(ctx, func(ctx context.Context, accs []accountRows) error {
		have, old, err := l.proj.redisRows(ctx, accs, true)
		if err != nil {
			return fmt.Errorf("reconcile: redis: %w", err)
		}
		if err := l.proj.dropLegacy(ctx, accs, old); err != nil {
			return fmt.Errorf("reconcile: redis: %w", err)
		}
		var ids []int64
		was := map[int64]string{}
		for i, a := range accs {
			if sameRows(have[i], a.rows) || have[i] == nil && untouched(a.rows) {
				continue
			}
			ids = append(ids, a.id)
			was[a.id] = "missing"
			if have[i] != nil {
				was[a.id] = accountRows{rows: have[i]}.String()
			}
		}
		var again []accountRows
		if len(ids) > 0 {
			if again, err = l.pgAccountsByID(ctx, ids); err != nil {
				return err
			}
			if err := l.proj.replaceMany(ctx, again); err != nil {
				return fmt.Errorf("reconcile: redis: %w", err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		rep.Accounts += len(accs)
		for _, a := range again {
			rep.Repairs = append(rep.Repairs, Repair{Account: a.code, Redis: was[a.id], Postgres: a.String()})
		}
		return nil
	})
	return rep, err
}

// pgAccountsByID reads the accounts' balance rows, in id order.
func (l *Ledger) pgAccountsByID(ctx context.Context, ids []int64) ([]accountRows, error) {
	const q = `
SELECT a.id, a.code, a.slots, b.slot, b.posted, b.pending, b.version
FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
WHERE a.id = ANY($1)
ORDER BY a.id, b.slot`
	rows, err := l.db.QueryContext(ctx, q, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	return scanAccountRows(rows)
}

// replaceMany sets each account's projection to its PostgreSQL rows, in one pipeline.
func (p *projector) replaceMany(ctx context.Context, accs []accountRows) error {
	if err := loadScripts(ctx, p.rdb, replaceScript, bucketReplaceScript); err != nil {
		return err
	}
	pipe := p.rdb.Pipeline()
	for _, a := range accs {
		p.replaceIn(ctx, pipe, a)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	p.downUntil.Store(0)
	for _, a := range accs {
		p.owed.settle(a.changes())
	}
	return nil
}

// replaceIn queues the rewrite of one account: a one-row account's bucket field (and the deletion of
// its hash from before the buckets), a split account's whole hash.
func (p *projector) replaceIn(ctx context.Context, pipe redis.Pipeliner, a accountRows) {
	if a.slots <= 1 && len(a.rows) == 1 {
		r := a.rows[0]
		keys, args := p.bucketArgs(a.code, r[0], r[1], r[2])
		bucketReplaceScript.EvalSha(ctx, pipe, keys, args...)
		pipe.Unlink(ctx, p.key(a.code))
		return
	}
	args := []any{a.slots, p.channel(a.code), a.code}
	for _, r := range a.rows {
		args = append(args, r[0], r[1], r[2])
	}
	replaceScript.EvalSha(ctx, pipe, []string{p.key(a.code)}, args...)
}

// dropLegacy deletes the hashes that one-row accounts had before the buckets (old[i] for accs[i]).
func (p *projector) dropLegacy(ctx context.Context, accs []accountRows, old []bool) error {
	pipe := p.rdb.Pipeline()
	for i, a := range accs {
		if old[i] {
			pipe.Unlink(ctx, p.key(a.code))
		}
	}
	if pipe.Len() == 0 {
		return nil
	}
	_, err := pipe.Exec(ctx)
	return err
}

func (l *Ledger) pgAccountRows(ctx context.Context, id int64) (accountRows, error) {
	a := accountRows{id: id}
	err := l.db.QueryRowContext(ctx, `SELECT code, slots FROM ledger_accounts WHERE id = $1`, id).Scan(&a.code, &a.slots)
	if err != nil {
		return a, err
	}
	rows, err := l.db.QueryContext(ctx,
		`SELECT posted, pending, version FROM ledger_balances WHERE account_id = $1 ORDER BY slot`, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var r [3]int64
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			return a, err
		}
		a.rows = append(a.rows, r)
	}
	return a, rows.Err()
}

// replace sets the account's projection to its PostgreSQL rows.
func (p *projector) replace(ctx context.Context, a accountRows) error {
	return p.replaceMany(ctx, []accountRows{a})
}
