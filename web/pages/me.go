package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/web/guard"
)

// profile is what the profile page shows: the person with masked phone and ID, and their roles.
type profile struct {
	User  identity.User
	Phone string
	Roles []roleLine
}

// roleLine is one role as a person reads it: 协调员 · 某某社区志愿服务队.
type roleLine struct {
	Role  string
	Kind  string // platform, region, organization or store
	Scope string // the scope's name
}

// mePage shows the signed-in person's profile, the change-password form and sign-out everywhere.
func (s *server) mePage(c *fiber.Ctx) error {
	return s.profilePage(c, fiber.StatusOK, form{})
}

// profilePage renders the profile, with the password form as submitted when it failed.
func (s *server) profilePage(c *fiber.Ctx, status int, f form) error {
	p := guard.Principal(c)
	u, err := s.Users.ByID(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.me.title")
	v.Form = f
	v.Data = profile{User: u, Phone: u.PhoneMasked(), Roles: s.roleLines(v.Lang, p.Grants)}
	return s.render(c, status, "me", v)
}

// roleLines translates grants for display, in the order access.PersonRoles lists roles.
func (s *server) roleLines(lang string, grants []access.Grant) []roleLine {
	var out []roleLine
	for _, r := range access.PersonRoles {
		for _, g := range grants {
			if g.Role != r {
				continue
			}
			l := roleLine{Role: s.msgs.Get(lang, "page.role."+string(g.Role)), Kind: s.msgs.Get(lang, "page.scope."+string(g.Kind)), Scope: g.Name}
			if g.Kind == access.Platform {
				l.Scope = ""
			}
			out = append(out, l)
		}
	}
	return out
}
