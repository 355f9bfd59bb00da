package pages

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
)

// mineView is the resident's page of their request: where it stands, the code to show at the
// door, and confirming and rating when the time comes.
type mineView struct {
	Self    string // the page's keyless address, /service/mine/<id>
	Request servicedesk.Request
	Visit   template.URL // the request's code as an image, to show the volunteer at the door
	// VisitUntil is when the door code stops starting the request.
	VisitUntil time.Time
	Steps      []string // the statuses, to draw the request's way
}

// The resident's key travels in the link of the SMS and of the slip, /service/r/<key>. That address
// lands in access logs, proxies' logs and Referer headers, so the page trades the key at once for a
// cookie scoped to the request's keyless address, /service/mine/<id>, and sends the browser there.
const (
	accessCookie    = "svc_access"
	accessCookieAge = 3600 // seconds; renewed on each view of the page
)

func minePath(id int64) string { return "/service/mine/" + strconv.FormatInt(id, 10) }

// noReferrer keeps the pages of a request out of Referer headers (render keeps it).
func noReferrer(c *fiber.Ctx) { c.Set(fiber.HeaderReferrerPolicy, "no-referrer") }

// setAccessCookie gives the browser the request's key: HttpOnly, SameSite=Strict, for the request's
// own pages only, for an hour; Secure when the service is served over HTTPS.
func (s *server) setAccessCookie(c *fiber.Ctx, id int64, key string) {
	c.Cookie(&fiber.Cookie{Name: accessCookie, Value: key, Path: minePath(id), MaxAge: accessCookieAge, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: strings.HasPrefix(s.Config.BaseURL, "https://") || c.Protocol() == "https"})
}

// serviceOpenPage trades the key of the link for the cookie and sends the browser to the keyless
// address; a wrong key is the request's 404. A browser does not send a SameSite=Strict cookie on a
// redirect that a page of another site started (a link in a web mail), so then the hop is made by
// a page of this site (a refresh and a link) instead of a 303.
func (s *server) serviceOpenPage(c *fiber.Ctx) error {
	noReferrer(c)
	key := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), key)
	if err != nil {
		return err
	}
	s.setAccessCookie(c, r.ID, key)
	if c.Get("Sec-Fetch-Site") != "cross-site" {
		return redirect(c, minePath(r.ID))
	}
	v := s.newView(c, "page.svc.mine.title")
	v.Data, v.Path = minePath(r.ID), minePath(r.ID) // the language switch must not carry the key either
	return s.render(c, fiber.StatusOK, "service_open", v)
}

// mineRequest is the request of the page's address, opened by the key of its cookie: without the
// cookie, or with another request's, it is not found.
func (s *server) mineRequest(c *fiber.Ctx) (servicedesk.Request, string, error) {
	noReferrer(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	key := c.Cookies(accessCookie)
	if err != nil || key == "" {
		return servicedesk.Request{}, "", servicedesk.ErrRequestNotFound
	}
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), key)
	if err != nil || r.ID != id {
		return servicedesk.Request{}, "", servicedesk.ErrRequestNotFound
	}
	return r, key, nil
}

// serviceMinePage is the resident's page, opened by the cookie the link's key was traded for.
func (s *server) serviceMinePage(c *fiber.Ctx) error {
	r, key, err := s.mineRequest(c)
	if err != nil {
		return err
	}
	code, err := s.ServiceDesk.VisitCode(c.UserContext(), r.ID)
	if err != nil {
		return err
	}
	img, err := storeQR(code.URL)
	if err != nil {
		return err
	}
	s.setAccessCookie(c, r.ID, key)
	v := s.newView(c, "page.svc.mine.title")
	v.Form = form{Values: map[string]string{}, Errors: map[string]string{}}
	v.Data = mineView{Self: minePath(r.ID), Request: r, Visit: img, VisitUntil: code.ValidUntil, Steps: servicedesk.Statuses}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "service_mine", v)
}

// serviceConfirmSubmit is the resident confirming the service done, on their page; a signed-in
// person who may act for the resident (the grid worker who asked, a coordinator of the team) is
// recorded as who confirmed.
func (s *server) serviceConfirmSubmit(c *fiber.Ctx) error {
	r, key, by, err := s.mineRequestBy(c)
	if err != nil {
		return err
	}
	if _, err := s.ServiceDesk.Confirm(c.UserContext(), r.ID, servicedesk.Confirmation{Access: key, By: by}); err != nil {
		return err
	}
	return redirect(c, minePath(r.ID)+"?notice=service-confirmed")
}

// serviceCancelSubmit is the resident calling their request off, with an optional reason, while it
// waits or is taken; a signed-in person who may act for the resident is recorded as who cancelled.
func (s *server) serviceCancelSubmit(c *fiber.Ctx) error {
	r, key, by, err := s.mineRequestBy(c)
	if err != nil {
		return err
	}
	_, err = s.ServiceDesk.Cancel(c.UserContext(), r.ID, servicedesk.Cancellation{Access: key, By: by, Reason: c.FormValue("reason")})
	if err != nil {
		return err
	}
	return redirect(c, minePath(r.ID)+"?notice=service-cancelled")
}

// mineRequestBy is mineRequest with who acts on the resident's page: the resident, or a signed-in
// person who may act for them (servicedesk.ConfirmerOf), for the steps that record who did them.
func (s *server) mineRequestBy(c *fiber.Ctx) (servicedesk.Request, string, *principal.Principal, error) {
	r, key, err := s.mineRequest(c)
	if err != nil {
		return r, "", nil, err
	}
	by, err := s.ServiceDesk.ConfirmerOf(c.UserContext(), guard.Principal(c), r.ID)
	return r, key, by, err
}

// serviceRateSubmit is the resident's rating and comment.
func (s *server) serviceRateSubmit(c *fiber.Ctx) error {
	r, key, err := s.mineRequest(c)
	if err != nil {
		return err
	}
	stars, _ := strconv.Atoi(c.FormValue("rating"))
	_, err = s.ServiceDesk.Rate(c.UserContext(), r.ID, servicedesk.Rating{Access: key, Stars: stars, Comment: c.FormValue("comment")})
	if err != nil {
		return err
	}
	return redirect(c, minePath(r.ID)+"?notice=service-rated")
}

// smsSend sends a resident's service code by SMS in the page's language, counted per address.
func (s *server) smsSend(c *fiber.Ctx) (servicedesk.SendFunc, error) {
	return s.guard.ServiceCodeSender(c, s.SMS, s.msgs.Lang(c))
}
