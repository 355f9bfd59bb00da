package pages

import (
	"encoding/base64"
	"html/template"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/web/guard"
	"timebank/web/request"
)

// certNewView is the form that issues a certificate without a request.
type certNewView struct {
	Head     certOrgHead
	Purposes []option
}

// certificateNewPage shows the form that issues a certificate without a request, to a volunteer
// named by their volunteer number, with the 经办人 and the last 负责人 filled in.
func (s *server) certificateNewPage(c *fiber.Ctx) error {
	v := s.certView(c, "page.cert.new.title")
	v.Form.Values["handler"] = guard.Principal(c).Name
	v.Form.Values["purpose"] = certificate.PurposeOther
	return s.renderCertNew(c, fiber.StatusOK, v, true)
}

func (s *server) renderCertNew(c *fiber.Ctx, status int, v view, fillResponsible bool) error {
	head, err := s.certHead(c, "new")
	if err != nil {
		return err
	}
	if fillResponsible {
		if v.Form.Values["responsible_name"], err = s.Certificates.LastResponsible(c.UserContext(), head.Org.ID); err != nil {
			return err
		}
	}
	v.Data = certNewView{Head: head, Purposes: s.purposeOptions(v.Lang)}
	return s.render(c, status, "cert_new", v)
}

// certNewProblems are the refusals of a direct issue the form shows beside the volunteer number.
var certNewProblems = map[string]string{"user-not-found": "volunteer_no", "nothing-to-certify": "volunteer_no"}

// certificateNewSubmit issues the certificate and shows it to print.
func (s *server) certificateNewSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	f := readForm(c, "volunteer_no", "purpose", "from", "to", "responsible_name", "handler", "contact", "notes")
	cert, err := s.Certificates.Issue(c.UserContext(), guard.Principal(c).Actor(), orgID, certificate.NewCertificate{
		VolunteerNo: f.Values["volunteer_no"], Purpose: f.Values["purpose"], From: f.Values["from"], To: f.Values["to"],
		ResponsibleName: f.Values["responsible_name"], HandlerName: f.Values["handler"], Contact: f.Values["contact"],
		Notes: f.Values["notes"]})
	if err != nil {
		status, err := s.failForm(c, &f, err, certNewProblems)
		if err != nil {
			return err
		}
		v := s.certView(c, "page.cert.new.title")
		v.Form = f
		return s.renderCertNew(c, status, v, false)
	}
	return redirect(c, certPrintPath(cert.ID)+"?done=issued")
}

// certRegisterView is a page of the organization's register of certificates.
type certRegisterView struct {
	Head         certOrgHead
	Stale        []certLine // in force, but their records changed since: to replace
	Certificates []certLine
	Next         string    // the next page's link
	Exports      exportBox // the register for a period, as CSV or Excel
	// Published are the numbers in their 公示期 with its last day; Objections the objections to
	// them, for those who issue; Publicity the public page.
	Published  map[string]string
	Objections []certificate.Objection
	Publicity  string
}

// registerPageSize is how many certificates a page of the register shows.
const registerPageSize = 50

// certificateRegisterPage shows the organization's register (登记), in the order the certificates
// were issued, with the forms to revoke those in force and the exports.
func (s *server) certificateRegisterPage(c *fiber.Ctx) error {
	return s.renderRegister(c, fiber.StatusOK, s.certView(c, "page.cert.register.title"))
}

func (s *server) renderRegister(c *fiber.Ctx, status int, v view) error {
	head, err := s.certHead(c, "register")
	if err != nil {
		return err
	}
	after, err := request.After(c)
	if err != nil {
		return err
	}
	p, err := s.Certificates.List(c.UserContext(), head.Org.ID, after, registerPageSize)
	if err != nil {
		return err
	}
	d := certRegisterView{Head: head, Exports: exportBox{ID: "register-exports", Base: "/api/v1/orgs/" + strconv.FormatInt(head.Org.ID, 10),
		Items: []exportItem{{"certificates", s.msgs.Get(v.Lang, "page.exports.certificates")}}}}
	for _, cert := range p.Certificates {
		d.Certificates = append(d.Certificates, s.certLine(v.Lang, cert))
	}
	d.Publicity, d.Published = OrgPath(head.Org.ID)+"/publicity", map[string]string{}
	public, err := s.Certificates.Public(c.UserContext(), head.Org.ID)
	if err != nil {
		return err
	}
	for _, e := range public {
		d.Published[e.Number] = e.EndsOn
	}
	if head.CanIssue {
		if d.Objections, err = s.Certificates.Objections(c.UserContext(), head.Org.ID); err != nil {
			return err
		}
		stale, err := s.Certificates.Stale(c.UserContext(), head.Org.ID)
		if err != nil {
			return err
		}
		for _, cert := range stale {
			d.Stale = append(d.Stale, s.certLine(v.Lang, cert))
		}
	}
	if p.Next != 0 {
		d.Next = certOrgPath(head.Org.ID) + "?after=" + strconv.FormatInt(p.Next, 10)
	}
	v.Data = d
	return s.render(c, status, "cert_register", v)
}

