package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/request"
)

func (s *server) peopleRoutes() {
	s.handle(fiber.MethodPost, "/api/v1/register", guard.Public(), s.register)
	s.handle(fiber.MethodPost, "/api/v1/login", guard.Public(), s.login)
	s.handle(fiber.MethodPost, "/api/v1/logout", guard.Public(), s.logout)
	s.handle(fiber.MethodGet, "/api/v1/me", guard.SignedIn(), s.me)
	s.handle(fiber.MethodPost, "/api/v1/me/password", guard.SignedIn(), s.changePassword)
	s.handle(fiber.MethodPost, "/api/v1/me/lang", guard.SignedIn(), s.setLang)
}

// me is what GET /api/v1/me returns: the person, their roles with scopes, volunteer number and
// ledger account. The phone number is masked.
type me struct {
	identity.User
	Phone string         `json:"phone"`
	Roles []access.Grant `json:"roles"`
}

func (s *server) register(c *fiber.Ctx) error {
	var req identity.Registration
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.guard.RateLimit(c, "reg:"+s.guard.ClientIP(c), guard.RegistrationsPerAddr, guard.RegistrationWindow); err != nil {
		return err
	}
	u, err := s.users.Register(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(me{User: u, Phone: u.PhoneMasked(), Roles: []access.Grant{}})
}

type loginRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
	Token    bool   `json:"token"` // an app wants a bearer token instead of a cookie
}

type loginResponse struct {
	Token     string    `json:"token,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	User      me        `json:"user"`
}

func (s *server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.guard.SignIn(c, req.Phone, req.Password, req.Token)
	if err != nil {
		return err
	}
	p, err := s.users.Principal(c.UserContext(), u.User.ID)
	if err != nil {
		return err
	}
	res := loginResponse{ExpiresAt: time.Now().Add(app.SessionTTL), User: me{User: u.User, Phone: u.User.PhoneMasked(), Roles: p.Grants}}
	if req.Token {
		res.Token = u.Token
	}
	return c.JSON(res)
}

type logoutRequest struct {
	Everywhere bool `json:"everywhere"` // end every session of the person, on every device
}

func (s *server) logout(c *fiber.Ctx) error {
	var req logoutRequest
	if len(c.BodyRaw()) > 0 {
		if err := request.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	if err := s.guard.SignOut(c, req.Everywhere); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) me(c *fiber.Ctx) error {
	p := guard.Principal(c)
	u, err := s.users.ByID(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	roles := p.Grants
	if roles == nil {
		roles = []access.Grant{}
	}
	return c.JSON(me{User: u, Phone: u.PhoneMasked(), Roles: roles})
}

type passwordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// changePassword replaces the password and ends every other session.
func (s *server) changePassword(c *fiber.Ctx) error {
	var req passwordRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	uid := guard.Principal(c).UserID
	if err := s.guard.RateLimit(c, "pw:"+strconv.FormatInt(uid, 10), guard.LoginFailuresPerPhone, guard.LoginLockout); err != nil {
		return err
	}
	if err := s.users.ChangePassword(c.UserContext(), uid, req.Current, req.New); err != nil {
		return err
	}
	if err := s.guard.SignOut(c, true); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type langRequest struct {
	Lang string `json:"lang"`
}

func (s *server) setLang(c *fiber.Ctx) error {
	var req langRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.users.SetLang(c.UserContext(), guard.Principal(c).UserID, req.Lang); err != nil {
		return err
	}
	s.guard.SetCookie(c, i18n.CookieLang, req.Lang, int(app.SessionTTL.Seconds()))
	return c.SendStatus(fiber.StatusNoContent)
}
