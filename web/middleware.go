package web

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

const (
	headerRequestID = "X-Request-Id"
	localRequestID  = "request_id"
)

// requestID takes the caller's X-Request-Id when it is sane, or makes one, and echoes it.
func (s *server) requestID(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// observe writes one access log line per request and records the request in the metrics. It logs
// the route pattern, never query strings or bodies, which can carry personal data.
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" {
		route = "(unmatched)"
	}
	d := time.Since(start)
	// c.Method() points into fasthttp's reused request buffer: copy it before keeping it as a label.
	s.metrics.observeRequest(strings.Clone(c.Method()), route, status, d)
	s.log.Info("http", "method", c.Method(), "route", route, "status", status,
		"duration_ms", float64(d.Microseconds())/1000, "request_id", requestID(c))
	return nil
}
