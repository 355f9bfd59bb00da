package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/valyala/fasthttp"

	"timebank/pkg/app"
	"timebank/pkg/config"
)

// redeemOpts are the flags of `timebank bench redeem`.
type redeemOpts struct {
	clients, volunteers, items int
	duration                   time.Duration
	rate                       float64
	profile                    string
}

// benchRedeem measures the charity supermarket end to end through the HTTP API of an in-process
// server: each client is a volunteer's phone placing an order (stock reserved, credits held) and
// then the store's counter handing it out (hold committed to the store's account, stock out). All
// credits go to the one store account: the hot-account case. An order counts once both calls
// succeeded; its latency is the two together.
func benchRedeem(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench redeem", flag.ContinueOnError)
	fs.SetOutput(w)
	var o redeemOpts
	fs.IntVar(&o.clients, "clients", 200, "concurrent phones/counters")
	fs.IntVar(&o.volunteers, "volunteers", 100_000, "volunteers (imported, funded and signed in before the run)")
	fs.IntVar(&o.items, "items", 1000, "items of the store, each in ample stock")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to place and fulfil orders")
	fs.Float64Var(&o.rate, "rate", 0, "orders/s offered by all clients together, paced; 0: each client orders again at once")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the timed part to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if o.clients < 1 || o.volunteers < 1 || o.items < 3 || o.volunteers > 1_000_000 || o.duration <= 0 || o.rate < 0 {
		return fmt.Errorf("%w: bench redeem: --clients ≥ 1, 1 ≤ --volunteers ≤ 1000000, --items ≥ 3, --duration > 0, --rate ≥ 0", errUsage)
	}
	// The server keeps the configured pool (TIMEBANK_DB_MAX_CONNS), as in production: 200 phones do
	// not get 200 PostgreSQL connections.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return withServices(ctx, cfg, quiet, func(d *app.Services) error {
		world, err := setupRedeem(ctx, d, o, w)
		if err != nil {
			return err
		}
		stopServer, addr, err := startInProcess(d)
		if err != nil {
			return err
		}
		defer stopServer()
		stopProfile, err := cpuProfile(o.profile)
		if err != nil {
			return err
		}
		stopAnalyze := keepAnalyzed(ctx, d.DB, 2*time.Second, 10*time.Second, redeemTables)
		res := driveRedeem(ctx, o, world, "http://"+addr)
		stopAnalyze()
		stopProfile()
		fmt.Fprintf(w, "redeem hot: clients=%d duration=%s volunteers=%d items=%d rate=%s orders=%d errors=%d orders/s=%.0f p50=%.2fms p95=%.2fms p99=%.2fms\n",
			o.clients, o.duration, o.volunteers, o.items, redeemRate(o.rate), res.ok, res.errors, res.tps(),
			ms(res.pct(50)), ms(res.pct(95)), ms(res.pct(99)))
		fmt.Fprintf(w, "redeem steps: place p50=%.2fms p99=%.2fms, fulfil p50=%.2fms p99=%.2fms\n",
			ms(percentile(res.place, 50)), ms(percentile(res.place, 99)), ms(percentile(res.fulfil, 50)), ms(percentile(res.fulfil, 99)))
		placed, handed := d.Store.BatchStats()
		fmt.Fprintf(w, "redeem batches: placed %d orders in %d (%.1f a batch, %d one by one), handed out %d in %d (%.1f a batch, %d one by one)\n",
			placed.Calls, placed.Batches, float64(placed.Calls)/float64(max(placed.Batches, 1)), placed.Fallbacks,
			handed.Calls, handed.Batches, float64(handed.Calls)/float64(max(handed.Batches, 1)), handed.Fallbacks)
		if res.firstErr != nil {
			fmt.Fprintf(w, "first error: %v\n", res.firstErr)
		}
		// The sessions would otherwise stay in Redis for a week.
		return redeemParallel(len(world.tokens), 32, func(i int) error { return d.Sessions.Delete(ctx, world.tokens[i]) })
	})
}

// redeemTables are the tables the run fills from empty: orders, their lines and stock movements,
// holds and the ledger's transactions.
var redeemTables = []string{"store_orders", "store_order_lines", "store_allocations", "store_movements", "store_lots",
	"ledger_holds", "ledger_transactions", "ledger_postings"}

