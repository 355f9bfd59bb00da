package api

import (
	"bytes"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// CertificateRequestBody is a volunteer's request for a certificate of the service an organization
// recorded for them: the whole history, or from–to (YYYY-MM-DD, both or neither), for a purpose.
type CertificateRequestBody struct {
	Org         int64  `json:"org"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Purpose     string `json:"purpose"`
	PurposeNote string `json:"purpose_note,omitempty"`
}

// IssueBody is what the organization gives when it issues a requested certificate: the 经办人
// printed (default: whoever issues), the 负责人 (default: the one on its last certificate), the
// contact (default: the organization's) and notes.
type IssueBody struct {
	Handler         string `json:"handler,omitempty"`
	ResponsibleName string `json:"responsible_name,omitempty"`
	Contact         string `json:"contact,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// DirectIssueBody is a certificate the organization issues without a request, to the volunteer
// with the volunteer number (志愿者编号).
type DirectIssueBody struct {
	Volunteer       string `json:"volunteer"`
	From            string `json:"from,omitempty"`
	To              string `json:"to,omitempty"`
	Purpose         string `json:"purpose"`
	Handler         string `json:"handler,omitempty"`
	ResponsibleName string `json:"responsible_name,omitempty"`
	Contact         string `json:"contact,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// CertificateView is a certificate with where its code opens the public check, its PDF and its
// hours written out.
type CertificateView struct {
	certificate.Certificate
	VerifyURL string `json:"verify_url"`
	PDFURL    string `json:"pdf_url"`
	Hours     string `json:"hours"` // total_minutes as hours, up to two decimals
}

// CertificateRequestsPage is a page of an organization's requests, oldest first; Next is the
// cursor (?after=).
type CertificateRequestsPage struct {
	Requests []certificate.Request `json:"requests"`
	Next     string                `json:"next,omitempty"`
}

func (s *server) certificateView(c certificate.Certificate) CertificateView {
	return CertificateView{Certificate: c, VerifyURL: s.Certificates.VerifyURL(c.Token),
		PDFURL: "/api/v1/certificates/" + strconv.FormatInt(c.ID, 10) + "/pdf", Hours: ledger.FormatHours(c.TotalMinutes)}
}

// applyCertificate records the signed-in volunteer's request (申请).
func (s *server) applyCertificate(c *fiber.Ctx) error {
	var req CertificateRequestBody
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Org <= 0 {
		return problem.BadRequest("org", "required")
	}
	p := guard.Principal(c)
	r, err := s.Certificates.Apply(c.UserContext(), p.Actor(), certificate.NewRequest{UserID: p.UserID, OrgID: req.Org,
		From: req.From, To: req.To, Purpose: req.Purpose, PurposeNote: req.PurposeNote})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// listCertificateRequests is the organization's queue: ?status= (requested, accepted, refused,
// issued; all when absent), keyset-paged.
func (s *server) listCertificateRequests(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the route's rule
	status := c.Query("status")
	switch status {
	case "", certificate.RequestRequested, certificate.RequestAccepted, certificate.RequestRefused, certificate.RequestIssued:
	default:
		return problem.BadRequest("status", "unknown")
	}
	after, limit, err := request.Page(c, 500)
	if err != nil {
		return err
	}
	rs, err := s.Certificates.Requests(c.UserContext(), id, status, after, limit)
	if err != nil {
		return err
	}
	page := CertificateRequestsPage{Requests: rs}
	if len(rs) == limit {
		page.Next = strconv.FormatInt(rs[len(rs)-1].ID, 10)
	}
	return c.JSON(page)
}

// issueCertificateRequest accepts a waiting request and issues it (受理, 开具).
func (s *server) issueCertificateRequest(c *fiber.Ctx) error {
	rid, orgID, err := s.requestInPath(c)
	if err != nil {
		return err
	}
	var req IssueBody
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	cert, err := s.Certificates.IssueRequest(c.UserContext(), guard.Principal(c).Actor(), orgID, rid, certificate.NewCertificate{
		HandlerName: req.Handler, ResponsibleName: req.ResponsibleName, Contact: req.Contact, Notes: req.Notes})
	if err != nil {
		return err
	}
	c.Location("/api/v1/certificates/" + strconv.FormatInt(cert.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(s.certificateView(cert))
}

// refuseCertificateRequest refuses a waiting request with a reason the volunteer is shown.
func (s *server) refuseCertificateRequest(c *fiber.Ctx) error {
	rid, orgID, err := s.requestInPath(c)
	if err != nil {
		return err
	}
	var req ReasonRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.Certificates.Refuse(c.UserContext(), guard.Principal(c).Actor(), orgID, rid, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// requestInPath returns the request in the path and the organization it asks (the route's rule
// checked the caller may act there).
func (s *server) requestInPath(c *fiber.Ctx) (id, orgID int64, err error) {
	if id, err = request.IDParam(c, "id"); err != nil {
		return 0, 0, err
	}
	_, orgID, err = s.Certificates.RequestOwner(c.UserContext(), id)
	return id, orgID, err
}

// issueCertificate issues a certificate without a request.
func (s *server) issueCertificate(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req DirectIssueBody
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	cert, err := s.Certificates.Issue(c.UserContext(), guard.Principal(c).Actor(), id, certificate.NewCertificate{
		VolunteerNo: req.Volunteer, From: req.From, To: req.To, Purpose: req.Purpose, HandlerName: req.Handler,
		ResponsibleName: req.ResponsibleName, Contact: req.Contact, Notes: req.Notes})
	if err != nil {
		return err
	}
	c.Location("/api/v1/certificates/" + strconv.FormatInt(cert.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(s.certificateView(cert))
}

// readableCertificate returns the certificate in the path when the caller may read it: the
// volunteer it certifies, or those allowed certificate.read at the organization that issued it.
func (s *server) readableCertificate(c *fiber.Ctx) (certificate.Certificate, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return certificate.Certificate{}, err
	}
	ctx := c.UserContext()
	userID, orgID, err := s.Certificates.Owner(ctx, id)
	if err != nil {
		return certificate.Certificate{}, err
	}
	if err := s.mayReadCertificate(c, userID, orgID); err != nil {
		return certificate.Certificate{}, err
	}
	return s.Certificates.Get(ctx, orgID, id)
}

// mayReadCertificate reports (as an error) whether the caller may read a certificate of the
// volunteer userID issued by orgID.
func (s *server) mayReadCertificate(c *fiber.Ctx, userID, orgID int64) error {
	if p := guard.Principal(c); p != nil && p.UserID == userID {
		return nil
	}
	t, err := s.targets.OrgOf(c, orgID)
	if err != nil {
		return err
	}
	return guard.Can(c, access.ReadCertificates, t)
}

func (s *server) getCertificate(c *fiber.Ctx) error {
	cert, err := s.readableCertificate(c)
	if err != nil {
		return err
	}
	return c.JSON(s.certificateView(cert))
}

// certificatePDF sends the certificate as an A4 PDF to download.
func (s *server) certificatePDF(c *fiber.Ctx) error {
	cert, err := s.readableCertificate(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Certificates.PDF(c.UserContext(), cert.OrgID, cert.ID, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="certificate-`+cert.Number+`.pdf"`)
	return c.Send(buf.Bytes())
}

// revokeCertificate revokes a certificate in force with a reason the register keeps.
func (s *server) revokeCertificate(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req ReasonRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	_, orgID, err := s.Certificates.Owner(c.UserContext(), id)
	if err != nil {
		return err
	}
	cert, err := s.Certificates.Revoke(c.UserContext(), guard.Principal(c).Actor(), orgID, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(s.certificateView(cert))
}
