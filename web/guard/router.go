package guard

import "github.com/gofiber/fiber/v2"

// Router registers routes on an app, each behind the check of its rule, and keeps every rule by
// "METHOD /path" so that tests can hold each against a table of who may call it. Every route of
// the app goes through Handle, so none can be added without saying who may call it.
type Router struct {
	app   fiber.Router
	guard *Guard
	Rules map[string]Rule
}

// Router returns a router that registers routes on app behind this guard.
func (g *Guard) Router(app fiber.Router) *Router {
	return &Router{app: app, guard: g, Rules: map[string]Rule{}}
}

// Handle registers a route with its rule.
func (r *Router) Handle(method, path string, rule Rule, h ...fiber.Handler) {
	r.Rules[method+" "+path] = rule
	r.app.Add(method, path, append([]fiber.Handler{r.guard.Authorize(rule)}, h...)...)
}

// Guard is the guard the router checks rules with, for handlers that check more themselves.
func (r *Router) Guard() *Guard { return r.guard }
