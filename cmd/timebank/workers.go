package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"timebank/pkg/config"
	"timebank/web"
)

// workerBatch is how many rows a periodic job handles per call; it calls again at once while
// there are more.
const workerBatch = 500

// runWorkers starts the periodic jobs of the domain services, each stopping when ctx ends: orders
// not picked up expire (stock and held credits released), forgotten check-outs are closed at the
// activity's end, and earnings replaced by amendments are reversed once the volunteer's credits
// allow. Every job is safe to run on several servers at once.
func runWorkers(ctx context.Context, wg *sync.WaitGroup, d web.Deps, cfg config.Config, log *slog.Logger) {
	wg.Add(3)
	go func() {
		defer wg.Done()
		d.Store.RunExpiry(ctx, cfg.ExpireEvery)
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, log, "close forgotten check-outs", func(ctx context.Context) (int, error) {
			return d.Activities.CloseForgotten(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, log, "settle amended earnings", func(ctx context.Context) (int, error) {
			return d.Activities.SettleReversals(ctx, workerBatch)
		})
	}()
}

// every runs job at once and then every interval until ctx ends; a full batch runs again at once.
func every(ctx context.Context, interval time.Duration, log *slog.Logger, name string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := job(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("worker", "job", name, "err", err)
				}
				break
			}
			if n > 0 {
				log.Info("worker", "job", name, "done", n)
			}
			if n < workerBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
