package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"timebank/ledger"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/web"
)

// benchOpts are the flags of `timebank bench`.
type benchOpts struct {
	clients  int
	duration time.Duration
	hot      bool
	accounts int
	url      string
	token    string
	profile  string
}

// bench measures posting throughput, directly through the ledger or through the HTTP API, on the
// configured PostgreSQL and Redis. It creates its own accounts (prefixed with a run id) and leaves
// them, so the books stay append-only.
func bench(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	if len(args) == 0 || (args[0] != "ledger" && args[0] != "http") {
		return fmt.Errorf("%w: bench ledger|http [--clients N] [--duration 20s] [--hot] [--accounts N] [--url U --token T] [--cpuprofile F]", errUsage)
	}
	mode := args[0]
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(w)
	var o benchOpts
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to post")
	fs.BoolVar(&o.hot, "hot", false, "credit every transfer to one store account (the hot-account case)")
	fs.IntVar(&o.accounts, "accounts", 1000, "volunteer accounts to spread transfers over")
	fs.StringVar(&o.url, "url", "", "http: base URL of a running server (default: an in-process server)")
	fs.StringVar(&o.token, "token", "", "http: operator token of that server (default TIMEBANK_OPERATOR_TOKEN)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the timed part to this file (go tool pprof)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if o.clients < 1 || o.accounts < 2 || o.duration <= 0 {
		return fmt.Errorf("%w: --clients ≥ 1, --accounts ≥ 2, --duration > 0", errUsage)
	}
	cfg.DBMaxConns = max(cfg.DBMaxConns, o.clients+4)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return withServices(ctx, cfg, quiet, func(d *app.Services) error {
		run, err := setupBench(ctx, d.Ledger, o)
		if err != nil {
			return err
		}
		var post func(ctx context.Context, r ledger.TransactionRequest) error
		switch mode {
		case "ledger":
			post = func(ctx context.Context, r ledger.TransactionRequest) error {
				_, err := d.Ledger.Post(ctx, r)
				return err
			}
		case "http":
			base, token := o.url, o.token
			if base == "" {
				if d.Config.OperatorToken == "" { // the in-process server's own operator, for this run only
					d.Config.OperatorToken = randomToken()
				}
				stop, addr, err := startInProcess(d)
				if err != nil {
					return err
				}
				defer stop()
				base, token = "http://"+addr, d.Config.OperatorToken
			}
			if token == "" {
				token = cfg.OperatorToken
			}
			if token == "" {
				return fmt.Errorf("%w: bench http --url needs --token or TIMEBANK_OPERATOR_TOKEN, the server's operator token", errUsage)
			}
			post = httpPoster(base, token, o.clients)
		}
		stopProfile, err := cpuProfile(o.profile)
		if err != nil {
			return err
		}
		res := drive(ctx, o, run, post)
		stopProfile()
		shape := "spread"
		if o.hot {
			shape = "hot"
		}
		fmt.Fprintf(w, "%s %s: clients=%d duration=%s tx=%d errors=%d tx/s=%.0f postings/s=%.0f p50=%.2fms p95=%.2fms p99=%.2fms\n",
			mode, shape, o.clients, o.duration, res.ok, res.errors, res.tps(), 2*res.tps(),
			ms(res.pct(50)), ms(res.pct(95)), ms(res.pct(99)))
		if bs := d.Ledger.PostBatchStats(); bs.Batches > 0 || bs.Fallbacks > 0 {
			fmt.Fprintf(w, "postings written together: batches=%d requests=%d (%.1f a batch) fallbacks=%d\n",
				bs.Batches, bs.Batched, float64(bs.Batched)/float64(max(bs.Batches, 1)), bs.Fallbacks)
		}
		if res.firstErr != nil {
			fmt.Fprintf(w, "first error: %v\n", res.firstErr)
		}
		return nil
	})
}

// benchRun names the accounts of one run.
type benchRun struct {
	vols  []string
	store string
	id    string
}

