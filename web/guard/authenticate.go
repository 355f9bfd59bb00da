package guard

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/pkg/session"
	"timebank/web/problem"
)

const (
	CookieSession  = "tb_session"
	cookieKnown    = "tb_known" // the browser signed in as a number before (session.SignInGuard.Known)
	cookieCSRF     = "tb_csrf"
	HeaderCSRF     = "X-CSRF-Token"
	formCSRF       = "_csrf"
	localPrincipal = "principal"
	localCookie    = "session_cookie" // the session token when the caller came with the cookie
)

// knownFor is how long a browser stays known to the numbers it signed in as.
const knownFor = 365 * 24 * time.Hour

// errUnauthenticated is a request without (valid) credentials on a route that needs them.
var errUnauthenticated = &problem.Error{Status: fiber.StatusUnauthorized, Slug: "unauthorized"}

// errForbidden is a request by someone whose roles do not cover the action there.
var errForbidden = &problem.Error{Status: fiber.StatusForbidden, Slug: "forbidden"}

// errCSRF is a cookie-authenticated write without the page's anti-forgery token.
var errCSRF = &problem.Error{Status: fiber.StatusForbidden, Slug: "csrf"}

// Authenticate finds out who is asking, from the Authorization header (a device token, the operator
// token or an app's session token) or else the session cookie, and puts the principal in the
// request's locals. A request without credentials goes on anonymous; each route then decides. A
// presented bearer credential that is wrong is refused at once; a stale cookie is only ignored, so a
// signed-out browser can still open the log-in page. Writes authenticated by the cookie must carry
// the anti-forgery token (see checkCSRF).
func (g *Guard) Authenticate(c *fiber.Ctx) error {
	if c.Path() == "/metrics" {
		return c.Next() // the scraper's token is not a person's: the assembly's metrics handler checks it
	}
	ctx := c.UserContext()
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return g.unauthenticated(c)
		}
		p, err := g.bearerPrincipal(c, token)
		if err != nil {
			return err
		}
		c.Locals(localPrincipal, p)
		return c.Next()
	}
	if token := c.Cookies(CookieSession); token != "" {
		sess, err := g.sessions.Get(ctx, token)
		switch {
		case err == nil && !sess.App:
			p, err := g.sessionPrincipal(c, sess.UserID)
			if errors.Is(err, identity.ErrUserNotFound) {
				break
			} else if err != nil {
				return err
			}
			c.Locals(localPrincipal, p)
			c.Locals(localCookie, token)
		case err != nil && !errors.Is(err, session.ErrNoSession):
			return err
		}
	}
	if err := g.deviceCookie(c); err != nil { // a kiosk or counter signed in at /device
		return err
	}
	if err := g.checkCSRF(c); err != nil {
		return err
	}
	return c.Next()
}

// bearerPrincipal resolves a bearer token: a device token, the operator token, or a session token
// issued to an app.
func (g *Guard) bearerPrincipal(c *fiber.Ctx, token string) (*access.Principal, error) {
	ctx := c.UserContext()
	if identity.IsDeviceToken(token) {
		p, err := g.users.DevicePrincipal(ctx, token)
		if errors.Is(err, identity.ErrDeviceNotFound) {
			return nil, g.unauthenticated(c)
		}
		return &p, err
	}
	if op := g.cfg.OperatorToken; op != "" && len(token) == len(op) {
		a, b := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(op))
		if subtle.ConstantTimeCompare(a[:], b[:]) == 1 {
			return &access.Principal{Principal: who.Principal{Name: "operator"}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}, nil
		}
	}
	sess, err := g.sessions.Get(ctx, token)
	if errors.Is(err, session.ErrNoSession) || err == nil && !sess.App {
		// A browser's cookie token is not accepted as a bearer token: it would skip the CSRF check.
		return nil, g.unauthenticated(c)
	} else if err != nil {
		return nil, err
	}
	p, err := g.sessionPrincipal(c, sess.UserID)
	if errors.Is(err, identity.ErrUserNotFound) {
		return nil, g.unauthenticated(c)
	}
	return p, err
}

