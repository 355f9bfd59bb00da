package pages

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/request"
)

// certOrgHead is what every certificate page of an organization shows on top: the organization,
// its sub-menu, and whether the caller may issue there.
type certOrgHead struct {
	Org      org.Org
	Tab      string // queue, register or new
	CanIssue bool
	Waiting  int // requests waiting or accepted
}

// certOrgPath is the path of the organization's certificate pages.
func certOrgPath(orgID int64) string {
	return "/orgs/" + strconv.FormatInt(orgID, 10) + "/certificates"
}

// certHead reads the organization in the path for its certificate pages.
func (s *server) certHead(c *fiber.Ctx, tab string) (certOrgHead, error) {
	id, err := request.IDParam(c, "id") // checked by the route's rule
	if err != nil {
		return certOrgHead{}, err
	}
	o, err := s.Orgs.Org(c.UserContext(), id)
	if err != nil {
		return certOrgHead{}, err
	}
	t, err := s.targets.OrgOf(c, id)
	if err != nil {
		return certOrgHead{}, err
	}
	h := certOrgHead{Org: o, Tab: tab, CanIssue: guard.Principal(c).Can(access.IssueCertificates, t)}
	open, err := s.openRequests(c, id)
	h.Waiting = len(open)
	return h, err
}

// openRequests are the organization's requests still to answer or to issue (at most 500 of each),
// oldest first.
func (s *server) openRequests(c *fiber.Ctx, orgID int64) ([]certificate.Request, error) {
	var open []certificate.Request
	for _, status := range []string{certificate.RequestRequested, certificate.RequestAccepted} {
		rs, err := s.Certificates.Requests(c.UserContext(), orgID, status, 0, 500)
		if err != nil {
			return nil, err
		}
		open = append(open, rs...)
	}
	slices.SortFunc(open, func(a, b certificate.Request) int { return cmp.Compare(a.ID, b.ID) })
	return open, nil
}

// certQueueView is the organization's queue of requests.
type certQueueView struct {
	Head     certOrgHead
	Requests []certRequestLine
}

// certificateQueuePage lists the requests the organization has still to answer, oldest first, with
// the working days left of the 10 it has.
func (s *server) certificateQueuePage(c *fiber.Ctx) error {
	v := s.certView(c, "page.cert.queue.title")
	head, err := s.certHead(c, "queue")
	if err != nil {
		return err
	}
	open, err := s.openRequests(c, head.Org.ID)
	if err != nil {
		return err
	}
	d := certQueueView{Head: head}
	now := time.Now()
	for _, r := range open {
		l, err := s.queueLine(c, v.Lang, r, now)
		if err != nil {
			return err
		}
		d.Requests = append(d.Requests, l)
	}
	v.Data = d
	return s.render(c, fiber.StatusOK, "cert_queue", v)
}

// queueLine is a request as the organization's staff read it: with the volunteer's name and number.
func (s *server) queueLine(c *fiber.Ctx, lang string, r certificate.Request, now time.Time) (certRequestLine, error) {
	cal, err := s.Activities.Calendar().Get(c.UserContext())
	if err != nil {
		return certRequestLine{}, err
	}
	l := s.certRequestLine(lang, r, cal, now)
	u, err := s.Users.ByID(c.UserContext(), r.UserID)
	if err != nil {
		return l, err
	}
	l.Person, l.Number = u.Name, u.VolunteerNo
	return l, nil
}

// certRequestView is one request with the forms to issue or refuse it.
type certRequestView struct {
	Head    certOrgHead
	Request certRequestLine
	Action  string // the request's path: …/issue and …/refuse are posted to it
}

// certificateRequestPage shows a request with the form that issues it (经办人 and 负责人 filled in)
// and the one that refuses it with a reason.
func (s *server) certificateRequestPage(c *fiber.Ctx) error {
	v := s.certView(c, "page.cert.request.title")
	v.Form.Values["handler"] = guard.Principal(c).Name
	return s.renderCertRequest(c, fiber.StatusOK, v)
}

func (s *server) renderCertRequest(c *fiber.Ctx, status int, v view) error {
	head, err := s.certHead(c, "queue")
	if err != nil {
		return err
	}
	rid, err := request.IDParam(c, "request")
	if err != nil {
		return err
	}
	r, err := s.Certificates.Request(c.UserContext(), head.Org.ID, rid)
	if err != nil {
		return err
	}
	l, err := s.queueLine(c, v.Lang, r, time.Now())
	if err != nil {
		return err
	}
	if _, ok := v.Form.Values["responsible_name"]; !ok {
		if v.Form.Values["responsible_name"], err = s.Certificates.LastResponsible(c.UserContext(), head.Org.ID); err != nil {
			return err
		}
	}
	v.Data = certRequestView{Head: head, Request: l, Action: certOrgPath(head.Org.ID) + "/requests/" + strconv.FormatInt(rid, 10)}
	return s.render(c, status, "cert_request", v)
}

// certificateIssueSubmit accepts the request and issues its certificate, then shows it to print.
func (s *server) certificateIssueSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	rid, err := request.IDParam(c, "request")
	if err != nil {
		return err
	}
	f := readForm(c, "responsible_name", "handler", "contact", "notes")
	cert, err := s.Certificates.IssueRequest(c.UserContext(), guard.Principal(c).Actor(), orgID, rid, certificate.NewCertificate{
		ResponsibleName: f.Values["responsible_name"], HandlerName: f.Values["handler"], Contact: f.Values["contact"],
		Notes: f.Values["notes"]})
	if err != nil {
		return s.certRequestFailed(c, f, err)
	}
	return redirect(c, certPrintPath(cert.ID)+"?done=issued")
}

// certificateRefuseSubmit refuses the request with the reason given, then goes back to the queue.
func (s *server) certificateRefuseSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	rid, err := request.IDParam(c, "request")
	if err != nil {
		return err
	}
	f := readForm(c, "reason")
	if _, err := s.Certificates.Refuse(c.UserContext(), guard.Principal(c).Actor(), orgID, rid, f.Values["reason"]); err != nil {
		return s.certRequestFailed(c, f, err)
	}
	return redirect(c, certOrgPath(orgID)+"/requests?done=refused")
}

// certRequestFailed shows the request again with why its issue or refusal was refused.
func (s *server) certRequestFailed(c *fiber.Ctx, f form, err error) error {
	status, err := s.failForm(c, &f, err, nil)
	if err != nil {
		return err
	}
	v := s.certView(c, "page.cert.request.title")
	v.Form = f
	return s.renderCertRequest(c, status, v)
}
