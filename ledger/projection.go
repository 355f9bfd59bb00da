package ledger

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The projection keeps a one-row account's balance as a field of a bucket (bucket.go) and a split
// account's as a Redis hash, with fields p<slot>, h<slot> and v<slot> (posted, pending, version of
// each balance row) and n (the number of rows). Each row (or field) is written only by a newer
// version, so writes may arrive in any order, twice, or from the relay, and Redis still ends at
// PostgreSQL's values. A hash that lacks a row is incomplete and read as a miss.
// A split account's hash also keeps its totals, P, H, V, and c (how many rows it holds), changed by
// each row's difference, so that a write to a hot account costs the same whatever its rows.

// projectScript writes balance rows of one split account, each only if its version is newer, and
// returns the account's totals (posted, pending, version, complete). It publishes the totals when a
// row changed (see publishLua). ARGV: slots, channel, code, then slot, posted, pending, version for
// each row.
var projectScript = redis.NewScript(publishLua + `
local key, n = KEYS[1], tonumber(ARGV[1])
local t = redis.call('HMGET', key, 'n', 'c', 'P', 'H', 'V')
local c, P, H, V
local kept = tonumber(t[1]) == n and t[2] and t[3] and t[4] and t[5]
if kept then
  c, P, H, V = tonumber(t[2]), tonumber(t[3]), tonumber(t[4]), tonumber(t[5])
else
  -- No totals kept yet (a hash written before they were): sum the rows once.
  c, P, H, V = 0, 0, 0, 0
  for i = 0, n - 1 do
    local r = redis.call('HMGET', key, 'p' .. i, 'h' .. i, 'v' .. i)
    if r[1] and r[2] and r[3] then
      c, P, H, V = c + 1, P + tonumber(r[1]), H + tonumber(r[2]), V + tonumber(r[3])
    end
  end
end
local changed = false
for i = 4, #ARGV, 4 do
  local slot, p, h, v = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local r = redis.call('HMGET', key, 'p' .. slot, 'h' .. slot, 'v' .. slot)
  if (not r[3]) or tonumber(r[3]) < v then
    if r[3] then
      P, H, V = P - tonumber(r[1]), H - tonumber(r[2]), V - tonumber(r[3])
    else
      c = c + 1
    end
    P, H, V = P + p, H + h, V + v
    redis.call('HSET', key, 'p' .. slot, ARGV[i + 1], 'h' .. slot, ARGV[i + 2], 'v' .. slot, ARGV[i + 3])
    changed = true
  end
end
if changed or not kept then
  redis.call('HSET', key, 'n', n, 'c', c, 'P', P, 'H', H, 'V', V)
end
local complete = 0
if c == n then
  complete = 1
  if changed then publish(P, H, V) end
end
return {P, H, V, complete}
`)

// replaceScript sets a split account's whole hash to the given rows, whatever Redis held (reconcile).
// ARGV: n, channel, code, then posted, pending, version for each row.
var replaceScript = redis.NewScript(publishLua + `
local key, n = KEYS[1], tonumber(ARGV[1])
redis.call('DEL', key)
local posted, pending, version = 0, 0, 0
for i = 0, n - 1 do
  local p, h, v = ARGV[4 + 3 * i], ARGV[5 + 3 * i], ARGV[6 + 3 * i]
  redis.call('HSET', key, 'p' .. i, p, 'h' .. i, h, 'v' .. i, v)
  posted, pending, version = posted + tonumber(p), pending + tonumber(h), version + tonumber(v)
end
redis.call('HSET', key, 'n', n)
if n > 1 then
  redis.call('HSET', key, 'c', n, 'P', posted, 'H', pending, 'V', version)
end
publish(posted, pending, version)
return 1
`)

// projector writes balances to Redis. After a failure it leaves Redis alone for a second, so that
// postings stay fast while Redis is down; the relay catches up from the outbox. What it could not
// write it remembers (owed), so that reads do not trust Redis for those accounts meanwhile.
type projector struct {
	rdb       redis.UniversalClient
	prefix    string
	timeout   time.Duration
	stats     *counters
	downUntil atomic.Int64
	owed      *unprojected
	// distrust is set while Redis restarted and is not yet reconciled: it may hold old balances.
	distrust atomic.Bool
	// runs checks, after the client dialed, that the server is the one read before (dials.go);
	// restarted is told when it is not.
	runs      runCheck
	restarted func(context.Context)
	reads     *readGroup // balance reads arriving together, in one pipeline (read_group.go)
	splits    splitCodes // codes known to be of split accounts (bucket.go)
}

func newProjector(rdb redis.UniversalClient, prefix string, timeout time.Duration, stats *counters) *projector {
	p := &projector{rdb: rdb, prefix: prefix, timeout: timeout, stats: stats, owed: newUnprojected(maxUnprojected)}
	p.reads = newReadGroup(rdb, p)
	return p
}

func (p *projector) key(code string) string     { return p.prefix + "bal:" + code }
func (p *projector) channel(code string) string { return p.prefix + "balance:" + code }

// BalanceChannel is the Redis channel on which every change of the account's balance is published
// (see Watch, which reads it).
func (l *Ledger) BalanceChannel(code string) string { return l.proj.channel(code) }

func (p *projector) down() bool { return time.Now().UnixNano() < p.downUntil.Load() }

// fail leaves Redis alone for a second after a Redis error. A caller that cancelled its request or
// ran out of time (caller is done) says nothing about Redis's health, and neither does a missing key.
func (p *projector) fail(caller context.Context, err error) {
	if err == nil || errors.Is(err, redis.Nil) || caller.Err() != nil {
		return
	}
	p.downUntil.Store(time.Now().Add(time.Second).UnixNano())
}

