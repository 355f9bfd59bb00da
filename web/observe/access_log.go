package observe

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/audit"
)

// TagRequest takes the caller's X-Request-Id when it is sane, or makes one, and echoes it. It also
// puts it into the context handlers pass to the services, so that every audit entry a request
// writes carries its id without any handler passing it along.
func (o *Observer) TagRequest(c *fiber.Ctx) error {
	AssignRequestID(c)
	c.SetUserContext(audit.WithRequestID(c.UserContext(), RequestID(c)))
	return c.Next()
}

// Observe writes one access log line per request and records the request in the metrics. It logs
// the route pattern, never query strings or bodies, which can carry personal data.
func (o *Observer) Observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := o.onError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	route := c.Route().Path
	if c.Response().StatusCode() == fiber.StatusNotFound && route == "/" {
		route = "(unmatched)"
	}
	o.logRequest(c, route, start)
	return nil
}

// Refused answers a request the HTTP server refused while reading it, before any middleware ran
// (a body over the limit, a header that does not parse): the problem document as for any error,
// with a request id, an access log line and its count in the metrics under the route "(refused)".
func (o *Observer) Refused(c *fiber.Ctx, err error, answer fiber.ErrorHandler) error {
	start := time.Now()
	AssignRequestID(c)
	herr := answer(c, err)
	o.logRequest(c, "(refused)", start)
	return herr
}

// logRequest writes the access log line of a request answered under route and counts it.
func (o *Observer) logRequest(c *fiber.Ctx, route string, start time.Time) {
	status := c.Response().StatusCode()
	d := time.Since(start)
	method := methodLabel(c.Method())
	o.metrics.observeRequest(method, route, status, d)
	o.log.Info("http", "method", method, "route", route, "status", status,
		"duration_ms", float64(d.Microseconds())/1000, "request_id", RequestID(c))
}

// methodLabel names a request's method for the metrics and the log: one of HTTP's own, or OTHER.
// A request refused while it was read may carry any word there, and each label is a series kept
// for the life of the process. (c.Method() points into fasthttp's reused request buffer: the
// constants are safe to keep.)
func methodLabel(m string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
		fiber.MethodPatch, fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace} {
		if m == known {
			return known
		}
	}
	return "OTHER"
}

// keyPaths are the addresses whose next segment is a secret: the resident's access key in the link
// of a service request (the page trades it for a cookie at once, but the first request carries it).
var keyPaths = []string{"/service/r/", "/api/v1/service-requests/access/"}

// SafePath is a request's path fit for a log line or a problem document: a secret segment is
// replaced by "{key}". The access log writes route patterns only; error logs write SafePath.
func SafePath(path string) string {
	for _, p := range keyPaths {
		if rest, ok := strings.CutPrefix(path, p); ok && rest != "" {
			_, tail, _ := strings.Cut(rest, "/")
			if tail != "" {
				tail = "/" + tail
			}
			return p + "{key}" + tail
		}
	}
	return path
}
