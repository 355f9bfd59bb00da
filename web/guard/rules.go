package guard

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
)

// Rule says who may call a route: anyone, any signed-in person (for their own things), or those
// whose roles allow an action on the route's target. Every route is registered with one (see
// Router.Handle), and a test checks each against a table of roles inside and outside the scope.
type Rule struct {
	Public   bool
	SignedIn bool
	Action   access.Action
	// target finds where the action happens from the request (an organization in the path, say).
	// When nil, the caller must be allowed the action somewhere, and the handler narrows what it
	// returns to the caller's scopes or checks the target it reads from the body (see Can).
	Target func(c *fiber.Ctx) (access.Target, error)
}

// Public lets anyone call the route.
func Public() Rule { return Rule{Public: true} }

// SignedIn lets any signed-in person call the route about themselves (not devices or the operator).
func SignedIn() Rule { return Rule{SignedIn: true} }

// Allow lets those whose roles allow the action on the target call the route.
func Allow(a access.Action, target func(c *fiber.Ctx) (access.Target, error)) Rule {
	return Rule{Action: a, Target: target}
}

// Authorize enforces a route's rule. The answer to any route that is not public is kept out of
// every cache (Cache-Control: no-store): it is about the caller or what their roles let them see,
// personal data among it.
func (g *Guard) Authorize(r Rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if r.Public {
			return c.Next()
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		p := Principal(c)
		switch {
		case p == nil:
			return g.unauthenticated(c)
		case r.SignedIn:
			if p.UserID == 0 {
				return errForbidden
			}
			return c.Next()
		case r.Target == nil:
			if !p.CanAnywhere(r.Action) {
				return errForbidden
			}
			return c.Next()
		}
		t, err := r.Target(c)
		if err != nil {
			return err
		}
		if !p.Can(r.Action, t) {
			return errForbidden
		}
		return c.Next()
	}
}

// Can checks an action on a target that a handler found itself (in the request body, say).
func Can(c *fiber.Ctx, a access.Action, t access.Target) error {
	if !Principal(c).Can(a, t) {
		return errForbidden
	}
	return nil
}
