package pages

import (
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
	"timebank/web/guard"
)

// mineView is the resident's page of their request: where it stands, the code to show at the
// door, and confirming and rating when the time comes.
type mineView struct {
	Access  string
	Request servicedesk.Request
	Visit   template.URL // the request's code as an image, to show the volunteer at the door
	// VisitUntil is when the door code stops starting the request.
	VisitUntil time.Time
	Steps      []string // the statuses, to draw the request's way
}

// serviceMinePage is the resident's page, opened by the access key in its address.
func (s *server) serviceMinePage(c *fiber.Ctx) error {
	access := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), access)
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
	v := s.newView(c, "page.svc.mine.title")
	v.Form = form{Values: map[string]string{}, Errors: map[string]string{}}
	v.Data = mineView{Access: access, Request: r, Visit: img, VisitUntil: code.ValidUntil, Steps: servicedesk.Statuses}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "service_mine", v)
}

// serviceConfirmSubmit is the resident confirming the service done, on their page; a signed-in
// person who may act for the resident (the grid worker who asked, a coordinator of the team) is
// recorded as who confirmed.
func (s *server) serviceConfirmSubmit(c *fiber.Ctx) error {
	access := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), access)
	if err != nil {
		return err
	}
	by, err := s.ServiceDesk.ConfirmerOf(c.UserContext(), guard.Principal(c), r.ID)
	if err != nil {
		return err
	}
	if _, err := s.ServiceDesk.Confirm(c.UserContext(), r.ID, servicedesk.Confirmation{Access: access, By: by}); err != nil {
		return err
	}
	return redirect(c, "/service/r/"+access+"?notice=service-confirmed")
}

// serviceRateSubmit is the resident's rating and comment.
func (s *server) serviceRateSubmit(c *fiber.Ctx) error {
	access := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), access)
	if err != nil {
		return err
	}
	stars, _ := strconv.Atoi(c.FormValue("rating"))
	_, err = s.ServiceDesk.Rate(c.UserContext(), r.ID, servicedesk.Rating{Access: access, Stars: stars, Comment: c.FormValue("comment")})
	if err != nil {
		return err
	}
	return redirect(c, "/service/r/"+access+"?notice=service-rated")
}

// smsSend sends a resident's service code by SMS in the page's language, counted per address.
func (s *server) smsSend(c *fiber.Ctx) (servicedesk.SendFunc, error) {
	return s.guard.ServiceCodeSender(c, s.SMS, s.msgs.Lang(c))
}
