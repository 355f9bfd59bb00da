package guard

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/session"
)

// A kiosk or counter device signed in at /device holds a device session: a random id in an
// HttpOnly, SameSite=Strict cookie, naming the device (kept by session.DeviceSessions, in
// PostgreSQL and Redis). The cookie never holds the device
// token itself, so signing the device out ends the session for good, and each request reads the
// device again, so revoking it stops its sessions at once.
const (
	CookieDevice     = "tb_device"
	DeviceSessionTTL = session.DeviceTTL // from the last request: a kiosk in daily use stays signed in
)

// DeviceSessionKey is the Redis key of a session id: its hash, so a copy of Redis signs nothing in.
func (g *Guard) DeviceSessionKey(sid string) (string, bool) {
	return session.DeviceSessionKey(g.cfg.RedisPrefix, sid)
}

// StartDeviceSession records a new session of the device and returns its id.
func (g *Guard) StartDeviceSession(ctx context.Context, deviceID int64) (string, error) {
	return g.deviceSessions.Start(ctx, deviceID)
}

// EndDeviceSession forgets a session; an unknown or malformed id is no error.
func (g *Guard) EndDeviceSession(ctx context.Context, sid string) error {
	return g.deviceSessions.End(ctx, sid)
}

// deviceOfSession returns the device a session names and extends the session's life; 0 when there
// is no such session.
func (g *Guard) deviceOfSession(ctx context.Context, sid string) (int64, error) {
	return g.deviceSessions.Device(ctx, sid)
}

// deviceCookie signs in the device whose session the cookie names, for a request that came with
// no other credentials. Like a stale session cookie, a stale device cookie is only ignored. The
// session id stands in the request's locals where a person's session token would (see
// SessionCookie), so the device's writes carry the anti-forgery token bound to it.
func (g *Guard) deviceCookie(c *fiber.Ctx) error {
	sid := c.Cookies(CookieDevice)
	if sid == "" || Principal(c) != nil {
		return nil
	}
	ctx := c.UserContext()
	id, err := g.deviceOfSession(ctx, sid)
	if err != nil || id == 0 {
		return err
	}
	d, err := g.users.DeviceByID(ctx, id)
	if errors.Is(err, identity.ErrDeviceNotFound) || err == nil && d.RevokedAt != nil {
		return g.EndDeviceSession(ctx, sid) // revoked: refused from this request on
	} else if err != nil {
		return err
	}
	p := d.Principal()
	c.Locals(localPrincipal, &p)
	c.Locals(localCookie, sid)
	return nil
}

// SetDeviceCookie sets or (maxAge < 0) deletes the device cookie: HttpOnly, SameSite=Strict (a
// device never follows a link from another site into its pages signed in), Secure over HTTPS.
func (g *Guard) SetDeviceCookie(c *fiber.Ctx, sid string, maxAge int) {
	ck := &fiber.Cookie{Name: CookieDevice, Value: sid, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode,
		Secure: g.secureCookies(c), MaxAge: maxAge}
	if maxAge < 0 {
		ck.Value, ck.MaxAge = "", -1
	}
	c.Cookie(ck)
}

// secureCookies reports whether cookies must be Secure: the service is served over HTTPS.
func (g *Guard) secureCookies(c *fiber.Ctx) bool {
	return strings.HasPrefix(g.cfg.BaseURL, "https://") || c.Protocol() == "https"
}
