package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/certificate"
)

// certCheckView is the public check of a certificate's code, as whoever scanned it reads it on a
// phone: genuine or not, in force, revoked (with the reason) or replaced (with the new one's check).
type certCheckView struct {
	Check    certificate.PublicCheck
	Replaced string // the check page of the certificate that replaced it
}

// maxCodeLength bounds a code in a path (a genuine one has 131 characters).
const maxCodeLength = 256

// certificateCheckPage checks a certificate's code, printed as the QR code of BASE_URL/c/<code>, for
// anyone and without signing in. The check is the code's Ed25519 signature and the register, not a
// lookup of the number, so a forged or altered code is not genuine; the name and the ID number are
// shown masked only. A code that is not genuine answers 404: the register holds no such certificate.
func (s *server) certificateCheckPage(c *fiber.Ctx) error {
	token := c.Params("token")
	v := s.newView(c, "page.cert.check.title")
	var pc certificate.PublicCheck
	if len(token) <= maxCodeLength {
		var err error
		if pc, err = s.Certificates.Check(c.UserContext(), token); err != nil {
			return err
		}
	}
	d := certCheckView{Check: pc}
	if pc.ReplacedByCode != "" {
		d.Replaced = "/c/" + pc.ReplacedByCode
	}
	v.Data = d
	status := fiber.StatusOK
	if !pc.Genuine {
		status = fiber.StatusNotFound
	}
	return s.render(c, status, "cert_check", v)
}
