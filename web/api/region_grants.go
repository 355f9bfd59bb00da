package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/web/guard"
	"timebank/web/request"
)

// The roles held at a region node (its administrators, auditors and grid workers): listed, granted
// to a registered person found by phone number, and revoked, by those who manage the node (its
// administrators, those of the nodes above it, the platform's); the route's rule checks the node.

// grantRegionRole gives a registered person a role at the node; a role that is not held at a
// region node (a volunteer's, a platform administrator's) is refused as invalid.
func (s *server) grantRegionRole(c *fiber.Ctx) error {
	var req memberRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.Orgs.Region(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return s.grantTo(c, req.Phone, access.Grant{Role: req.Role, Kind: access.Region, RegionCode: r.Code})
}

// listRegionGrants lists the roles held at the node itself, phones masked.
func (s *server) listRegionGrants(c *fiber.Ctx) error {
	r, err := s.Orgs.Region(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	gs, err := s.Users.RegionGrants(c.UserContext(), r.Code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"grants": gs})
}

// revokeRegionGrant ends a role held at the node; a grant held elsewhere is not found here. The
// person's next request already goes without it: the revocation is published to every instance's
// cache of principals once it commits.
func (s *server) revokeRegionGrant(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "grant")
	if err != nil {
		return err
	}
	g, err := s.Users.RegionGrantByID(c.UserContext(), c.Params("code"), id)
	if err != nil {
		return err
	}
	if err := s.Users.Revoke(c.UserContext(), guard.Change(c), g.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
