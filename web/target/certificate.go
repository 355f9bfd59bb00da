package target

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/web/request"
)

// Certificates finds the targets of routes about a certificate or a certificate request in the
// path: the organization that issued it, or that the request asks.
type Certificates struct {
	f     *Finder
	certs *certificate.Service
}

// Certificates returns the finder of certificates' targets over the service.
func (f *Finder) Certificates(certs *certificate.Service) Certificates {
	return Certificates{f: f, certs: certs}
}

// Certificate is the target of routes about the certificate in the path (:id): its organization.
func (t Certificates) Certificate(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	_, orgID, err := t.certs.Owner(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return t.f.OrgOf(c, orgID)
}

// Request is the target of routes about the certificate request in the path (:id): the
// organization it asks.
func (t Certificates) Request(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	_, orgID, err := t.certs.RequestOwner(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return t.f.OrgOf(c, orgID)
}
