package web

import (
	"crypto/subtle"
	"net"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
)

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
	return s.observer.ServeMetrics(c)
}

// metricsPort is the port of the metrics address (TIMEBANK_METRICS_ADDR), which the same app also
// listens on; 0 when there is none. Read once: every request is asked whether it came in there.
func metricsPort(addr string) int {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}

// onMetricsAddr reports whether the request came in on the metrics address.
func (s *server) onMetricsAddr(c *fiber.Ctx) bool {
	if s.metricsPort == 0 {
		return false
	}
	a, ok := c.Context().LocalAddr().(*net.TCPAddr)
	return ok && a.Port == s.metricsPort
}

// metricsAddrOnly answers 404 to anything but /metrics on the metrics address.
func (s *server) metricsAddrOnly(c *fiber.Ctx) error {
	if c.Path() != "/metrics" && s.onMetricsAddr(c) {
		return fiber.ErrNotFound
	}
	return c.Next()
}
