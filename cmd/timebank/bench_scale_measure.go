package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/app"
	"timebank/pkg/config"
)

// scaleResult is what one run of `bench scale` found.
type scaleResult struct {
	plan                       scalePlan
	rows                       map[string]int64
	load, checkLoad            time.Duration
	rebuild, reconcile, verify time.Duration
	verifyAgain                time.Duration // from the checkpoints the first one left
	projected                  int
	redisDelta, redisSample    float64 // bytes per projected account: INFO delta, MEMORY USAGE mean
	verifyOK                   bool
	dbBytes, volunteers        int64
	postRate                   int
	postOK, postErr            int
	postP50, postP99           time.Duration
	reads                      float64
	summary                    [][2]string // level, "first / median of 5"
}

func (r scaleResult) totalRows() int64 {
	var n int64
	for _, c := range r.rows {
		n += c
	}
	return n
}

// measureScale times the report rebuild, reconcile and verify over the loaded data, then the region
// summaries, postings at a paced rate and balance reads.
func measureScale(ctx context.Context, d *app.Services, o scaleOpts, res *scaleResult, w io.Writer) error {
	if err := d.DB.GetContext(ctx, &res.volunteers, `SELECT count(*) FROM users`); err != nil {
		return err
	}
	step := func(name string, into *time.Duration, fn func() error) error {
		fmt.Fprintf(w, "  %s …\n", name)
		began := time.Now()
		err := fn()
		*into = time.Since(began)
		fmt.Fprintf(w, "  %s: %s\n", name, into.Round(time.Millisecond))
		return err
	}
	if !o.noRebuild {
		if err := step("report rebuild", &res.rebuild, func() error {
			_, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{})
			return err
		}); err != nil {
			return err
		}
	}
	if o.noRebuild {
		return measureLoad(ctx, d, o, res)
	}
	before, err := redisUsed(ctx, d.Redis)
	if err != nil {
		return err
	}
	if err := step("reconcile", &res.reconcile, func() error {
		rep, err := d.Ledger.Reconcile(ctx)
		res.projected = len(rep.Repairs)
		return err
	}); err != nil {
		return err
	}
	after, err := redisUsed(ctx, d.Redis)
	if err != nil {
		return err
	}
	if res.projected > 0 {
		res.redisDelta = float64(after-before) / float64(res.projected)
	}
	codes, err := sampleAccounts(ctx, d)
	if err != nil {
		return err
	}
	if res.redisSample, err = memoryUsage(ctx, d.Redis, d.Config.RedisPrefix, codes); err != nil {
		return err
	}
	for _, run := range []struct {
		name string
		into *time.Duration
	}{{"verify", &res.verify}, {"verify again (from the checkpoints)", &res.verifyAgain}} {
		var out bytes.Buffer
		// With the ranges' progress on stderr: at a province's size a check runs for minutes.
		opt := verifyDefaults(d)
		opt.Progress = os.Stderr
		err = step(run.name, run.into, func() error { return verifyWith(ctx, d, &out, opt) })
		res.verifyOK = err == nil
		if err != nil {
			w.Write(out.Bytes())
			if err != errFailed {
				return err
			}
			break
		}
	}
	return measureLoad(ctx, d, o, res)
}

// measureLoad measures the database size, the region summaries, paced postings and balance reads.
func measureLoad(ctx context.Context, d *app.Services, o scaleOpts, res *scaleResult) error {
	codes, err := sampleAccounts(ctx, d)
	if err != nil {
		return err
	}
	if res.redisSample, err = memoryUsage(ctx, d.Redis, d.Config.RedisPrefix, codes); err != nil {
		return err
	}
	if err := d.DB.GetContext(ctx, &res.dbBytes, `SELECT pg_database_size(current_database())`); err != nil {
		return err
	}
	if err := summaries(ctx, d, res); err != nil {
		return err
	}
	res.postRate = o.postRate
	pacedPostings(ctx, d.Ledger, codes, o, res)
	res.reads = balanceReads(ctx, d.Ledger, codes, o.duration)
	return nil
}