// keepAnalyzed analyzes the tables first after a moment and then every so often until stopped,
// as autovacuum does on a live database. The run fills them from empty in seconds, faster than autovacuum looks (once a
// minute, and never where it is switched off): without it, plans made while a table was nearly
// empty (the foreign-key checks' among them) would scan it whole for every order once it is not,
// which a store with a history never sees.
func keepAnalyzed(ctx context.Context, db *sqlx.DB, first, every time.Duration, tables []string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		timer := time.NewTimer(first)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
				_, _ = db.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
				timer.Reset(every)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// redeemResult is a run's orders (place and fulfil together) and each step's latencies.
type redeemResult struct {
	benchResult
	place, fulfil []time.Duration
}

// redeemRate names the load: an offered rate, or each client ordering again at once ("closed").
func redeemRate(rate float64) string {
	if rate == 0 {
		return "closed"
	}
	return strconv.FormatFloat(rate, 'f', -1, 64) + "/s"
}

// driveRedeem runs the clients for the duration, each ordering 1 to 3 random items (1 or 2 of
// each) for a random volunteer and handing the order out at one of the store's counters. Without
// a rate each client orders again as soon as its last order is handed out, so the latency is the
// number of clients over the throughput (Little's law) whatever the server does. With a rate
// each client keeps to its own schedule, and an order's latency counts from when it was due: an
// order that waits for the one before it is late, and the lateness counts.
func driveRedeem(ctx context.Context, o redeemOpts, world redeemWorld, base string) redeemResult {
	client := &fasthttp.Client{MaxConnsPerHost: o.clients * 2, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		mu  sync.Mutex
		res redeemResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			counter := "Bearer " + world.counters[c%len(world.counters)]
			var mine tally
			var place, fulfil []time.Duration
			var every time.Duration
			if o.rate > 0 {
				every = time.Duration(float64(time.Second) * float64(o.clients) / o.rate)
			}
			due := start.Add(every * time.Duration(c) / time.Duration(o.clients))
			for n := 0; ctx.Err() == nil; n++ {
				phone := "Bearer " + world.tokens[rng.IntN(len(world.tokens))]
				key := "bench-redeem-" + world.run + "-" + strconv.Itoa(c) + "-" + strconv.Itoa(n)
				if every > 0 && !redeemWait(ctx, due) {
					break
				}
				t0 := time.Now()
				from := t0 // when the order counts from: when it was due, if it had a schedule
				if every > 0 {
					from, due = due, due.Add(every)
				}
				id, err := redeemCall(client, base+"/api/v1/orders", phone, key, redeemOrderBody(rng, world), fasthttp.StatusCreated)
				t1 := time.Now()
				if err == nil {
					_, err = redeemCall(client, base+"/api/v1/orders/"+strconv.FormatInt(id, 10)+"/fulfil", counter, "", nil, fasthttp.StatusOK)
				}
				if err == nil {
					place, fulfil = append(place, t1.Sub(t0)), append(fulfil, time.Since(t1))
				}
				mine.record(from, err)
			}
			mu.Lock()
			res.place, res.fulfil = append(res.place, place...), append(res.fulfil, fulfil...)
			mu.Unlock()
			res.add(&mu, mine)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	for _, l := range [][]time.Duration{res.lat, res.place, res.fulfil} {
		slices.Sort(l)
	}
	return res
}

// redeemWait waits until t, and reports false if the run ends first.
func redeemWait(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// redeemOrderBody is an order of 1 to 3 different items of the store, 1 or 2 of each.
func redeemOrderBody(rng *mrand.Rand, world redeemWorld) []byte {
	b := append([]byte(`{"store":`), strconv.FormatInt(world.store, 10)...)
	b = append(b, `,"lines":[`...)
	var picked [3]int64
	lines := 1 + rng.IntN(3)
	for i := 0; i < lines; i++ {
		it := world.items[rng.IntN(len(world.items))]
		if slices.Contains(picked[:i], it) {
			i--
			continue
		}
		picked[i] = it
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"item":%d,"qty":%d}`, it, 1+rng.IntN(2))
	}
	return append(b, "]}"...)
}

// redeemCall posts body (none when nil) with the bearer token and idempotency key (none when "")
// and returns the id in the answer, or an error unless the status is want.
func redeemCall(client *fasthttp.Client, url, auth, key string, body []byte, want int) (int64, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.Set("Authorization", auth)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	if err := client.Do(req, resp); err != nil {
		return 0, err
	}
	if resp.StatusCode() != want {
		return 0, fmt.Errorf("POST %s: %d: %s", url, resp.StatusCode(), resp.Body())
	}
	var got struct {
		ID int64 `json:"id"`
	}
	err := json.Unmarshal(resp.Body(), &got)
	return got.ID, err
}
