// Package observe watches requests: their ids, the access log and the metrics. It imports no
// handler; the error handler, the API and the pages read a request's id through it.
package observe

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// HeaderRequestID carries a request's id, taken from the caller when sane and echoed in the answer.
const HeaderRequestID = "X-Request-Id"

const localRequestID = "request_id"

// AssignRequestID takes the caller's X-Request-Id when it is sane, or makes one, and echoes it.
func AssignRequestID(c *fiber.Ctx) {
	id := c.Get(HeaderRequestID)
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Locals(localRequestID, id)
	c.Set(HeaderRequestID, id)
}

// RequestID is the id AssignRequestID gave the request, or "" for a request refused before it.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}
