package guard

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/session"
	"timebank/web/i18n"
	"timebank/web/observe"
	"timebank/web/problem"
)

// Log-in limits per client address, attempts of any kind (one address guessing many numbers); the
// limits per number are session.SignInGuard's. A signed-in person's password change is limited like
// a number from one address.
const (
	LoginFailuresPerPhone = session.PairAttempts
	LoginLockout          = session.PairWindow
	loginAttemptsPerAddr  = 30
	loginAddrWindow       = time.Minute
	RegistrationsPerAddr  = 10
	RegistrationWindow    = time.Hour
	// ObjectionsPerAddr is how many objections to certificates on public notice one address may
	// send in ObjectionWindow: the form needs no sign-in, and an organization reads each one.
	ObjectionsPerAddr = 5
	ObjectionWindow   = time.Hour
)

// SignedInUser is who signed in, and the session token an app keeps (a browser has it as a cookie).
type SignedInUser struct {
	User  identity.User
	Token string
}

// SignIn checks the limits and the password and starts a session: a cookie for a browser, or a
// bearer token for an app. A browser's earlier session is ended and its id never reused, so a
// session id planted before log-in is worthless after it (session fixation).
func (g *Guard) SignIn(c *fiber.Ctx, phone, password string, forApp bool) (SignedInUser, error) {
	ctx := c.UserContext()
	if err := g.RateLimit(c, "login-addr:"+g.ClientIP(c), loginAttemptsPerAddr, loginAddrWindow); err != nil {
		return SignedInUser{}, err
	}
	// The guard reserves the check before the password is read: of many guesses at once, no more
	// than its limits are checked. A number that does not parse is refused by Authenticate, at the
	// cost of a password check, like any wrong number.
	norm, perr := identity.NormalizePhone(phone)
	if perr == nil {
		known := g.signInGuard.Known(norm, c.Cookies(cookieKnown))
		if err := g.signInGuard.Begin(ctx, norm, g.ClientIP(c), known); err != nil {
			var we *session.WaitError
			if errors.As(err, &we) {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(we.Wait.Seconds()))))
				return SignedInUser{}, ErrRateLimited
			}
			return SignedInUser{}, err
		}
	}
	u, err := g.users.Authenticate(ctx, phone, password)
	if err != nil {
		return SignedInUser{}, err
	}
	g.signInGuard.Succeeded(ctx, norm, g.ClientIP(c))
	// The browser is known to this number from now on: an attack on the number from elsewhere
	// does not slow its sign-in.
	g.SetCookie(c, cookieKnown, g.signInGuard.KnownMark(norm), int(knownFor.Seconds()))
	if old := c.Cookies(CookieSession); old != "" {
		_ = g.sessions.Delete(ctx, old)
	}
	token, err := g.sessions.Create(ctx, u.ID, forApp)
	if err != nil {
		return SignedInUser{}, err
	}
	if !forApp {
		g.SetCookie(c, CookieSession, token, int(app.SessionTTL.Seconds()))
		g.SetCookie(c, i18n.CookieLang, u.Lang, int(app.SessionTTL.Seconds()))
	}
	return SignedInUser{User: u, Token: token}, nil
}

// SignOut ends the caller's session (the cookie's, or the app's bearer token's), or all of them.
func (g *Guard) SignOut(c *fiber.Ctx, everywhere bool) error {
	ctx := c.UserContext()
	token := SessionCookie(c)
	if bearer, ok := BearerToken(c); ok && !identity.IsDeviceToken(bearer) {
		token = bearer
	}
	if p := Principal(c); everywhere && p != nil && p.UserID != 0 {
		if err := g.sessions.DeleteAll(ctx, p.UserID); err != nil {
			return err
		}
	} else if token != "" {
		if err := g.sessions.Delete(ctx, token); err != nil {
			return err
		}
	}
	g.SetCookie(c, CookieSession, "", -1)
	return nil
}

// ErrRateLimited is a request over a limit.
var ErrRateLimited = &problem.Error{Status: fiber.StatusTooManyRequests, Slug: "rate-limited"}

// RateLimit counts the request under key and refuses it past limit per window.
func (g *Guard) RateLimit(c *fiber.Ctx, key string, limit int64, window time.Duration) error {
	ok, err := g.limiter.Allow(c.UserContext(), key, limit, window)
	if err != nil {
		g.log.Warn("rate limiter unavailable", "err", err, "request_id", observe.RequestID(c))
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(window.Seconds())))
		return ErrRateLimited
	}
	return nil
}

// BearerToken returns the token of an Authorization: Bearer header.
func BearerToken(c *fiber.Ctx) (string, bool) {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && h[:7] == "Bearer " {
		return h[7:], true
	}
	return "", false
}
