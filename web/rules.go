package web

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
)

// rule says who may call a route: anyone, any signed-in person (for their own things), or those
// whose roles allow an action on the route's target. Every route is registered with one (see
// handle), and a test checks each against a table of roles inside and outside the scope.
type rule struct {
	public   bool
	signedIn bool
	action   access.Action
	// target finds where the action happens from the request (an organization in the path, say).
	// When nil, the caller must be allowed the action somewhere, and the handler narrows what it
	// returns to the caller's scopes or checks the target it reads from the body (see can).
	target func(c *fiber.Ctx) (access.Target, error)
}

// public lets anyone call the route.
func public() rule { return rule{public: true} }

// signedIn lets any signed-in person call the route about themselves (not devices or the operator).
func signedIn() rule { return rule{signedIn: true} }

// allow lets those whose roles allow the action on the target call the route.
func allow(a access.Action, target func(c *fiber.Ctx) (access.Target, error)) rule {
	return rule{action: a, target: target}
}

// handle registers a route with its rule. Every route of the app goes through here, so none can be
// added without saying who may call it.
func (s *server) handle(method, path string, r rule, h ...fiber.Handler) {
	s.rules[method+" "+path] = r
	s.app.Add(method, path, append([]fiber.Handler{s.authorize(r)}, h...)...)
}

// authorize enforces a route's rule. The answer to any route that is not public is kept out of
// every cache (Cache-Control: no-store): it is about the caller or what their roles let them see,
// personal data among it.
func (s *server) authorize(r rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if r.public {
			return c.Next()
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		p := principal(c)
		switch {
		case p == nil:
			return s.unauthenticated(c)
		case r.signedIn:
			if p.UserID == 0 {
				return errForbidden
			}
			return c.Next()
		case r.target == nil:
			if !p.CanAnywhere(r.action) {
				return errForbidden
			}
			return c.Next()
		}
		t, err := r.target(c)
		if err != nil {
			return err
		}
		if !p.Can(r.action, t) {
			return errForbidden
		}
		return c.Next()
	}
}

// can checks an action on a target that a handler found itself (in the request body, say).
func can(c *fiber.Ctx, a access.Action, t access.Target) error {
	if !principal(c).Can(a, t) {
		return errForbidden
	}
	return nil
}
