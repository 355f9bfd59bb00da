package web

import (
	"crypto/subtle"
	"net"
	"strconv"
	"time"
	"timebank/web/guard"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
func newMetrics(s *server) *metrics {
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
		collectors.NewDBStatsCollector(s.db.DB, "postgres"),
		newRedisPoolCollector(s.rdb),
		newLedgerCollector(s.ledger),
		newStoreCollector(s.store),
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

// metricsHandler serves /metrics in the format the scraper asks for (Prometheus text by default),
// to the scraper only: on the metrics address (TIMEBANK_METRICS_ADDR), or on the main address with
// the scraper's bearer token (TIMEBANK_METRICS_TOKEN). Anyone else is told there is no such page:
// the figures say how busy the service is and which routes fail.
func (s *server) metricsHandler(c *fiber.Ctx) error {
	if !s.onMetricsAddr(c) {
		tok, ok := guard.BearerToken(c)
		want := s.cfg.MetricsToken
		if !ok || want == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
			return fiber.ErrNotFound
		}
	}
	return s.metrics.handler(c)
}

// onMetricsAddr reports whether the request came in on the metrics address, which the same app
// also listens on (by its port).
func (s *server) onMetricsAddr(c *fiber.Ctx) bool {
	if s.cfg.MetricsAddr == "" {
		return false
	}
	_, want, err := net.SplitHostPort(s.cfg.MetricsAddr)
	if err != nil {
		return false
	}
	_, got, err := net.SplitHostPort(c.Context().LocalAddr().String())
	return err == nil && got == want
}

// metricsAddrOnly answers 404 to anything but /metrics on the metrics address.
func (s *server) metricsAddrOnly(c *fiber.Ctx) error {
	if c.Path() != "/metrics" && s.onMetricsAddr(c) {
		return fiber.ErrNotFound
	}
	return c.Next()
}
