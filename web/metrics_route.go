package web

import (
	"crypto/subtle"
	"net"

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
