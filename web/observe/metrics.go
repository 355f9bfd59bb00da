package observe

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/store"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// metrics are the series /metrics serves, in a registry of the app's own (not the client's global
// one), so that tests that build several apps count each one's requests apart.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  fiber.Handler
}

// newMetrics registers the request series, the Go runtime's and the process's, the pools of
// PostgreSQL and Redis, and the ledger's and the store's counters.
func newMetrics(db *sqlx.DB, rdb redis.UniversalClient, l *ledger.Ledger, st *store.Service) *metrics {
	labels := []string{"method", "route", "status"}
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "timebank_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "timebank_http_request_duration_seconds", Help: "HTTP request latency.", Buckets: latencyBuckets,
		}, labels),
	}
	m.registry.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.DB, "postgres"),
		newRedisPoolCollector(rdb),
		newLedgerCollector(l),
		newStoreCollector(st),
	)
	// A collector that fails to gather does not cost the scrape the other series (ContinueOnError).
	m.handler = adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return m
}

func (m *metrics) observeRequest(method, route string, status int, d time.Duration) {
	st := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, st).Inc()
	m.latency.WithLabelValues(method, route, st).Observe(d.Seconds())
}

// ServeMetrics serves the series in the format the scraper asks for (Prometheus text by default).
// Who may read them is the assembly's to decide.
func (o *Observer) ServeMetrics(c *fiber.Ctx) error { return o.metrics.handler(c) }
