package pages

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/observe"
	"timebank/web/problem"
)

// Wrong device tokens an address may try before it must wait: a token has 256 random bits, so the
// limit only keeps a script from hammering the database.
const (
	DeviceFailuresPerAddr = 10
	deviceFailWindow      = 15 * time.Minute
	deviceActivitiesShown = 20
	maxDeviceToken        = 200
)

// errDeviceToken is a device token that names no device, or a revoked one.
var errDeviceToken = &problem.Error{Status: fiber.StatusUnauthorized, Slug: "device-not-found"}

// deviceView is the device page: the sign-in form, or the signed-in device and its pages.
type deviceView struct {
	Device     *access.Principal // nil on the sign-in form
	Kiosk      bool
	Place      string // the kiosk's organization or the counter's store
	OrgID      int64  // the kiosk's organization: activities of those under it name theirs
	StoreID    int64
	Activities []deviceActivity
	Cookie     bool // signed in here (a bearer token has nothing to sign out)
	Person     bool // a person is signed in in this browser, and signing a device in signs them out
	SignedOut  bool
}

// deviceActivity is an activity a kiosk can show the codes of.
type deviceActivity struct {
	activity.Activity
	Running bool
}

// deviceSignInPage shows the signed-in device with the pages it opens, or else the sign-in form.
func (s *server) deviceSignInPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.device.title")
	p := guard.Principal(c)
	data := deviceView{SignedOut: c.Query("done") == "signed-out", Person: p != nil && p.UserID != 0}
	if p == nil || p.DeviceID == 0 {
		v.Form = form{Values: map[string]string{"next": localPath(c.Query("next"), "")}, Errors: map[string]string{}}
		v.Data = data
		return s.render(c, fiber.StatusOK, "device", v)
	}
	data.Device, data.Cookie = p, guard.SessionCookie(c) != ""
	if err := s.describeDevice(c.UserContext(), p, &data); err != nil {
		return err
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "device", v)
}

// describeDevice fills in where the device works: a counter's store, or a kiosk's organization and
// the activities that have not ended of it and of the organizations under it, nearest first (the
// kiosk's grant at the organization covers those below it).
func (s *server) describeDevice(ctx context.Context, p *access.Principal, data *deviceView) error {
	g := p.Grants[0]
	if g.Kind == access.Store {
		st, err := s.Orgs.Store(ctx, g.StoreID)
		if err != nil {
			return err
		}
		data.Place, data.StoreID = st.Name, st.ID
		return nil
	}
	o, err := s.Orgs.Org(ctx, g.OrgID)
	if err != nil {
		return err
	}
	data.Kiosk, data.Place, data.OrgID = true, o.Name, o.ID
	orgIDs, err := s.Orgs.Subtree(ctx, o.ID)
	if err != nil {
		return err
	}
	page, err := s.Activities.Activities(ctx, activity.ListQuery{OrgIDs: orgIDs, Limit: deviceActivitiesShown})
	if err != nil {
		return err
	}
	now := time.Now()
	for _, a := range page.Items {
		data.Activities = append(data.Activities, deviceActivity{Activity: a, Running: !a.StartsAt.After(now)})
	}
	return nil
}

// deviceSignInSubmit checks the device token and signs this browser in as the device: a person signed
// in here is signed out (a shared screen acts only as the device), and the browser goes on to next
// or the device's own page.
func (s *server) deviceSignInSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if !guard.IsForm(c) {
		// An app sends the device token as a bearer header instead.
		return &problem.Error{Status: fiber.StatusUnsupportedMediaType, Slug: "invalid-request",
			Fields: []problem.FieldError{{Field: "Content-Type", Reason: "content_type"}}}
	}
	f := readForm(c, "token", "next")
	f.Values["token"] = "" // a token is never shown again
	p, err := s.checkDeviceToken(c, strings.TrimSpace(c.FormValue("token")))
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"device-not-found": "token"})
		if err != nil {
			return err
		}
		v := s.newView(c, "page.device.title")
		v.Form = f
		v.Data = deviceView{Person: guard.Principal(c) != nil && guard.Principal(c).UserID != 0}
		return s.render(c, status, "device", v)
	}
	if old := c.Cookies(guard.CookieSession); old != "" {
		if err := s.Sessions.Delete(ctx, old); err != nil {
			return err
		}
		s.guard.SetCookie(c, guard.CookieSession, "", -1)
	}
	if err := s.guard.EndDeviceSession(ctx, c.Cookies(guard.CookieDevice)); err != nil {
		return err
	}
	sid, err := s.guard.StartDeviceSession(ctx, p.DeviceID)
	if err != nil {
		return err
	}
	s.guard.SetDeviceCookie(c, sid, int(guard.DeviceSessionTTL.Seconds()))
	return redirect(c, localPath(f.Values["next"], deviceHome(p)))
}

// checkDeviceToken returns the device holding the token. Wrong tokens are counted by address, and
// past the limit every try is refused until the window ends, a right token too.
// Errors: errDeviceToken, guard.ErrRateLimited.
func (s *server) checkDeviceToken(c *fiber.Ctx, token string) (*access.Principal, error) {
	ctx := c.UserContext()
	failKey := "device-fail:" + s.guard.ClientIP(c)
	if n, err := s.Limiter.Count(ctx, failKey); err == nil && n >= DeviceFailuresPerAddr {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(deviceFailWindow.Seconds())))
		return nil, guard.ErrRateLimited
	}
	if identity.IsDeviceToken(token) && len(token) <= maxDeviceToken {
		p, err := s.Users.DevicePrincipal(ctx, token)
		if err == nil {
			return &p, nil
		} else if !errors.Is(err, identity.ErrDeviceNotFound) {
			return nil, err
		}
	}
	if _, err := s.Limiter.Allow(ctx, failKey, DeviceFailuresPerAddr, deviceFailWindow); err != nil {
		s.log.Warn("rate limiter unavailable", "err", err, "request_id", observe.RequestID(c))
	}
	return nil, errDeviceToken
}

// deviceHome is where a device goes after signing in: a counter to its store's counter, a kiosk to
// the list of its organization's activities (the device page).
func deviceHome(p *access.Principal) string {
	if g := p.Grants[0]; g.Kind == access.Store {
		return "/stores/" + strconv.FormatInt(g.StoreID, 10) + "/counter"
	}
	return "/device"
}

// deviceSignOutSubmit ends this browser's device session, so the screen needs the token again.
func (s *server) deviceSignOutSubmit(c *fiber.Ctx) error {
	if err := s.guard.EndDeviceSession(c.UserContext(), c.Cookies(guard.CookieDevice)); err != nil {
		return err
	}
	s.guard.SetDeviceCookie(c, "", -1)
	return redirect(c, "/device?done=signed-out")
}