// certificateRevokeSubmit revokes a certificate in force with the reason given; the register keeps
// the reason and the public check shows it.
func (s *server) certificateRevokeSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	id, err := request.IDParam(c, "cert")
	if err != nil {
		return err
	}
	f := readForm(c, "reason")
	if _, err := s.Certificates.Revoke(c.UserContext(), guard.Principal(c).Actor(), orgID, id, f.Values["reason"]); err != nil {
		return s.registerFailed(c, f, err)
	}
	return redirect(c, certOrgPath(orgID)+"?done=revoked#cert-"+strconv.FormatInt(id, 10))
}

// certificateSupersedeSubmit replaces a certificate whose records were corrected since it was issued
// with a new one as the records stand now (the old one is marked superseded and its check leads to
// the new one), and shows the new one to print.
func (s *server) certificateSupersedeSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	id, err := request.IDParam(c, "cert")
	if err != nil {
		return err
	}
	cert, err := s.Certificates.Supersede(c.UserContext(), guard.Principal(c).Actor(), orgID, id, certificate.Replacement{})
	if err != nil {
		return s.registerFailed(c, form{Values: map[string]string{}, Errors: map[string]string{}}, err)
	}
	return redirect(c, certPrintPath(cert.ID)+"?done=issued")
}

// certOrgBox is the certificates' part of the organization page: where its certificate pages are,
// and its seal with the form to replace it.
type certOrgBox struct {
	Read, Issue bool
	Path        string // the organization's certificate pages
	SealPath    string // where the seal is posted
	Waiting     int
	Seal        template.URL // the seal image as a data: URL, "" when it has none
	SealDone    bool
}

// certOrgBox fills the organization page's box for the caller, who may read the organization.
func (s *server) certOrgBox(c *fiber.Ctx, orgID int64, t access.Target) (certOrgBox, error) {
	p := guard.Principal(c)
	b := certOrgBox{Read: p.Can(access.ReadCertificates, t), Issue: p.Can(access.IssueCertificates, t),
		Path: certOrgPath(orgID), SealPath: OrgPath(orgID) + "/seal", SealDone: c.Query("done") == "seal"}
	if !b.Read {
		return b, nil
	}
	open, err := s.openRequests(c, orgID)
	if err != nil {
		return b, err
	}
	b.Waiting = len(open)
	png, err := s.Certificates.Seal(c.UserContext(), orgID)
	if png != nil {
		b.Seal = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // a PNG checked on upload
	}
	return b, err
}

// sealSubmit keeps the organization's seal image (a PNG, field "seal"), printed on its certificates'
// PDFs from then on, and goes back to the organization page.
func (s *server) sealSubmit(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id")
	img, err := sealUpload(c)
	if err == nil {
		err = s.Certificates.SetSeal(c.UserContext(), guard.Principal(c).Actor(), orgID, img)
	}
	if err != nil {
		f := form{Values: map[string]string{}, Errors: map[string]string{}, order: []string{"seal"}}
		status, err := s.failForm(c, &f, err, map[string]string{"seal-invalid": "seal"})
		if err != nil {
			return err
		}
		return s.renderOrg(c, status, orgID, f, nil)
	}
	return redirect(c, OrgPath(orgID)+"?done=seal#certificates")
}

// sealUpload reads the uploaded seal image; a missing or oversized file is certificate.ErrBadSeal.
func sealUpload(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("seal")
	if err != nil || fh.Size <= 0 || fh.Size > certificate.MaxSealBytes {
		return nil, certificate.ErrBadSeal
	}
	f, err := fh.Open()
	if err != nil {
		return nil, certificate.ErrBadSeal
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, certificate.MaxSealBytes+1))
}
