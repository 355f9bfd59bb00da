package pages

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/certificate"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/request"
)

// certPublicityView is an organization's public page of certificates in their 公示期.
type certPublicityView struct {
	Org     org.Org
	Entries []certificate.PublicEntry
	Action  string // where an objection is posted
}

// certificatePublicityPage shows anyone, without signing in, the certificates the organization
// publishes now (number, masked name, hours, organization) with a short form to object to each.
func (s *server) certificatePublicityPage(c *fiber.Ctx) error {
	return s.renderPublicity(c, fiber.StatusOK, s.certView(c, "page.cert.publicity.title"))
}

func (s *server) renderPublicity(c *fiber.Ctx, status int, v view) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	o, err := s.Orgs.Org(c.UserContext(), id)
	if err != nil {
		return err
	}
	list, err := s.Certificates.Public(c.UserContext(), id)
	if err != nil {
		return err
	}
	v.Data = certPublicityView{Org: o, Entries: list, Action: OrgPath(id) + "/publicity"}
	return s.render(c, status, "cert_publicity", v)
}

// certificateObjectionSubmit records an objection of anyone to a published certificate, with a
// contact the organization answers by (never shown on the public page).
func (s *server) certificateObjectionSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "number", "contact", "body")
	err = s.guard.RateLimit(c, "objection:addr:"+s.guard.ClientIP(c), guard.ObjectionsPerAddr, guard.ObjectionWindow)
	if err == nil {
		_, err = s.Certificates.Object(c.UserContext(), id, f.Values["number"], f.Values["contact"], f.Values["body"])
	}
	if err != nil {
		f.order = nil // one form per certificate: what is wrong goes to the summary at the top
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		v := s.certView(c, "page.cert.publicity.title")
		v.Form = f
		return s.renderPublicity(c, status, v)
	}
	return redirect(c, OrgPath(id)+"/publicity?done=objected")
}

// certificatePublishSubmit publishes a certificate in force for the days chosen, from today.
func (s *server) certificatePublishSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	id, err := request.IDParam(c, "cert")
	if err != nil {
		return err
	}
	f := readForm(c, "days")
	days, _ := strconv.Atoi(f.Values["days"])
	if _, err := s.Certificates.Publish(c.UserContext(), guard.Principal(c).Actor(), orgID, id, days); err != nil {
		return s.registerFailed(c, f, err)
	}
	return redirect(c, certOrgPath(orgID)+"?done=published#cert-"+strconv.FormatInt(id, 10))
}

// certificateObjectionDecide upholds or dismisses an objection to one of the organization's
// published certificates, with a note.
func (s *server) certificateObjectionDecide(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	id, err := request.IDParam(c, "objection")
	if err != nil {
		return err
	}
	f := readForm(c, "status", "note")
	if err := s.Certificates.DecideObjection(c.UserContext(), guard.Principal(c).Actor(), orgID, id, f.Values["status"], f.Values["note"]); err != nil {
		return s.registerFailed(c, f, err)
	}
	return redirect(c, certOrgPath(orgID)+"?done=decided#objections")
}

// registerFailed shows the register again with what was wrong with one of its row forms in the
// summary at the top.
func (s *server) registerFailed(c *fiber.Ctx, f form, err error) error {
	f.order = nil
	status, err := s.failForm(c, &f, err, nil)
	if err != nil {
		return err
	}
	v := s.certView(c, "page.cert.register.title")
	v.Form = f
	return s.renderRegister(c, status, v)
}
