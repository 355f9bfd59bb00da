package web

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// metrics counts requests in the Prometheus text format without a client library: a handful of
// counters and one histogram, updated with atomics on the request path.
type metrics struct {
	mu     sync.RWMutex
	series map[string]*requestSeries // by method, route and status
}

type requestSeries struct {
	method, route, status string
	count                 atomic.Uint64
	sumMicros             atomic.Uint64
	buckets               []atomic.Uint64
}

func newMetrics() *metrics { return &metrics{series: map[string]*requestSeries{}} }

func (m *metrics) observeRequest(method, route string, status int, d time.Duration) {
	key := method + " " + route + " " + strconv.Itoa(status)
	m.mu.RLock()
	s := m.series[key]
	m.mu.RUnlock()
	if s == nil {
		m.mu.Lock()
		if s = m.series[key]; s == nil {
			s = &requestSeries{method: method, route: route, status: strconv.Itoa(status),
				buckets: make([]atomic.Uint64, len(latencyBuckets))}
			m.series[key] = s
		}
		m.mu.Unlock()
	}
	s.count.Add(1)
	s.sumMicros.Add(uint64(d.Microseconds()))
	secs := d.Seconds()
	for i, b := range latencyBuckets {
		if secs <= b {
			s.buckets[i].Add(1)
		}
	}
}

func (m *metrics) write(b *strings.Builder) {
	m.mu.RLock()
	all := make([]*requestSeries, 0, len(m.series))
	for _, s := range m.series {
		all = append(all, s)
	}
	m.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool {
		return all[i].route+all[i].method+all[i].status < all[j].route+all[j].method+all[j].status
	})
	b.WriteString("# HELP timebank_http_requests_total HTTP requests by method, route and status.\n")
	b.WriteString("# TYPE timebank_http_requests_total counter\n")
	for _, s := range all {
		fmt.Fprintf(b, "timebank_http_requests_total{method=%q,route=%q,status=%q} %d\n", s.method, s.route, s.status, s.count.Load())
	}
	b.WriteString("# HELP timebank_http_request_duration_seconds HTTP request latency.\n")
	b.WriteString("# TYPE timebank_http_request_duration_seconds histogram\n")
	for _, s := range all {
		labels := fmt.Sprintf("method=%q,route=%q,status=%q", s.method, s.route, s.status)
		for i, le := range latencyBuckets {
			fmt.Fprintf(b, "timebank_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", labels, le, s.buckets[i].Load())
		}
		fmt.Fprintf(b, "timebank_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, s.count.Load())
		fmt.Fprintf(b, "timebank_http_request_duration_seconds_sum{%s} %g\n", labels, float64(s.sumMicros.Load())/1e6)
		fmt.Fprintf(b, "timebank_http_request_duration_seconds_count{%s} %d\n", labels, s.count.Load())
	}
}

func writeMetric(b *strings.Builder, name, kind, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		fmt.Fprintf(b, "%s %d\n", name, int64(v))
	} else {
		fmt.Fprintf(b, "%s %g\n", name, v)
	}
}

// metricsHandler serves /metrics. The projection lag costs one indexed query.
func (s *server) metricsHandler(c *fiber.Ctx) error {
	var b strings.Builder
	s.metrics.write(&b)
	st := s.ledger.Stats()
	writeMetric(&b, "timebank_ledger_transactions_total", "counter", "Ledger transactions posted by this process.", float64(st.Transactions))
	writeMetric(&b, "timebank_ledger_postings_total", "counter", "Ledger postings written by this process.", float64(st.Postings))
	writeMetric(&b, "timebank_ledger_holds_total", "counter", "Holds placed by this process.", float64(st.Holds))
	writeMetric(&b, "timebank_ledger_holds_expired_total", "counter", "Holds released by the expiry worker.", float64(st.HoldsExpired))
	writeMetric(&b, "timebank_ledger_projection_errors_total", "counter", "Redis projection writes after commit that failed (repaired by the relay).", float64(st.ProjectionErrors))
	writeMetric(&b, "timebank_ledger_relayed_total", "counter", "Outbox rows drained into Redis by the relay.", float64(st.Relayed))
	placed, handed := s.store.BatchStats()
	for _, m := range []struct {
		name, help    string
		place, fulfil uint64
	}{
		{"timebank_store_batches_total", "Transactions in which this process placed (kind place) or handed out (kind fulfil) orders that arrived together.",
			placed.Batches, handed.Batches},
		{"timebank_store_batched_orders_total", "Orders placed or handed out in those transactions.", placed.Calls, handed.Calls},
		{"timebank_store_batch_fallbacks_total", "Batches that could not go as one and went order by order.", placed.Fallbacks, handed.Fallbacks},
	} {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", m.name, m.help, m.name)
		fmt.Fprintf(&b, "%s{kind=\"place\"} %d\n%s{kind=\"fulfil\"} %d\n", m.name, m.place, m.name, m.fulfil)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if lag, err := s.ledger.ProjectionLag(ctx); err == nil {
		writeMetric(&b, "timebank_ledger_projection_lag_seconds", "gauge", "Age of the oldest balance change not yet confirmed in Redis by the relay.", lag.Seconds())
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	return c.SendString(b.String())
}
