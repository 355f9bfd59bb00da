package web

import (
	"testing"

	"github.com/gofiber/fiber/v2"
)

// Every route of userOnly is registered for signed-in people: the table only spares those routes a
// read of the caller's name and roles, and never changes who may call them.
func TestUserOnlyRoutesAreForSignedInPeople(t *testing.T) {
	s := &server{rules: map[string]rule{}, app: fiber.New()}
	s.routes()
	if len(userOnly) == 0 {
		t.Fatal("userOnly is empty")
	}
	for r := range userOnly {
		rl, ok := s.rules[r.method+" "+r.path]
		if !ok {
			t.Errorf("%s %s is in userOnly but not a route", r.method, r.path)
		} else if !rl.signedIn || rl.public || rl.action != "" {
			t.Errorf("%s %s is in userOnly but its rule is %+v, not signedIn()", r.method, r.path, rl)
		}
	}
}
