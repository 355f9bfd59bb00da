package guard

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/observe"
)

// By names the caller in records and the audit log.
func By(c *fiber.Ctx) *who.Principal { return Principal(c).Actor() }

// Change names the caller and the request in the audit log.
func Change(c *fiber.Ctx) identity.Change {
	return identity.Change{Actor: Principal(c).Actor(), RequestID: observe.RequestID(c)}
}
