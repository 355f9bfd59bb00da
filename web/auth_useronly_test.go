package web

import (
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/web/guard"
	"timebank/web/problem"
)

// Every route of guard.UserOnly is registered for signed-in people: the table only spares those routes a
// read of the caller's name and roles, and never changes who may call them.
func TestUserOnlyRoutesAreForSignedInPeople(t *testing.T) {
	t.Parallel()
	s := &server{app: fiber.New(), services: &app.Services{}, problems: &problem.Writer{}, guard: guard.New(config.Config{}, nil, nil, nil, nil, nil, nil, nil)}
	s.router = s.guard.Router(s.app)
	s.routes()
	if len(guard.UserOnly) == 0 {
		t.Fatal("userOnly is empty")
	}
	for r := range guard.UserOnly {
		rl, ok := s.router.Rules[r.Method+" "+r.Path]
		if !ok {
			t.Errorf("%s %s is in guard.UserOnly but not a route", r.Method, r.Path)
		} else if !rl.SignedIn || rl.Public || rl.Action != "" {
			t.Errorf("%s %s is in guard.UserOnly but its rule is %+v, not guard.SignedIn()", r.Method, r.Path, rl)
		}
	}
}
