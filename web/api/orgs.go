package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

func (s *server) createRegion(c *fiber.Ctx) error {
	var req org.NewRegion
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	// A node is created by whoever may manage the node above it (a province, by platform admins).
	parent, _ := org.ParentDivision(req.Code)
	if err := guard.Can(c, access.ManageRegions, org.RegionTarget(parent)); err != nil {
		return err
	}
	r, err := s.Orgs.CreateRegion(c.UserContext(), guard.Principal(c).Actor(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// regionView is a region with what lies directly below it.
type regionView struct {
	org.Region
	Path     []org.Region `json:"path"`
	Children []org.Region `json:"children"`
	Orgs     []org.Org    `json:"orgs"`
}

func (s *server) getRegion(c *fiber.Ctx) error {
	ctx := c.UserContext()
	code := c.Params("code")
	r, err := s.Orgs.Region(ctx, code)
	if err != nil {
		return err
	}
	v := regionView{Region: r}
	if v.Path, err = s.Orgs.Path(ctx, r.Code); err != nil {
		return err
	}
	if v.Children, err = s.Orgs.Children(ctx, r.Code); err != nil {
		return err
	}
	if v.Orgs, err = s.Orgs.OrgsInRegion(ctx, r.Code, "", 0, org.MaxLimit); err != nil {
		return err
	}
	return c.JSON(v)
}

// memberRequest invites a registered person (by phone number) into a role.
type memberRequest struct {
	Phone   string      `json:"phone"`
	Role    access.Role `json:"role"`
	StoreID int64       `json:"store_id,omitempty"` // for store roles: one of the organization's stores
}

// grantResult is the grant a member request made (or found already made).
type grantResult struct {
	ID     int64        `json:"id"`
	UserID int64        `json:"user_id"`
	Grant  access.Grant `json:"grant"`
}

// grantTo finds the person by phone number and grants them the role.
func (s *server) grantTo(c *fiber.Ctx, phone string, g access.Grant) error {
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		return problem.BadRequest("phone", "phone_invalid")
	}
	u, err := s.Users.ByPhone(c.UserContext(), p)
	if err != nil {
		return err
	}
	id, err := s.Users.Grant(c.UserContext(), guard.Change(c), u.ID, g)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(grantResult{ID: id, UserID: u.ID, Grant: g})
}

func (s *server) addMember(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id") // checked by the rule
	var req memberRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	g := access.Grant{Role: req.Role, Kind: access.Org, OrgID: orgID}
	if req.StoreID != 0 {
		st, err := s.Orgs.Store(c.UserContext(), req.StoreID)
		if err != nil {
			return err
		}
		if st.OrgID != orgID {
			return problem.BadRequest("store_id", "not_in_org")
		}
		g = access.Grant{Role: req.Role, Kind: access.Store, StoreID: st.ID}
	}
	return s.grantTo(c, req.Phone, g)
}

func (s *server) listMembers(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	m, err := s.Users.Members(c.UserContext(), id)
	if err != nil {
		return err
	}
	if m == nil {
		m = []identity.MemberGrant{}
	}
	return c.JSON(fiber.Map{"members": m})
}

func (s *server) revokeGrant(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	_, g, err := s.Users.GrantByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	action := access.ManageMembers
	if g.Kind == access.Region {
		action = access.ManageRegions
	}
	t, err := s.targets.Grant(c, g)
	if err != nil {
		return err
	}
	if err := guard.Can(c, action, t); err != nil {
		return err
	}
	if err := s.Users.Revoke(c.UserContext(), guard.Change(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) createOrg(c *fiber.Ctx) error {
	var req org.NewOrg
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	// A sub-organization is created by whoever may create organizations in its parent; a top-level
	// one, by the region's administrators.
	t := org.RegionTarget(req.RegionCode)
	if req.ParentID != nil {
		var err error
		if t, err = s.Orgs.OrgTarget(c.UserContext(), *req.ParentID); err != nil {
			return err
		}
	}
	if err := guard.Can(c, access.CreateOrg, t); err != nil {
		return err
	}
	o, err := s.Orgs.CreateOrg(c.UserContext(), guard.Principal(c).Actor(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// orgView is an organization with its stores and sub-organizations.
type orgView struct {
	org.Org
	Stores []org.Store `json:"stores"`
	Subs   []org.Org   `json:"sub_orgs"`
}

func (s *server) getOrg(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, _ := request.IDParam(c, "id")
	o, err := s.Orgs.Org(ctx, id)
	if err != nil {
		return err
	}
	v := orgView{Org: o}
	if v.Stores, err = s.Orgs.StoresOf(ctx, id); err != nil {
		return err
	}
	if v.Subs, err = s.Orgs.SubOrgs(ctx, id); err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) createStore(c *fiber.Ctx) error {
	var req org.NewStore
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	t, err := s.Orgs.OrgTarget(c.UserContext(), req.OrgID)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.CreateStore, t); err != nil {
		return err
	}
	st, err := s.Orgs.CreateStore(c.UserContext(), guard.Principal(c).Actor(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(st)
}

func (s *server) getStore(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	st, err := s.Orgs.Store(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// deviceRequest asks for a device token: a kiosk for an organization ("org:7") or a counter for a
// store ("store:3").
type deviceRequest struct {
	Scope string      `json:"scope"`
	Role  access.Role `json:"role"`
	Label string      `json:"label"`
}

// createdDevice shows the new token once; only its hash is kept.
type createdDevice struct {
	identity.Device
	Token string `json:"token"`
}

// parseScope reads "org:7" or "store:3".
func parseScope(s string) (kind string, id int64, ok bool) {
	kind, num, found := strings.Cut(s, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	return kind, id, found && err == nil && id > 0 && (kind == "org" || kind == "store")
}

func (s *server) createDevice(c *fiber.Ctx) error {
	var req deviceRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	kind, id, ok := parseScope(req.Scope)
	if !ok {
		return problem.BadRequest("scope", "format")
	}
	var t access.Target
	var err error
	var orgID, storeID int64
	if kind == "org" {
		orgID = id
		t, err = s.Orgs.OrgTarget(c.UserContext(), id)
	} else {
		storeID = id
		t, err = s.Orgs.StoreTarget(c.UserContext(), id)
	}
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageDevices, t); err != nil {
		return err
	}
	d, token, err := s.Users.CreateDevice(c.UserContext(), guard.Change(c), req.Role, orgID, storeID, req.Label)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(createdDevice{Device: d, Token: token})
}

func (s *server) revokeDevice(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Users.DeviceByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	var t access.Target
	if d.OrgID != nil {
		t, err = s.Orgs.OrgTarget(c.UserContext(), *d.OrgID)
	} else if d.StoreID != nil {
		t, err = s.Orgs.StoreTarget(c.UserContext(), *d.StoreID)
	}
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageDevices, t); err != nil {
		return err
	}
	if err := s.Users.RevokeDevice(c.UserContext(), guard.Change(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) listDevices(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	d, err := s.Users.Devices(c.UserContext(), id)
	if err != nil {
		return err
	}
	if d == nil {
		d = []identity.Device{}
	}
	return c.JSON(fiber.Map{"devices": d})
}

// auditPage is a page of the audit log; Next is the cursor of the following page.
type auditPage struct {
	Entries []audit.Entry `json:"entries"`
	Next    string        `json:"next,omitempty"`
}

func (s *server) listAudit(c *fiber.Ctx) error {
	after, limit, err := request.Page(c, audit.MaxLimit)
	if err != nil {
		return err
	}
	var scopes []audit.Scope
	for _, g := range guard.Principal(c).Scopes(access.ReadAudit) {
		scopes = append(scopes, audit.Scope{Kind: string(g.Kind), RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID})
	}
	entries, err := audit.List(c.UserContext(), s.DB, audit.Filter{Scopes: scopes, After: after, Limit: limit})
	if err != nil {
		return err
	}
	page := auditPage{Entries: entries}
	if page.Entries == nil {
		page.Entries = []audit.Entry{}
	}
	if len(entries) == limit {
		page.Next = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return c.JSON(page)
}