// write projects the changes and returns the account totals Redis reported, and the ids of the
// accounts whose hash is incomplete (Redis lost it, or never had all rows of a split account).
func (p *projector) write(ctx context.Context, chs []change) (map[string]Balance, []int64) {
	if p.down() {
		p.owed.add(chs)
		p.stats.projectionErrors.Add(uint64(len(chs)))
		return nil, nil
	}
	// The changes are committed: the write goes on if the caller goes away, so any failure is Redis's.
	committed := context.WithoutCancel(ctx)
	ctx, cancel := context.WithTimeout(committed, p.timeout)
	defer cancel()
	cmds, err := p.run(ctx, chs)
	if err != nil && isNoScript(err) {
		if err = loadScripts(ctx, p.rdb); err == nil {
			cmds, err = p.run(ctx, chs)
		}
	}
	if err != nil {
		p.owed.add(chs)
		p.fail(committed, err)
		p.stats.projectionErrors.Add(uint64(len(chs)))
		return nil, nil
	}
	p.owed.settle(chs)
	out := make(map[string]Balance, len(cmds))
	var incomplete []int64
	for _, c := range chs {
		cmd, ok := cmds[c.code]
		if !ok {
			continue
		}
		delete(cmds, c.code)
		v, _ := cmd.Int64Slice()
		if len(v) == 4 && v[3] == 1 {
			out[c.code] = newBalance(c.code, v[0], v[1], v[2], SourceRedis)
		} else {
			incomplete = append(incomplete, c.accountID)
		}
	}
	return out, incomplete
}

// project writes committed changes to Redis, rewriting from PostgreSQL any account whose hash turns
// out incomplete, and returns the complete totals Redis reported.
func (l *Ledger) project(ctx context.Context, chs []change) map[string]Balance {
	totals, incomplete := l.proj.write(ctx, chs)
	if err := l.repair(ctx, incomplete); err != nil {
		l.log.Warn("ledger: projection repair", "err", err)
	}
	return totals
}

// repair writes every balance row of the accounts to Redis, each only if newer than what Redis has.
func (l *Ledger) repair(ctx context.Context, ids []int64) error {
	var chs []change
	for _, id := range ids {
		a, err := l.pgAccountRows(ctx, id)
		if err != nil {
			return err
		}
		chs = append(chs, a.changes()...)
	}
	if len(chs) == 0 {
		return nil
	}
	_, err := l.proj.writeAll(ctx, chs)
	return err
}

// run writes the changes in one pipeline: a one-row account's newest change to its bucket field, a
// split account's rows to its hash.
func (p *projector) run(ctx context.Context, chs []change) (map[string]*redis.Cmd, error) {
	pipe := p.rdb.Pipeline()
	args := make(map[string][]any, len(chs))
	newest := make(map[string]change)
	var order []string
	for _, c := range chs {
		if c.code == "" {
			continue
		}
		if c.slots <= 1 {
			if old, ok := newest[c.code]; !ok || old.version < c.version {
				if !ok {
					order = append(order, c.code)
				}
				newest[c.code] = c
			}
			continue
		}
		p.splits.add(c.code)
		if _, ok := args[c.code]; !ok {
			order = append(order, c.code)
			args[c.code] = []any{c.slots, p.channel(c.code), c.code}
		}
		args[c.code] = append(args[c.code], c.slot, c.posted, c.pending, c.version)
	}
	cmds := make(map[string]*redis.Cmd, len(order))
	for _, code := range order {
		if c, ok := newest[code]; ok {
			keys, a := p.bucketArgs(code, c.posted, c.pending, c.version)
			cmds[code] = bucketScript.EvalSha(ctx, pipe, keys, a...)
		} else {
			cmds[code] = projectScript.EvalSha(ctx, pipe, []string{p.key(code)}, args[code]...)
		}
	}
	if len(cmds) == 0 {
		return cmds, nil
	}
	_, err := pipe.Exec(ctx)
	return cmds, err
}

func isNoScript(err error) bool { return redis.HasErrorPrefix(err, "NOSCRIPT") }

// read returns the account's balance if Redis holds all of its rows and is not missing a change of
// the account that this process committed.
func (p *projector) read(caller context.Context, code string) (Balance, bool) {
	if p.down() || p.distrust.Load() || p.owed.owes(code) {
		return Balance{}, false
	}
	ctx, cancel := context.WithTimeout(caller, p.timeout)
	defer cancel()
	if !p.sameServer(ctx) {
		return Balance{}, false
	}
	dials := p.runs.dials.Load()
	r, err := p.reads.get(ctx, code)
	if err != nil {
		p.fail(caller, err)
		return Balance{}, false
	}
	// A read retried on a new connection may have reached a restarted server.
	if p.runs.dials.Load() != dials && !p.sameServer(ctx) {
		return Balance{}, false
	}
	if !r.ok {
		return Balance{}, false
	}
	return newBalance(code, r.sum[0], r.sum[1], r.sum[2], SourceRedis), true
}

// parseRows reads a split account's hash into (posted, pending, version) per row; ok is false when
// the hash is missing, incomplete, not numbers, or of one row (a one-row account's hash from before
// the buckets, which nothing writes any longer).
func parseRows(m map[string]string) (rows [][3]int64, ok bool) {
	n, err := strconv.Atoi(m["n"])
	if err != nil || n < 2 || n > MaxSlots {
		return nil, false
	}
	rows = make([][3]int64, n)
	for i := range n {
		s := strconv.Itoa(i)
		for j, f := range [3]string{"p", "h", "v"} {
			v, err := strconv.ParseInt(m[f+s], 10, 64)
			if err != nil {
				return nil, false
			}
			rows[i][j] = v
		}
	}
	return rows, true
}
