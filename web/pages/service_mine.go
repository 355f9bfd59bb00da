package pages

import (
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
)

// mineView is the resident's page of their request: where it stands, the code to show at the
// door, and confirming and rating when the time comes.
type mineView struct {
	Access  string
	Request servicedesk.Request
	Visit   template.URL // the request's code as an image, to show the volunteer at the door
	Steps   []string     // the statuses, to draw the request's way
}

// serviceMinePage is the resident's page, opened by the access key in its address.
func (s *server) serviceMinePage(c *fiber.Ctx) error {
	access := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), access)
	if err != nil {
		return err
	}
	code, err := s.ServiceDesk.VisitCode(r.ID)
	if err != nil {
		return err
	}
	img, err := storeQR(code.URL)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.svc.mine.title")
	v.Form = form{Values: map[string]string{}, Errors: map[string]string{}}
	v.Data = mineView{Access: access, Request: r, Visit: img, Steps: servicedesk.Statuses}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "service_mine", v)
}

// serviceConfirmSubmit is the resident confirming the service done, on their page.
func (s *server) serviceConfirmSubmit(c *fiber.Ctx) error {
	access := c.Params("access")
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), access)
	if err != nil {
		return err
	}
	if _, err := s.ServiceDesk.Confirm(c.UserContext(), r.ID, servicedesk.Confirmation{Access: access}); err != nil {
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

// mayDispatch reports whether the signed-in person may dispatch the team's requests (and so ask and
// confirm for a resident, as grid workers do), with who they are.
func (s *server) mayDispatch(c *fiber.Ctx, orgID int64) (bool, *principal.Principal) {
	p := guard.Principal(c)
	if p == nil || p.UserID == 0 {
		return false, nil
	}
	t, err := s.targets.OrgOf(c, orgID)
	if err != nil || !p.Can(access.DispatchServices, t) {
		return false, nil
	}
	return true, p.Actor()
}

// smsSend sends a resident's service code by SMS in the page's language, counted per address.
func (s *server) smsSend(c *fiber.Ctx) (servicedesk.SendFunc, error) {
	return s.guard.ServiceCodeSender(c, s.SMS, s.msgs.Lang(c))
}