// redisUsed is Redis's used_memory.
func redisUsed(ctx context.Context, rdb redis.UniversalClient) (int64, error) {
	info, err := rdb.InfoMap(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
}

// sampleAccounts returns up to 100,000 volunteer accounts with a balance, spread over the ids.
func sampleAccounts(ctx context.Context, d *app.Services) ([]string, error) {
	var codes []string
	err := d.DB.SelectContext(ctx, &codes, `
SELECT a.code FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
 WHERE a.kind = 'volunteer' AND b.posted >= 60 AND b.account_id % 7 = 0 LIMIT 100000`)
	if err == nil && len(codes) < 2 {
		err = fmt.Errorf("bench scale: fewer than two volunteers with a balance to measure with")
	}
	return codes, err
}

// memoryUsage is Redis's memory per projected volunteer: the MEMORY USAGE (every field counted) of
// the buckets holding up to 1,000 of the accounts, over the accounts those buckets hold.
func memoryUsage(ctx context.Context, rdb redis.UniversalClient, prefix string, codes []string) (float64, error) {
	seen := map[string]bool{}
	var sum, n int64
	for _, c := range codes[:min(len(codes), 1000)] {
		bucket, _, _ := ledger.RedisKeys(prefix, c)
		if seen[bucket] {
			continue
		}
		seen[bucket] = true
		b, err := rdb.MemoryUsage(ctx, bucket, 0).Result()
		if err == redis.Nil {
			continue
		}
		if err != nil {
			return 0, err
		}
		fields, err := rdb.HLen(ctx, bucket).Result()
		if err != nil {
			return 0, err
		}
		sum, n = sum+b, n+fields
	}
	return float64(sum) / float64(max(n, 1)), nil
}

// summaries times the region page's figures (a year by month) for the province, its first city and
// that city's first street: the first call, then the median of five more.
func summaries(ctx context.Context, d *app.Services, res *scaleResult) error {
	var street string
	if err := d.DB.GetContext(ctx, &street, `SELECT min(code) FROM regions WHERE level = 4 AND code LIKE '3301%'`); err != nil {
		return err
	}
	p, err := d.Reports.ParsePeriod("", "")
	if err != nil {
		return err
	}
	for _, lv := range [][2]string{{"province", scaleProvince}, {"city", "330100000000"}, {"street", street}} {
		var took []time.Duration
		for range 6 {
			began := time.Now()
			if _, err := d.Reports.RegionSummary(ctx, lv[1], p); err != nil {
				return fmt.Errorf("summary of %s: %w", lv[1], err)
			}
			took = append(took, time.Since(began))
		}
		rest := slices.Clone(took[1:])
		slices.Sort(rest)
		res.summary = append(res.summary, [2]string{lv[0], fmt.Sprintf("%.1f ms / %.1f ms", ms(took[0]), ms(rest[2]))})
	}
	return nil
}

// pacedPostings offers o.postRate one-minute transfers a second between the sampled volunteers for
// o.duration, through the ledger as `bench ledger` posts; each latency counts from when the transfer
// was due, so a backlog shows.
func pacedPostings(ctx context.Context, l *ledger.Ledger, codes []string, o scaleOpts, res *scaleResult) {
	due := make(chan time.Time, o.postRate)
	var (
		mu      sync.Mutex
		lat     []time.Duration
		ok, bad atomic.Int64
		wg      sync.WaitGroup
		seq     atomic.Int64
	)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for c := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			var mine []time.Duration
			for t := range due {
				from := codes[rng.IntN(len(codes))]
				to := from
				for to == from {
					to = codes[rng.IntN(len(codes))]
				}
				_, err := l.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxTransfer, CreatedBy: "bench",
					IdempotencyKey: "bench-scale-" + run + "-" + strconv.FormatInt(seq.Add(1), 10),
					Postings:       []ledger.PostingRequest{{Account: from, Amount: -1}, {Account: to, Amount: 1}}})
				if err != nil {
					bad.Add(1)
					continue
				}
				ok.Add(1)
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	interval := time.Second / time.Duration(o.postRate)
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= o.duration {
			break
		}
		time.Sleep(time.Until(at))
		due <- at
	}
	close(due)
	wg.Wait()
	slices.Sort(lat)
	res.postOK, res.postErr = int(ok.Load()), int(bad.Load())
	res.postP50, res.postP99 = percentile(lat, 50), percentile(lat, 99)
}

