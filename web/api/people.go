package api

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

// Me is what GET /api/v1/me returns: the person, their roles with scopes, volunteer number and
// ledger account. The phone number is masked.
type Me struct {
	identity.User
	Phone string         `json:"phone"`
	Roles []access.Grant `json:"roles"`
}

// RegistrationCodeRequest is the body of POST /api/v1/register/code: the number to register.
type RegistrationCodeRequest struct {
	Phone string `json:"phone"`
}

// registrationCode sends the number its registration code (or, if it is registered, a notice to
// its owner); the answer is the same 202 either way, so that it never tells who is registered.
func (s *server) registrationCode(c *fiber.Ctx) error {
	var req RegistrationCodeRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	lang := s.msgs.Lang(c)
	if err := s.guard.RequestRegistrationCode(c, req.Phone, lang, s.SMS); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(ResetAccepted{Message: s.msgs.Get(lang, "detail.registration_code_sent")})
}

// register registers the person with the code sent to their number.
func (s *server) register(c *fiber.Ctx) error {
	var req identity.Registration
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.guard.Register(c, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(Me{User: u, Phone: u.PhoneMasked(), Roles: []access.Grant{}})
}

// LoginRequest is the body of POST /api/v1/login.
type LoginRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
	Token    bool   `json:"token"` // an app wants a bearer token instead of a cookie
}

// LoginResponse answers a log-in: the person, and for an app its bearer token.
type LoginResponse struct {
	Token     string    `json:"token,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	User      Me        `json:"user"`
}

func (s *server) login(c *fiber.Ctx) error {
	var req LoginRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.guard.SignIn(c, req.Phone, req.Password, req.Token)
	if err != nil {
		return err
	}
	p, err := s.Users.Principal(c.UserContext(), u.User.ID)
	if err != nil {
		return err
	}
	res := LoginResponse{ExpiresAt: time.Now().Add(app.SessionTTL), User: Me{User: u.User, Phone: u.User.PhoneMasked(), Roles: p.Grants}}
	if req.Token {
		res.Token = u.Token
	}
	return c.JSON(res)
}

// LogoutRequest is the optional body of POST /api/v1/logout.
type LogoutRequest struct {
	Everywhere bool `json:"everywhere"` // end every session of the person, on every device
}

func (s *server) logout(c *fiber.Ctx) error {
	var req LogoutRequest
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
	u, err := s.Users.ByID(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	roles := p.Grants
	if roles == nil {
		roles = []access.Grant{}
	}
	return c.JSON(Me{User: u, Phone: u.PhoneMasked(), Roles: roles})
}

// PasswordRequest is the body of POST /api/v1/me/password.
type PasswordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// changePassword replaces the password and ends every other session.
func (s *server) changePassword(c *fiber.Ctx) error {
	var req PasswordRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	uid := guard.Principal(c).UserID
	if err := s.guard.RateLimit(c, "pw:"+strconv.FormatInt(uid, 10), guard.LoginFailuresPerPhone, guard.LoginLockout); err != nil {
		return err
	}
	if err := s.Users.ChangePassword(c.UserContext(), uid, req.Current, req.New); err != nil {
		return err
	}
	if err := s.guard.SignOut(c, true); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// LangRequest is the body of POST /api/v1/me/lang.
type LangRequest struct {
	Lang string `json:"lang"`
}

func (s *server) setLang(c *fiber.Ctx) error {
	var req LangRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.Users.SetLang(c.UserContext(), guard.Principal(c).UserID, req.Lang); err != nil {
		return err
	}
	s.guard.SetCookie(c, i18n.CookieLang, req.Lang, int(app.SessionTTL.Seconds()))
	return c.SendStatus(fiber.StatusNoContent)
}
