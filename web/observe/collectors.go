package observe

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/store"
)

// The ledger and the store keep their own counters (atomics on their hot paths, read in one call);
// these collectors read them at scrape time instead of mirroring every increment into the registry.

// ledgerCollector serves the ledger's counters and the projection lag.
type ledgerCollector struct {
	l                                                                      *ledger.Ledger
	transactions, postings, holds, expired, projectionErrors, relayed, lag *prometheus.Desc
}

func newLedgerCollector(l *ledger.Ledger) *ledgerCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &ledgerCollector{l: l,
		transactions:     d("timebank_ledger_transactions_total", "Ledger transactions posted by this process."),
		postings:         d("timebank_ledger_postings_total", "Ledger postings written by this process."),
		holds:            d("timebank_ledger_holds_total", "Holds placed by this process."),
		expired:          d("timebank_ledger_holds_expired_total", "Holds released by the expiry worker."),
		projectionErrors: d("timebank_ledger_projection_errors_total", "Redis projection writes after commit that failed (repaired by the relay)."),
		relayed:          d("timebank_ledger_relayed_total", "Outbox rows drained into Redis by the relay."),
		lag:              d("timebank_ledger_projection_lag_seconds", "Age of the oldest balance change not yet confirmed in Redis by the relay."),
	}
}

// Describe sends the descriptions of the ledger's series.
func (c *ledgerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.transactions, c.postings, c.holds, c.expired, c.projectionErrors, c.relayed, c.lag} {
		ch <- d
	}
}

// Collect reads the ledger's counters, and the projection lag with one indexed query; when
// PostgreSQL does not answer the lag is left out rather than reported as zero.
func (c *ledgerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.l.Stats()
	for _, m := range []struct {
		d *prometheus.Desc
		v uint64
	}{
		{c.transactions, st.Transactions}, {c.postings, st.Postings}, {c.holds, st.Holds},
		{c.expired, st.HoldsExpired}, {c.projectionErrors, st.ProjectionErrors}, {c.relayed, st.Relayed},
	} {
		ch <- prometheus.MustNewConstMetric(m.d, prometheus.CounterValue, float64(m.v))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if lag, err := c.l.ProjectionLag(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag.Seconds())
	}
}

// storeCollector serves the store's counts of orders placed or handed out together.
type storeCollector struct {
	s                          *store.Service
	batches, orders, fallbacks *prometheus.Desc
}

func newStoreCollector(s *store.Service) *storeCollector {
	kind := []string{"kind"}
	return &storeCollector{s: s,
		batches: prometheus.NewDesc("timebank_store_batches_total",
			"Transactions in which this process placed (kind place) or handed out (kind fulfil) orders that arrived together.", kind, nil),
		orders:    prometheus.NewDesc("timebank_store_batched_orders_total", "Orders placed or handed out in those transactions.", kind, nil),
		fallbacks: prometheus.NewDesc("timebank_store_batch_fallbacks_total", "Batches that could not go as one and went order by order.", kind, nil),
	}
}

// Describe sends the descriptions of the store's series.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.batches
	ch <- c.orders
	ch <- c.fallbacks
}

// Collect reads the store's batch counters.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	placed, handed := c.s.BatchStats()
	for _, kind := range []struct {
		name string
		st   store.BatchStats
	}{{"place", placed}, {"fulfil", handed}} {
		ch <- prometheus.MustNewConstMetric(c.batches, prometheus.CounterValue, float64(kind.st.Batches), kind.name)
		ch <- prometheus.MustNewConstMetric(c.orders, prometheus.CounterValue, float64(kind.st.Calls), kind.name)
		ch <- prometheus.MustNewConstMetric(c.fallbacks, prometheus.CounterValue, float64(kind.st.Fallbacks), kind.name)
	}
}

// redisPoolCollector serves the Redis client's connection pool statistics (the client keeps them;
// client_golang has no collector for go-redis).
type redisPoolCollector struct {
	rdb                           redis.UniversalClient
	hits, misses, timeouts, stale *prometheus.Desc
	total, idle                   *prometheus.Desc
}

func newRedisPoolCollector(rdb redis.UniversalClient) *redisPoolCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &redisPoolCollector{rdb: rdb,
		hits:     d("timebank_redis_pool_hits_total", "Times a free connection was found in the Redis pool."),
		misses:   d("timebank_redis_pool_misses_total", "Times no free connection was found in the Redis pool and one was dialled."),
		timeouts: d("timebank_redis_pool_timeouts_total", "Times waiting for a Redis connection timed out."),
		stale:    d("timebank_redis_pool_stale_connections_total", "Stale connections removed from the Redis pool."),
		total:    d("timebank_redis_pool_connections", "Connections in the Redis pool."),
		idle:     d("timebank_redis_pool_idle_connections", "Idle connections in the Redis pool."),
	}
}

// Describe sends the descriptions of the pool's series.
func (c *redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.timeouts, c.stale, c.total, c.idle} {
		ch <- d
	}
}

// Collect reads the pool's statistics, which the client keeps without asking Redis.
func (c *redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.rdb.PoolStats()
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(st.Hits))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(st.Misses))
	ch <- prometheus.MustNewConstMetric(c.timeouts, prometheus.CounterValue, float64(st.Timeouts))
	ch <- prometheus.MustNewConstMetric(c.stale, prometheus.CounterValue, float64(st.StaleConns))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(st.TotalConns))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(st.IdleConns))
}
