package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/certificate"
	"timebank/web/guard"
	"timebank/web/request"
)

// PublishRequest is the body of POST /api/v1/certificates/{id}/publish: how many days the
// certificate is shown (7–30; none: 7).
type PublishRequest struct {
	Days int `json:"days,omitempty"`
}

// Publicity is an organization's certificates in their 公示期 today (GET /api/v1/orgs/{id}/publicity).
type Publicity struct {
	Certificates []certificate.PublicEntry `json:"certificates"`
}

// publishCertificate shows a certificate in force on its organization's public page (公示) from today.
func (s *server) publishCertificate(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req PublishRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	_, orgID, err := s.Certificates.Owner(c.UserContext(), id)
	if err != nil {
		return err
	}
	e, err := s.Certificates.Publish(c.UserContext(), guard.Principal(c).Actor(), orgID, id, req.Days)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

// listPublicity answers anyone with the organization's certificates in their 公示期, names masked.
func (s *server) listPublicity(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Orgs.Org(c.UserContext(), id); err != nil {
		return err
	}
	list, err := s.Certificates.Public(c.UserContext(), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []certificate.PublicEntry{}
	}
	return c.JSON(Publicity{Certificates: list})
}