// Route is a route as registered: its method and path pattern.
type Route struct{ Method, Path string }

// UserOnly are the routes, all for any signed-in person (rule signedIn), whose handlers need of the
// caller only their user id, never their name or roles: a volunteer's own check-in, which a whole
// Volunteer Day morning sends at once, and their own order at the charity supermarket (both are
// written under the label user:<id>). For them the session's user stands for the principal and
// PostgreSQL is not asked (users are never deleted; the check-in and the order refuse an unknown
// user themselves). A request that misses this table (a path spelled in other case, say) only loads
// the full principal.
var UserOnly = map[Route]bool{{fiber.MethodPost, "/api/v1/scans"}: true, {fiber.MethodPost, "/api/v1/orders"}: true}

// sessionPrincipal is the signed-in user of a session: on the routes of UserOnly only their id,
// elsewhere their name and active grants, read on every request so that a grant or a revocation
// takes effect at once. Errors: identity.ErrUserNotFound.
func (g *Guard) sessionPrincipal(c *fiber.Ctx, userID int64) (*access.Principal, error) {
	if UserOnly[Route{c.Method(), c.Path()}] {
		return &access.Principal{Principal: who.Principal{UserID: userID}}, nil
	}
	p, err := g.users.Principal(c.UserContext(), userID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (g *Guard) unauthenticated(c *fiber.Ctx) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="timebank"`)
	return errUnauthenticated
}

// SafeMethod reports whether the method only reads.
func SafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// checkCSRF refuses a write that a browser could have been tricked into sending: one authenticated
// by the session cookie must carry the token bound to that session (header X-CSRF-Token or form
// field _csrf), and an anonymous form post (log-in, registration) must carry the value of the
// tb_csrf cookie (double submit). Anonymous JSON needs neither: browsers do not send it across sites
// without a CORS preflight, which this service never grants.
func (g *Guard) checkCSRF(c *fiber.Ctx) error {
	if SafeMethod(c.Method()) {
		return nil
	}
	got := c.Get(HeaderCSRF)
	if got == "" {
		got = c.FormValue(formCSRF)
	}
	var want string
	switch {
	case SessionCookie(c) != "":
		want = g.sessions.CSRFToken(SessionCookie(c))
	case IsForm(c):
		want = c.Cookies(cookieCSRF)
	default:
		return nil
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// IsForm reports whether the body is an HTML form.
func IsForm(c *fiber.Ctx) bool {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	return strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm)
}

// CSRFToken returns the anti-forgery token a page puts in its forms and scripts, setting the
// double-submit cookie for a visitor who has not signed in.
func (g *Guard) CSRFToken(c *fiber.Ctx) string {
	if tok := SessionCookie(c); tok != "" {
		return g.sessions.CSRFToken(tok)
	}
	if v := c.Cookies(cookieCSRF); v != "" {
		return v
	}
	v := session.NewAnonymousToken()
	g.SetCookie(c, cookieCSRF, v, 0)
	return v
}

// Principal returns who is asking, or nil for an anonymous request.
func Principal(c *fiber.Ctx) *access.Principal {
	p, _ := c.Locals(localPrincipal).(*access.Principal)
	return p
}

// SessionCookie returns the session token when the caller came with the session cookie.
func SessionCookie(c *fiber.Ctx) string {
	t, _ := c.Locals(localCookie).(string)
	return t
}

// Actor names the caller in ledger transactions and audit entries.
func Actor(c *fiber.Ctx) string { return Principal(c).Label() }

// SetCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the service is served over HTTPS.
// maxAge 0 makes a browser-session cookie; a negative maxAge deletes the cookie.
func (g *Guard) SetCookie(c *fiber.Ctx, name, value string, maxAge int) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: strings.HasPrefix(g.cfg.BaseURL, "https://") || c.Protocol() == "https"}
	if maxAge < 0 {
		ck.Value, ck.MaxAge = "", -1
	} else {
		ck.MaxAge = maxAge
	}
	c.Cookie(ck)
}
