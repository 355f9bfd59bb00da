package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/config"
)

// checkinOpts are the flags of `timebank bench checkin`.
type checkinOpts struct {
	clients    int
	volunteers int
	activities int
	profile    string
}

// maxCheckinVolunteers bounds --volunteers by the phone numbers one run can give out (see
// checkinPhone).
const maxCheckinVolunteers = 100_000

// benchCheckin measures the check-in storm of a Volunteer Day morning: every volunteer scans the
// kiosk code of their activity once, through POST /api/v1/scans of an in-process server on a
// loopback listener, with their own bearer session. Only check-ins are measured: scanning the same
// code again two minutes later would check out. The set-up (an organization, activities in progress,
// volunteers in bulk, their sessions) is made on the configured database and left there, like the
// other benchmarks' accounts.
func benchCheckin(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench checkin", flag.ContinueOnError)
	fs.SetOutput(w)
	var o checkinOpts
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients")
	fs.IntVar(&o.volunteers, "volunteers", 10_000, "volunteers, each checking in once")
	fs.IntVar(&o.activities, "activities", 100, "activities in progress the volunteers are spread over")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the storm (server and clients) to this file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: bench checkin [--clients 64] [--volunteers 10000] [--activities 100] [--cpuprofile F]: %v", errUsage, err)
	}
	if o.clients < 1 || o.activities < 1 || o.volunteers < 1 || o.volunteers > maxCheckinVolunteers {
		return fmt.Errorf("%w: --clients ≥ 1, --activities ≥ 1, 1 ≤ --volunteers ≤ %d", errUsage, maxCheckinVolunteers)
	}
	// The server logs only what fails (a 5xx says why), not each request.
	errorsOnly := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
	return withServices(ctx, cfg, errorsOnly, func(d *app.Services) error {
		began := time.Now()
		world, err := setupCheckin(ctx, d, o)
		if err != nil {
			return fmt.Errorf("bench checkin set-up: %w", err)
		}
		fmt.Fprintf(w, "checkin set-up: organization %d, %d activities, %d volunteers with sessions in %s\n",
			world.orgID, len(world.activities), len(world.volunteers), time.Since(began).Round(time.Millisecond))
		codes := &checkinCodes{acts: d.Activities, ids: world.activities, tokens: make([]atomic.Pointer[string], len(world.activities))}
		next, err := codes.fetch(ctx)
		if err != nil {
			return err
		}
		fresh, stopFresh := context.WithCancel(ctx)
		defer stopFresh()
		go codes.keepFresh(fresh, next)
		stopServer, addr, err := startInProcess(d)
		if err != nil {
			return err
		}
		defer stopServer()
		stopProfile, err := cpuProfile(o.profile)
		if err != nil {
			return err
		}
		res := checkinStorm(world, codes, "http://"+addr, o.clients)
		stopProfile()
		stopFresh()
		in, err := world.checkedIn(ctx, d)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "checkin: clients=%d volunteers=%d activities=%d db_conns=%d scans=%d errors=%d attendances=%d elapsed=%s scans/s=%.0f p50=%.2fms p95=%.2fms p99=%.2fms\n",
			o.clients, o.volunteers, o.activities, cfg.DBMaxConns, res.ok, res.errors, in, res.elapsed.Round(time.Millisecond),
			res.tps(), ms(res.pct(50)), ms(res.pct(95)), ms(res.pct(99)))
		if bs := d.Activities.CheckInBatchStats(); bs.Batches > 0 || bs.Fallbacks > 0 {
			fmt.Fprintf(w, "check-ins written together: batches=%d scans=%d (%.1f a batch) fallbacks=%d\n",
				bs.Batches, bs.Batched, float64(bs.Batched)/float64(max(bs.Batches, 1)), bs.Fallbacks)
		}
		if res.firstErr != nil {
			fmt.Fprintf(w, "first error: %v\n", res.firstErr)
		}
		if in != res.ok {
			return fmt.Errorf("%w: %d check-ins answered but %d attendances open", errFailed, res.ok, in)
		}
		return nil
	})
}

// checkinStorm has the clients take the volunteers in turn, each volunteer scanning their activity's
// current code once, as fast as the server answers.
func checkinStorm(world checkinWorld, codes *checkinCodes, base string, clients int) benchResult {
	client := &fasthttp.Client{MaxConnsPerHost: clients * 2, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	url := base + "/api/v1/scans"
	checkedIn := []byte(`"action":"checked_in"`)
	var (
		taken atomic.Int64
		mu    sync.Mutex
		res   benchResult
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			var t tally
			for i := taken.Add(1) - 1; i < int64(len(world.volunteers)); i = taken.Add(1) - 1 {
				v := world.volunteers[i]
				body, _ := json.Marshal(activity.Scan{Token: codes.token(v.activity)})
				req.Reset()
				req.SetRequestURI(url)
				req.Header.SetMethod(fasthttp.MethodPost)
				req.Header.SetContentType("application/json")
				req.Header.Set("Authorization", "Bearer "+v.session)
				req.SetBodyRaw(body)
				t0 := time.Now()
				err := client.Do(req, resp)
				if err == nil && (resp.StatusCode() != fasthttp.StatusOK || !bytes.Contains(resp.Body(), checkedIn)) {
					err = fmt.Errorf("%d: %s", resp.StatusCode(), resp.Body())
				}
				t.record(t0, err)
			}
			res.add(&mu, t)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}
