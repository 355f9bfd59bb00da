package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/certificate"
	"timebank/web/problem"
	"timebank/web/request"
)

// CertificateCheck is what anyone who checks a certificate's code is told (GET
// /api/v1/certificates/verify): whether it is genuine, its status, and the few facts to compare
// with the paper, the name masked. A code that is not genuine answers valid false and nothing more.
type CertificateCheck struct {
	Valid        bool   `json:"valid"`
	Status       string `json:"status"` // issued, revoked or superseded; invalid when not genuine
	Number       string `json:"number,omitempty"`
	Organization string `json:"organization,omitempty"`
	NameMasked   string `json:"name_masked,omitempty"`
	IDMasked     string `json:"id_masked,omitempty"` // as printed, when one was given
	From         string `json:"from,omitempty"`      // the period certified; none: the whole history
	To           string `json:"to,omitempty"`
	Hours        string `json:"hours,omitempty"`   // as hours, up to two decimals
	Minutes      int64  `json:"minutes,omitempty"` // the same in minutes
	IssuedAt     string `json:"issued_at,omitempty"`
	Reason       string `json:"reason,omitempty"`      // why it was revoked
	ReplacedBy   string `json:"replaced_by,omitempty"` // the number of the certificate that replaced it
	ReplacedURL  string `json:"replaced_url,omitempty"`
}

// maxTokenLength bounds a verification code in a query (a genuine one has 131 characters).
const maxTokenLength = 256

// verifyCertificate checks a certificate's code against its signature and the register. Anyone may
// ask; the answer holds no personal data beyond the masked name.
func (s *server) verifyCertificate(c *fiber.Ctx) error {
	token := c.Query("token")
	switch {
	case token == "":
		return problem.BadRequest("token", "required")
	case len(token) > maxTokenLength:
		return problem.BadRequest("token", "too_long")
	}
	pc, err := s.Certificates.Check(c.UserContext(), token)
	if err != nil {
		return err
	}
	return c.JSON(checkOf(pc, s.Certificates.VerifyURL))
}

// checkOf words a public check as the API answers it; verifyURL makes the link of a replacement.
func checkOf(pc certificate.PublicCheck, verifyURL func(string) string) CertificateCheck {
	if !pc.Genuine {
		return CertificateCheck{Status: "invalid"}
	}
	out := CertificateCheck{Valid: true, Status: pc.Status, Number: pc.Number, Organization: pc.OrgName,
		NameMasked: pc.MaskedName, IDMasked: pc.IDMasked, From: pc.From, To: pc.To, Hours: pc.Hours, Minutes: pc.TotalMinutes, IssuedAt: pc.IssueDate,
		Reason: pc.Reason, ReplacedBy: pc.ReplacedBy}
	if pc.ReplacedByCode != "" {
		out.ReplacedURL = verifyURL(pc.ReplacedByCode)
	}
	return out
}

// wellKnownCertificates serves the public keys that sign certificates' codes, with the codes'
// layout, so that a third party can check a certificate offline.
func (s *server) wellKnownCertificates(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300") // a rotation shows within minutes
	doc, err := s.Certificates.WellKnown(c.UserContext())
	if err != nil {
		return err
	}
	return c.Send(doc)
}

// listCertificates is a page of the organization's register, in the order the certificates were
// issued (?after=, ?limit=).
func (s *server) listCertificates(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	after, limit, err := request.Page(c, certificate.MaxPage)
	if err != nil {
		return err
	}
	p, err := s.Certificates.List(c.UserContext(), id, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// exportCertificates downloads the organization's register of the certificates issued in a period
// (?from=&to=), streamed like every export.
func (s *server) exportCertificates(c *fiber.Ctx) error {
	return s.orgExport(c, "certificates", s.Certificates.ExportRegister)
}