// balanceReads is how many balances 16 clients read a second, back to back, from the sampled accounts.
func balanceReads(ctx context.Context, l *ledger.Ledger, codes []string, d time.Duration) float64 {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), 7))
			for ctx.Err() == nil {
				if _, err := l.Balance(ctx, codes[rng.IntN(len(codes))]); err == nil {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// scaleLoadTests runs the check-in storm and paced orders of `bench checkin` and `bench redeem`
// against the loaded database; they print their own lines.
func scaleLoadTests(ctx context.Context, scfg config.Config, o scaleOpts, w io.Writer) error {
	fmt.Fprintln(w, "check-in storm on the loaded database (bench checkin, 64 clients, 10,000 first scans):")
	if err := benchCheckin(ctx, scfg, nil, w); err != nil {
		return err
	}
	fmt.Fprintln(w, "orders on the loaded database (bench redeem --rate 500):")
	return benchRedeem(ctx, scfg, []string{"--rate", "500", "--volunteers", "20000", "--duration", o.duration.String()}, w)
}

// deleteByPrefix deletes every key under prefix, a thousand at a time.
func deleteByPrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) (int, error) {
	n := 0
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return n, err
			}
			n, batch = n+len(batch), batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return n, err
		}
		n += len(batch)
	}
	return n, iter.Err()
}

// print writes the figures as the README's table.
func (r scaleResult) print(w io.Writer) {
	vols := max(r.volunteers, 1)
	fmt.Fprintf(w, "\n| figure | value |\n|---|---|\n")
	row := func(k, f string, a ...any) { fmt.Fprintf(w, "| %s | %s |\n", k, fmt.Sprintf(f, a...)) }
	if r.load > 0 {
		row("load (COPY)", "%d rows in %s, then %s to check foreign keys", r.totalRows(), r.load.Round(time.Second), r.checkLoad.Round(time.Second))
	}
	row("volunteers", "%d", r.volunteers)
	row("posting, paced", "%d tx/s offered: %d ok, %d errors; p50 %.1f ms, p99 %.1f ms", r.postRate, r.postOK, r.postErr, ms(r.postP50), ms(r.postP99))
	row("balance reads (16 clients)", "%.0f/s", r.reads)
	row("Redis per projected volunteer", "%.0f bytes (MEMORY USAGE mean of 1,000)", r.redisSample)
	if r.projected > 0 {
		row("Redis per projected account", "%.0f bytes (used_memory delta over %d accounts, split ones included)", r.redisDelta, r.projected)
	}
	row("PostgreSQL per volunteer", "%.0f bytes (%.1f GB in all)", float64(r.dbBytes)/float64(vols), float64(r.dbBytes)/1e9)
	if r.rebuild > 0 { // not with --no-rebuild
		row("report rebuild (the year)", "%s", r.rebuild.Round(time.Second))
		row("reconcile", "%s (%d accounts projected)", r.reconcile.Round(time.Second), r.projected)
		ok := "clean"
		if !r.verifyOK {
			ok = "PROBLEMS"
		}
		row("verify", "%s, %s", r.verify.Round(time.Second), ok)
		if r.verifyAgain > 0 {
			row("verify again, from the checkpoints", "%s", r.verifyAgain.Round(time.Millisecond))
		}
	}
	for _, s := range r.summary {
		row("region summary, "+s[0]+" (first / median)", "%s", s[1])
	}
}
