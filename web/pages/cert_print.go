package pages

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/web/guard"
	"timebank/web/request"
)

// certPrintView is a certificate laid out for A4 paper, as the PDF prints it: the statement, the
// records, the issuer with signature lines and the seal, and the code that proves it genuine.
type certPrintView struct {
	Cert      certLine
	Records   []certRecordLine
	Statement string // 兹证明……, in the reader's language
	OrgCode   string // translated kind: the credit code, or the filing
	Seal      template.URL
	QR        template.URL
	Verify    string // the public check's URL
	Back      string // the list the reader came from
	BackText  string
}

// certRecordLine is one certified record with its kind translated.
type certRecordLine struct {
	certificate.Record
	Kind string
}

// certKindKeys translate how a record's hours were recorded: scanned in and out, or added by hand.
var certKindKeys = map[string]string{"scan": "page.cert.kind.scan", "manual": "page.cert.kind.manual"}

// certificatePrintPage shows a certificate to print, to the volunteer it certifies and to those
// allowed certificate.read at the organization that issued it.
func (s *server) certificatePrintPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), guard.Principal(c)
	userID, orgID, err := s.Certificates.Owner(ctx, id)
	if err != nil {
		return err
	}
	back, backText := "/me/certificates", "page.cert.mine.title"
	if t, err := s.targets.OrgOf(c, orgID); err != nil {
		return err
	} else if p.Can(access.ReadCertificates, t) {
		back, backText = certOrgPath(orgID), "page.cert.register.title"
	} else if p.UserID != userID {
		return guard.Can(c, access.ReadCertificates, t)
	}
	cert, err := s.Certificates.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	v := s.certView(c, "page.cert.print.title")
	d := certPrintView{Cert: s.certLine(v.Lang, cert), Verify: s.Certificates.VerifyURL(cert.Token), Back: back,
		BackText: s.msgs.Get(v.Lang, backText), Statement: s.certStatement(v.Lang, cert),
		OrgCode: s.msgs.Get(v.Lang, "page.cert.org_code.filing")}
	if cert.OrgCodeKind == "credit_code" {
		d.OrgCode = s.msgs.Get(v.Lang, "page.cert.org_code.credit_code")
	}
	for _, r := range cert.Records {
		d.Records = append(d.Records, certRecordLine{Record: r, Kind: s.msgs.Get(v.Lang, certKindKeys[r.Kind])})
	}
	if d.QR, err = storeQR(d.Verify); err != nil {
		return err
	}
	png, err := s.Certificates.Seal(ctx, orgID)
	if err != nil {
		return err
	}
	if png != nil {
		d.Seal = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // a PNG checked on upload
	}
	v.Title = s.msgs.Get(v.Lang, "page.cert.print.title") + " " + cert.Number
	v.Data = d
	return s.render(c, fiber.StatusOK, "cert_print", v)
}

// certStatement words what the certificate certifies, as the PDF does: who (the ID number masked,
// the volunteer number), when, where, and the hours with the scanned and added ones apart.
func (s *server) certStatement(lang string, c certificate.Certificate) string {
	who := fmt.Sprintf(s.msgs.Get(lang, "page.cert.print.who"), c.VolunteerNo)
	if c.IDType == "resident_id" {
		who = fmt.Sprintf(s.msgs.Get(lang, "page.cert.print.who_id"), c.IDMasked, c.VolunteerNo)
	}
	when := fmt.Sprintf(s.msgs.Get(lang, "page.cert.print.until"), c.IssueDate)
	if c.From != "" {
		when = fmt.Sprintf(s.msgs.Get(lang, "page.cert.print.between"), c.From, c.To)
	}
	return fmt.Sprintf(s.msgs.Get(lang, "page.cert.print.statement"), c.PersonName, who, when, c.OrgName,
		ledger.FormatHours(c.TotalMinutes), ledger.FormatHours(c.ScanMinutes), ledger.FormatHours(c.ManualMinutes))
}

// certPrintPath is the printable page of a certificate.
func certPrintPath(id int64) string { return "/certificates/" + strconv.FormatInt(id, 10) }