func setupBench(ctx context.Context, l *ledger.Ledger, o benchOpts) (benchRun, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	r := benchRun{id: hex.EncodeToString(b)}
	issuer := "org:bench" + r.id + ":issued"
	r.store = "store:bench" + r.id + ":redeemed"
	for _, a := range []ledger.NewAccount{{Code: issuer, Kind: ledger.KindIssuer, AllowNegative: true},
		{Code: r.store, Kind: ledger.KindStore, AllowNegative: true}} {
		if _, err := l.CreateAccount(ctx, a); err != nil {
			return r, err
		}
	}
	for i := range o.accounts {
		code := fmt.Sprintf("vol:bench%s-%d", r.id, i)
		if _, err := l.CreateAccount(ctx, ledger.NewAccount{Code: code, Kind: ledger.KindVolunteer}); err != nil {
			return r, err
		}
		_, err := l.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxEarn, IdempotencyKey: "bench-fund-" + code,
			CreatedBy: "bench", Postings: []ledger.PostingRequest{{Account: issuer, Amount: -1_000_000_000}, {Account: code, Amount: 1_000_000_000}}})
		if err != nil {
			return r, err
		}
		r.vols = append(r.vols, code)
	}
	return r, nil
}

type benchResult struct {
	ok, errors int
	elapsed    time.Duration
	lat        []time.Duration
	firstErr   error
}

func (r benchResult) tps() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// tally is one client's count of answers, kept apart from the others' until the client is done.
type tally struct {
	ok, bad int
	first   error
	lat     []time.Duration
}

// record counts an answer to a request sent at t0: its latency, or its error.
func (t *tally) record(t0 time.Time, err error) {
	if err != nil {
		t.bad++
		if t.first == nil {
			t.first = err
		}
		return
	}
	t.ok++
	t.lat = append(t.lat, time.Since(t0))
}

// add merges a client's tally into the run's result.
func (r *benchResult) add(mu *sync.Mutex, t tally) {
	mu.Lock()
	defer mu.Unlock()
	r.ok, r.errors = r.ok+t.ok, r.errors+t.bad
	r.lat = append(r.lat, t.lat...)
	if r.firstErr == nil {
		r.firstErr = t.first
	}
}

func (r benchResult) pct(p int) time.Duration { return percentile(r.lat, p) }

// percentile is the p-th percentile of sorted latencies, 0 when there are none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drive runs the clients for the duration, each posting one-minute transfers back to back.
func drive(ctx context.Context, o benchOpts, run benchRun, post func(context.Context, ledger.TransactionRequest) error) benchResult {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		mu  sync.Mutex
		res benchResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			var t tally
			for n := 0; ctx.Err() == nil; n++ {
				from := run.vols[rng.IntN(len(run.vols))]
				to := run.store
				if !o.hot {
					for to = from; to == from; {
						to = run.vols[rng.IntN(len(run.vols))]
					}
				}
				r := ledger.TransactionRequest{Kind: ledger.TxTransfer, CreatedBy: "bench",
					IdempotencyKey: fmt.Sprintf("bench-%s-%d-%d", run.id, c, n),
					Postings:       []ledger.PostingRequest{{Account: from, Amount: -1}, {Account: to, Amount: 1}}}
				t0 := time.Now()
				t.record(t0, post(context.WithoutCancel(ctx), r))
			}
			res.add(&mu, t)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}

// startInProcess serves the app, wired as serve wires it (with the principals and sessions kept in
// memory), on a free loopback port.
func startInProcess(svc *app.Services) (stop func(), addr string, err error) {
	app, err := web.New(svc)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	go func() { _ = app.Listener(ln) }()
	listen, stopListening := context.WithCancel(context.Background())
	go svc.Invalidation.Run(listen)
	return func() { _ = app.ShutdownWithTimeout(5 * time.Second); stopListening() }, ln.Addr().String(), nil
}

// httpPoster posts through the HTTP API with fasthttp's client, which costs the shared CPU less than
// net/http's, so the figure is more the server's and less the load generator's.
func httpPoster(base, token string, clients int) func(context.Context, ledger.TransactionRequest) error {
	client := &fasthttp.Client{MaxConnsPerHost: clients * 2, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	url := base + "/api/v1/transactions"
	auth := "Bearer " + token
	return func(_ context.Context, r ledger.TransactionRequest) error {
		body, _ := json.Marshal(r)
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(url)
		req.Header.SetMethod(fasthttp.MethodPost)
		req.Header.SetContentType("application/json")
		req.Header.Set("Authorization", auth)
		req.Header.Set("Idempotency-Key", r.IdempotencyKey)
		req.SetBodyRaw(body)
		if err := client.Do(req, resp); err != nil {
			return err
		}
		if resp.StatusCode() != fasthttp.StatusCreated {
			return fmt.Errorf("%d: %s", resp.StatusCode(), resp.Body())
		}
		return nil
	}
}

// cpuProfile starts a CPU profile of the timed part into path (go tool pprof); with an empty path it
// does nothing. The returned function stops it.
func cpuProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// randomToken returns an operator token for an in-process server that lives for one benchmark.
func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
