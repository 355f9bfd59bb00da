package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"timebank/ledger"
)

// workerBatch is how many rows a periodic job handles per call; it calls again at once while
// there are more.
const workerBatch = 500

// RunWorkers runs the periodic jobs until ctx ends, and returns when every one has stopped: the
// ledger's relay and hold expiry; orders not picked up expire (stock and held credits released);
// forgotten check-outs are closed at the activity's end; and earnings replaced by amendments are
// reversed once the volunteer's credits allow; notices are delivered to the inbox and any other
// channel; volunteers are reminded of activities they signed up for a day before, and of orders
// about to expire; credits past their organization's expiry are expired (and volunteers told 30
// days before); sessions ended or unused past their time are deleted; the daily figures of today,
// yesterday and the days changed since the last run are recomputed; and the news of changed grants
// and ended sessions is heard, so that this instance may keep them in memory. Every job is safe to
// run on several servers at once.
func (s *Services) RunWorkers(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(12)
	go func() {
		defer wg.Done()
		s.Invalidation.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		s.Ledger.Run(ctx, ledger.Workers{RelayEvery: s.Config.RelayEvery, ExpireEvery: s.Config.ExpireEvery})
	}()
	go func() {
		defer wg.Done()
		s.Store.RunExpiry(ctx, s.Config.ExpireEvery)
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, s.Logger, "close forgotten check-outs", func(ctx context.Context) (int, error) {
			return s.Activities.CloseForgotten(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, s.Logger, "settle amended earnings", func(ctx context.Context) (int, error) {
			return s.Activities.SettleReversals(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, s.Logger, "remind of orders about to expire", func(ctx context.Context) (int, error) {
			return s.Store.RemindExpiring(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, 5*time.Minute, s.Logger, "flag service requests unanswered in time", func(ctx context.Context) (int, error) {
			return s.ServiceDesk.FlagUnanswered(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, 10*time.Minute, s.Logger, "remind of activities tomorrow", func(ctx context.Context) (int, error) {
			return s.Activities.RemindUpcoming(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Hour, s.Logger, "prune ended sessions", func(ctx context.Context) (int, error) {
			n, err := s.Sessions.Prune(ctx, workerBatch)
			if err != nil {
				return n, err
			}
			m, err := s.DeviceSessions.Prune(ctx, workerBatch)
			return n + m, err
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Hour, s.Logger, "expire credits", func(ctx context.Context) (int, error) {
			return s.Activities.ExpireCredits(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, 2*time.Second, s.Logger, "deliver notices", func(ctx context.Context) (int, error) {
			return s.Notify.Deliver(ctx, workerBatch)
		})
	}()
	go func() {
		defer wg.Done()
		every(ctx, time.Minute, s.Logger, "recompute daily figures", s.Reports.Refresh)
	}()
	wg.Wait()
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
