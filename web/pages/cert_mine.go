package pages

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/certificate"
	"timebank/web/guard"
)

// certDone are the messages a redirect of the certificate pages may ask the next page to show
// (?done=…): a fixed list, so that a link cannot put words of its own on the page.
var certDone = map[string]string{
	"requested": "page.cert.done.requested",
	"issued":    "page.cert.done.issued",
	"refused":   "page.cert.done.refused",
	"revoked":   "page.cert.done.revoked",
	"seal":      "page.cert.done.seal",
	"published": "page.cert.done.published",
	"objected":  "page.cert.done.objected",
	"decided":   "page.cert.done.decided",
}

// certView is newView with the form's maps ready and the outcome a redirect reported (?done=).
func (s *server) certView(c *fiber.Ctx, titleKey string) view {
	v := s.newView(c, titleKey)
	v.Form = form{Values: map[string]string{}, Errors: map[string]string{}}
	if key, ok := certDone[c.Query("done")]; ok {
		v.Notice = s.msgs.Get(v.Lang, key)
	}
	return v
}

// certPurposes are the purposes a certificate is asked for, in the order forms offer them.
var certPurposes = []string{certificate.PurposeSchool, certificate.PurposeEmployer, certificate.PurposeAward, certificate.PurposeOther}

// Translations of the purposes, the statuses of a certificate and those of a request.
var (
	purposeKeys = map[string]string{
		certificate.PurposeSchool:   "page.cert.purpose.school",
		certificate.PurposeEmployer: "page.cert.purpose.employer",
		certificate.PurposeAward:    "page.cert.purpose.award",
		certificate.PurposeOther:    "page.cert.purpose.other",
	}
	certStatusKeys = map[string]string{
		certificate.StatusIssued:     "page.cert.status.issued",
		certificate.StatusRevoked:    "page.cert.status.revoked",
		certificate.StatusSuperseded: "page.cert.status.superseded",
	}
	requestStatusKeys = map[string]string{
		certificate.RequestRequested: "page.cert.request_status.requested",
		certificate.RequestAccepted:  "page.cert.request_status.accepted",
		certificate.RequestRefused:   "page.cert.request_status.refused",
		certificate.RequestIssued:    "page.cert.request_status.issued",
	}
)

// purposeOptions are the purposes as a select offers them, translated.
func (s *server) purposeOptions(lang string) []option {
	out := make([]option, 0, len(certPurposes))
	for _, p := range certPurposes {
		out = append(out, option{Value: p, Label: s.msgs.Get(lang, purposeKeys[p])})
	}
	return out
}

// certLine is a certificate as a list shows it, with its status translated and where to see it.
type certLine struct {
	certificate.Certificate
	Status  string // translated
	Purpose string // translated
	Print   string // the printable page
	PDF     string // the PDF to download
}

func (s *server) certLine(lang string, c certificate.Certificate) certLine {
	id := strconv.FormatInt(c.ID, 10)
	return certLine{Certificate: c, Status: s.msgs.Get(lang, certStatusKeys[c.Status]),
		Purpose: s.msgs.Get(lang, purposeKeys[c.Purpose]), Print: certPrintPath(c.ID),
		PDF: "/api/v1/certificates/" + id + "/pdf"}
}

// certRequestLine is a request as a list shows it.
type certRequestLine struct {
	certificate.Request
	OrgName  string
	Person   string // the volunteer's name (the organization's queue only)
	Number   string // the volunteer number (the organization's queue only)
	Status   string // translated
	Purpose  string // translated
	DaysLeft int    // working days left to answer; -1 past due
	Open     bool   // waiting or accepted: the organization has still to issue or refuse it
	Print    string // the certificate issued for it, if any
}

func (s *server) certRequestLine(lang string, r certificate.Request, cal *activity.WorkCalendar, now time.Time) certRequestLine {
	l := certRequestLine{Request: r, Status: s.msgs.Get(lang, requestStatusKeys[r.Status]),
		Purpose: s.msgs.Get(lang, purposeKeys[r.Purpose]), DaysLeft: r.WorkingDaysLeft(cal, now),
		Open: r.Status == certificate.RequestRequested || r.Status == certificate.RequestAccepted}
	if r.CertificateID != nil {
		l.Print = certPrintPath(*r.CertificateID)
	}
	return l
}

// certMineView is the volunteer's page of certificates: the form to ask for one, their requests and
// their certificates.
type certMineView struct {
	Recorders    []certificate.Recorder
	Purposes     []option
	Requests     []certRequestLine
	Certificates []certLine
}

// myCertificatesPage shows the volunteer's certificates and requests, and the form to ask one of
// the organizations that recorded their service for a certificate.
func (s *server) myCertificatesPage(c *fiber.Ctx) error {
	return s.renderMyCertificates(c, fiber.StatusOK, s.certView(c, "page.cert.mine.title"))
}

func (s *server) renderMyCertificates(c *fiber.Ctx, status int, v view) error {
	ctx, userID := c.UserContext(), guard.Principal(c).UserID
	d := certMineView{Purposes: s.purposeOptions(v.Lang)}
	var err error
	if d.Recorders, err = s.Certificates.Recorders(ctx, userID); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, r := range d.Recorders {
		names[r.OrgID] = r.OrgName
	}
	rs, err := s.Certificates.RequestsOfUser(ctx, userID)
	if err != nil {
		return err
	}
	cal, err := s.Activities.Calendar().Get(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, r := range rs {
		l := s.certRequestLine(v.Lang, r, cal, now)
		if l.OrgName = names[r.OrgID]; l.OrgName == "" {
			o, err := s.Orgs.Org(ctx, r.OrgID)
			if err != nil {
				return err
			}
			l.OrgName, names[r.OrgID] = o.Name, o.Name
		}
		d.Requests = append(d.Requests, l)
	}
	cs, err := s.Certificates.OfUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, cert := range cs {
		d.Certificates = append(d.Certificates, s.certLine(v.Lang, cert))
	}
	if v.Form.Values["purpose"] == "" {
		v.Form.Values["purpose"] = certificate.PurposeSchool
	}
	v.Data = d
	return s.render(c, status, "cert_mine", v)
}

// certRequestProblems are the refusals of a request the form shows beside the organization.
var certRequestProblems = map[string]string{"org-not-found": "org", "nothing-to-certify": "org", "certificate-request-open": "org"}

// certificateRequestSubmit records the volunteer's request (申请) and goes back to their page.
func (s *server) certificateRequestSubmit(c *fiber.Ctx) error {
	f := readForm(c, "org", "from", "to", "purpose", "purpose_note")
	p := guard.Principal(c)
	orgID, err := strconv.ParseInt(f.Values["org"], 10, 64)
	if err == nil && orgID > 0 {
		_, err = s.Certificates.Apply(c.UserContext(), p.Actor(), certificate.NewRequest{UserID: p.UserID, OrgID: orgID,
			From: f.Values["from"], To: f.Values["to"], Purpose: f.Values["purpose"], PurposeNote: f.Values["purpose_note"]})
	} else {
		err = certificate.ErrOrgNotFound
	}
	if err != nil {
		status, ferr := s.failForm(c, &f, err, certRequestProblems)
		if ferr != nil {
			return ferr
		}
		v := s.certView(c, "page.cert.mine.title")
		v.Form = f
		return s.renderMyCertificates(c, status, v)
	}
	return redirect(c, "/me/certificates?done=requested")
}
