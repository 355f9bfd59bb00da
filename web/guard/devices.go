package guard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/identity"
)

// A kiosk or counter device signed in at /device holds a device session: a random id in an
// HttpOnly, SameSite=Strict cookie, naming the device in Redis. The cookie never holds the device
// token itself, so signing the device out ends the session for good, and each request reads the
// device again, so revoking it stops its sessions at once.
const (
	CookieDevice     = "tb_device"
	DeviceSessionTTL = 30 * 24 * time.Hour // from the last request: a kiosk in daily use stays signed in
	deviceSidLen     = 32                  // bytes of randomness in a session id
)

// DeviceSessionKey is the Redis key of a session id: its hash, so a copy of Redis signs nothing in.
func (g *Guard) DeviceSessionKey(sid string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(sid)
	if err != nil || len(raw) != deviceSidLen || base64.RawURLEncoding.EncodeToString(raw) != sid {
		return "", false
	}
	sum := sha256.Sum256(raw)
	return g.cfg.RedisPrefix + "dsess:" + hex.EncodeToString(sum[:]), true
}

// StartDeviceSession records a new session of the device and returns its id.
func (g *Guard) StartDeviceSession(ctx context.Context, deviceID int64) (string, error) {
	raw := make([]byte, deviceSidLen)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	sid := base64.RawURLEncoding.EncodeToString(raw)
	key, _ := g.DeviceSessionKey(sid)
	return sid, g.rdb.Set(ctx, key, deviceID, DeviceSessionTTL).Err()
}

// EndDeviceSession forgets a session; an unknown or malformed id is no error.
func (g *Guard) EndDeviceSession(ctx context.Context, sid string) error {
	key, ok := g.DeviceSessionKey(sid)
	if !ok {
		return nil
	}
	return g.rdb.Del(ctx, key).Err()
}

// deviceOfSession returns the device a session names and extends the session's life; 0 when there
// is no such session.
func (g *Guard) deviceOfSession(ctx context.Context, sid string) (int64, error) {
	key, ok := g.DeviceSessionKey(sid)
	if !ok {
		return 0, nil
	}
	v, err := g.rdb.GetEx(ctx, key, DeviceSessionTTL).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, nil
	}
	return id, nil
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
