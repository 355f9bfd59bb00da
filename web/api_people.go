package web

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/session"
	"timebank/web/i18n"
	"timebank/web/observe"
	"timebank/web/problem"
	"timebank/web/request"
)

// Log-in limits per client address, attempts of any kind (one address guessing many numbers); the
// limits per number are session.SignInGuard's. A signed-in person's password change is limited like
// a number from one address.
const (
	loginFailuresPerPhone = session.PairAttempts
	loginLockout          = session.PairWindow
	loginAttemptsPerAddr  = 30
	loginAddrWindow       = time.Minute
	registrationsPerAddr  = 10
	registrationWindow    = time.Hour
)

func (s *server) peopleRoutes() {
	s.handle(fiber.MethodPost, "/api/v1/register", public(), s.register)
	s.handle(fiber.MethodPost, "/api/v1/login", public(), s.login)
	s.handle(fiber.MethodPost, "/api/v1/logout", public(), s.logout)
	s.handle(fiber.MethodGet, "/api/v1/me", signedIn(), s.me)
	s.handle(fiber.MethodPost, "/api/v1/me/password", signedIn(), s.changePassword)
	s.handle(fiber.MethodPost, "/api/v1/me/lang", signedIn(), s.setLang)
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
	if err := s.rateLimit(c, "reg:"+s.clientIP(c), registrationsPerAddr, registrationWindow); err != nil {
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
	u, err := s.signIn(c, req.Phone, req.Password, req.Token)
	if err != nil {
		return err
	}
	p, err := s.users.Principal(c.UserContext(), u.user.ID)
	if err != nil {
		return err
	}
	res := loginResponse{ExpiresAt: time.Now().Add(app.SessionTTL), User: me{User: u.user, Phone: u.user.PhoneMasked(), Roles: p.Grants}}
	if req.Token {
		res.Token = u.token
	}
	return c.JSON(res)
}

type signedInUser struct {
	user  identity.User
	token string
}

// signIn checks the limits and the password and starts a session: a cookie for a browser, or a
// bearer token for an app. A browser's earlier session is ended and its id never reused, so a
// session id planted before log-in is worthless after it (session fixation).
func (s *server) signIn(c *fiber.Ctx, phone, password string, forApp bool) (signedInUser, error) {
	ctx := c.UserContext()
	if err := s.rateLimit(c, "login-addr:"+s.clientIP(c), loginAttemptsPerAddr, loginAddrWindow); err != nil {
		return signedInUser{}, err
	}
	// The guard reserves the check before the password is read: of many guesses at once, no more
	// than its limits are checked. A number that does not parse is refused by Authenticate, at the
	// cost of a password check, like any wrong number.
	norm, perr := identity.NormalizePhone(phone)
	if perr == nil {
		known := s.signInGuard.Known(norm, c.Cookies(cookieKnown))
		if err := s.signInGuard.Begin(ctx, norm, s.clientIP(c), known); err != nil {
			var we *session.WaitError
			if errors.As(err, &we) {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(we.Wait.Seconds()))))
				return signedInUser{}, errRateLimited
			}
			return signedInUser{}, err
		}
	}
	u, err := s.users.Authenticate(ctx, phone, password)
	if err != nil {
		return signedInUser{}, err
	}
	s.signInGuard.Succeeded(ctx, norm, s.clientIP(c))
	// The browser is known to this number from now on: an attack on the number from elsewhere
	// does not slow its sign-in.
	s.setCookie(c, cookieKnown, s.signInGuard.KnownMark(norm), int(knownFor.Seconds()))
	if old := c.Cookies(cookieSession); old != "" {
		_ = s.sessions.Delete(ctx, old)
	}
	token, err := s.sessions.Create(ctx, u.ID, forApp)
	if err != nil {
		return signedInUser{}, err
	}
	if !forApp {
		s.setCookie(c, cookieSession, token, int(app.SessionTTL.Seconds()))
		s.setCookie(c, i18n.CookieLang, u.Lang, int(app.SessionTTL.Seconds()))
	}
	return signedInUser{user: u, token: token}, nil
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
	if err := s.signOut(c, req.Everywhere); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// signOut ends the caller's session (the cookie's, or the app's bearer token's), or all of them.
func (s *server) signOut(c *fiber.Ctx, everywhere bool) error {
	ctx := c.UserContext()
	token := sessionCookie(c)
	if bearer, ok := bearerToken(c); ok && !identity.IsDeviceToken(bearer) {
		token = bearer
	}
	if p := principal(c); everywhere && p != nil && p.UserID != 0 {
		if err := s.sessions.DeleteAll(ctx, p.UserID); err != nil {
			return err
		}
	} else if token != "" {
		if err := s.sessions.Delete(ctx, token); err != nil {
			return err
		}
	}
	s.setCookie(c, cookieSession, "", -1)
	return nil
}

func (s *server) me(c *fiber.Ctx) error {
	p := principal(c)
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
	uid := principal(c).UserID
	if err := s.rateLimit(c, "pw:"+strconv.FormatInt(uid, 10), loginFailuresPerPhone, loginLockout); err != nil {
		return err
	}
	if err := s.users.ChangePassword(c.UserContext(), uid, req.Current, req.New); err != nil {
		return err
	}
	if err := s.signOut(c, true); err != nil {
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
	if err := s.users.SetLang(c.UserContext(), principal(c).UserID, req.Lang); err != nil {
		return err
	}
	s.setCookie(c, i18n.CookieLang, req.Lang, int(app.SessionTTL.Seconds()))
	return c.SendStatus(fiber.StatusNoContent)
}

// errRateLimited is a request over a limit.
var errRateLimited = &problem.Error{Status: fiber.StatusTooManyRequests, Slug: "rate-limited"}

// rateLimit counts the request under key and refuses it past limit per window.
func (s *server) rateLimit(c *fiber.Ctx, key string, limit int64, window time.Duration) error {
	ok, err := s.limiter.Allow(c.UserContext(), key, limit, window)
	if err != nil {
		s.log.Warn("rate limiter unavailable", "err", err, "request_id", observe.RequestID(c))
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(window.Seconds())))
		return errRateLimited
	}
	return nil
}

// bearerToken returns the token of an Authorization: Bearer header.
func bearerToken(c *fiber.Ctx) (string, bool) {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && h[:7] == "Bearer " {
		return h[7:], true
	}
	return "", false
}
