package ledger

import (
	"context"
	"fmt"
	"time"
)

// Relay drains up to batch outbox rows (one per write) older than minAge into Redis and deletes them, in one
// PostgreSQL transaction: if Redis fails, the rows stay for the next round. Rows younger than minAge
// are left to the write after commit, which normally lands first; the relay's write is then a no-op,
// because Redis keeps the newest version of each row. It returns how many outbox rows it drained.
func (l *Ledger) Relay(ctx context.Context, minAge time.Duration, batch int) (int, error) {
	n, err := l.relay(ctx, minAge, batch)
	if err != nil {
		return n, err
	}
	return n, l.settleOwedAll(ctx)
}

// settleOwedAll lets reads use Redis again after the projector, past its limit, came to owe every
// account: once no outbox row is left from before its newest skipped change, the relay has written
// them all.
func (l *Ledger) settleOwedAll(ctx context.Context) error {
	upTo, mark, all := l.proj.owed.owedAll()
	if !all {
		return nil
	}
	var left bool
	err := l.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_outbox WHERE created_at <= $1)`, upTo).Scan(&left)
	if err == nil && !left {
		l.proj.owed.drained(upTo, mark)
	}
	return err
}

func (l *Ledger) relay(ctx context.Context, minAge time.Duration, batch int) (int, error) {
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	const q = `
WITH d AS (
    DELETE FROM ledger_outbox WHERE ctid IN (
        SELECT ctid FROM ledger_outbox WHERE created_at <= now() - $1 * interval '1 microsecond'
        LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING ctid::text AS row, account_ids, slots, posted, pending, versions
)
SELECT d.row, u.account_id, a.code, u.slot, a.slots, u.posted, u.pending, u.version
FROM d CROSS JOIN LATERAL unnest(d.account_ids, d.slots, d.posted, d.pending, d.versions)
         AS u (account_id, slot, posted, pending, version)
JOIN ledger_accounts a ON a.id = u.account_id`
	rows, err := tx.QueryContext(ctx, q, minAge.Microseconds(), batch)
	if err != nil {
		return 0, err
	}
	// Keep only the newest version of each balance row.
	type rowKey struct {
		account int64
		slot    int
	}
	newest := make(map[rowKey]change)
	drained := make(map[string]bool)
	for rows.Next() {
		var (
			c   change
			row string
		)
		if err := rows.Scan(&row, &c.accountID, &c.code, &c.slot, &c.slots, &c.posted, &c.pending, &c.version); err != nil {
			rows.Close()
			return 0, err
		}
		drained[row] = true
		k := rowKey{c.accountID, c.slot}
		if old, ok := newest[k]; !ok || old.version < c.version {
			newest[k] = c
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := len(drained)
	if n == 0 {
		return 0, nil
	}
	chs := make([]change, 0, len(newest))
	for _, c := range newest {
		chs = append(chs, c)
	}
	incomplete, err := l.proj.writeAll(ctx, chs)
	if err == nil {
		err = l.repair(ctx, incomplete)
	}
	if err != nil {
		return 0, fmt.Errorf("relay: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	l.stats.relayed.Add(uint64(n))
	return n, nil
}

// writeAll projects changes like write, but reports failure instead of counting it, and returns the
// accounts whose hash is still incomplete.
func (p *projector) writeAll(caller context.Context, chs []change) ([]int64, error) {
	ctx, cancel := context.WithTimeout(caller, 10*p.timeout+time.Second)
	defer cancel()
	cmds, err := p.run(ctx, chs)
	if err != nil && isNoScript(err) {
		if err = loadScripts(ctx, p.rdb); err == nil {
			cmds, err = p.run(ctx, chs)
		}
	}
	if err != nil {
		p.fail(caller, err)
		return nil, err
	}
	p.downUntil.Store(0) // Redis answered: the fast path may use it again
	p.owed.settle(chs)
	var incomplete []int64
	for _, c := range chs {
		if cmd, ok := cmds[c.code]; ok {
			delete(cmds, c.code)
			if v, _ := cmd.Int64Slice(); len(v) != 4 || v[3] != 1 {
				incomplete = append(incomplete, c.accountID)
			}
		}
	}
	return incomplete, nil
}

// Workers are the ledger's background jobs.
type Workers struct {
	RelayEvery  time.Duration // how often the relay runs (1 s by default)
	RelayMinAge time.Duration // outbox rows younger than this are left to the write after commit (2 s; negative: none)
	ExpireEvery time.Duration // how often expired holds are released (5 s)
}

// Run runs the relay, the hold expiry and the check for a Redis restart (every second) until ctx
// is done.
func (l *Ledger) Run(ctx context.Context, w Workers) {
	if w.RelayEvery <= 0 {
		w.RelayEvery = time.Second
	}
	if w.RelayMinAge < 0 {
		w.RelayMinAge = 0
	} else if w.RelayMinAge == 0 {
		w.RelayMinAge = 2 * time.Second
	}
	if w.ExpireEvery <= 0 {
		w.ExpireEvery = 5 * time.Second
	}
	relay := time.NewTicker(w.RelayEvery)
	defer relay.Stop()
	expire := time.NewTicker(w.ExpireEvery)
	defer expire.Stop()
	restart := time.NewTicker(time.Second)
	defer restart.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-relay.C:
			for {
				n, err := l.Relay(ctx, w.RelayMinAge, 1000)
				if err != nil {
					if ctx.Err() == nil {
						l.log.Warn("ledger relay", "err", err)
					}
					break
				}
				if n < 1000 { // drained what was due
					break
				}
			}
		case <-restart.C:
			if _, err := l.CheckRedisRestart(ctx, false); err != nil && ctx.Err() == nil {
				l.log.Debug("ledger: Redis restart check", "err", err)
			}
		case <-expire.C:
			if _, err := l.ExpireHolds(ctx, 500); err != nil && ctx.Err() == nil {
				l.log.Warn("ledger hold expiry", "err", err)
			}
		}
	}
}
