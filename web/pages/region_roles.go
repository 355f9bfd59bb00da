package pages

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/request"
)

// The page of the people who hold a role at a region node (its administrators, auditors and grid
// workers), for those who manage the node: a form that grants a role to a registered person found
// by phone number, the list, and a confirmation before a role is revoked. It calls what the JSON
// routes under /api/v1/regions/{code}/admins call.

// regionRolesView is what the page shows.
type regionRolesView struct {
	Region org.Region
	Roles  []option // the roles a region node holds, for the form
	Lines  []regionRoleLine
	// Granted is the line of the grant just made, marked in the list; 0 for none.
	Granted int64
}

// regionRoleLine is a person's role at the node, as the page shows it: no ids, the phone masked.
type regionRoleLine struct {
	GrantID   int64
	Name      string
	Phone     string // masked
	Role      string // translated
	GrantedAt time.Time
	GrantedBy string // the granter's name, or the system administrator
	Self      bool   // the signed-in person's own role
}

// regionRoleFields are the grant form's fields, top to bottom.
var regionRoleFields = []string{"phone", "role"}

// RegionRolesPath is the page of the roles held at the region node.
func RegionRolesPath(code string) string { return "/regions/" + code + "/roles" }

// regionRolesPage shows the page; after a grant, ?granted= names the line to point out.
func (s *server) regionRolesPage(c *fiber.Ctx) error {
	granted, _ := strconv.ParseInt(c.Query("granted"), 10, 64)
	return s.renderRegionRoles(c, fiber.StatusOK, form{Values: map[string]string{}, Errors: map[string]string{},
		order: regionRoleFields}, granted)
}

func (s *server) renderRegionRoles(c *fiber.Ctx, status int, f form, granted int64) error {
	ctx := c.UserContext()
	r, err := s.Orgs.Region(ctx, c.Params("code"))
	if err != nil {
		return err
	}
	v := s.newView(c, "page.region.roles.title")
	v.Title = r.Name + " · " + v.Title
	d := regionRolesView{Region: r}
	// The commonest first: a street grants grid workers far more often than administrators.
	for _, role := range []access.Role{access.GridWorker, access.RegionAdmin, access.Auditor} {
		if slices.Contains(role.ScopeKinds(), access.Region) {
			d.Roles = append(d.Roles, option{Value: string(role), Label: s.msgs.Get(v.Lang, "page.role."+string(role))})
		}
	}
	if d.Lines, err = s.regionRoleLines(c, v.Lang, r.Code); err != nil {
		return err
	}
	for _, l := range d.Lines {
		if l.GrantID == granted && granted != 0 {
			d.Granted = granted
			v.Notice = fmt.Sprintf(s.msgs.Get(v.Lang, "page.region.roles.granted"), l.Name, l.Phone, l.Role)
		}
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "region_roles", v)
}

// regionRoleLines are the roles held at the node, each with its granter's name.
func (s *server) regionRoleLines(c *fiber.Ctx, lang, code string) ([]regionRoleLine, error) {
	gs, err := s.Users.RegionGrants(c.UserContext(), code)
	if err != nil {
		return nil, err
	}
	me := guard.Principal(c).UserID
	out := make([]regionRoleLine, 0, len(gs))
	for _, g := range gs {
		out = append(out, s.regionRoleLine(lang, g, me))
	}
	return out, nil
}

func (s *server) regionRoleLine(lang string, g identity.RegionGrant, me int64) regionRoleLine {
	by := g.GrantedByName
	if by == "" {
		by = s.msgs.Get(lang, "page.actor.operator")
	}
	return regionRoleLine{GrantID: g.ID, Name: g.Name, Phone: g.Phone, Role: s.msgs.Get(lang, "page.role."+string(g.Role)),
		GrantedAt: g.GrantedAt, GrantedBy: by, Self: g.UserID == me && me != 0}
}

// regionGrantSubmit gives a registered person, found by the phone number typed in full, a role at
// the node, as POST /api/v1/regions/{code}/admins does, and shows the page again with the person's
// line pointed out, the number masked.
func (s *server) regionGrantSubmit(c *fiber.Ctx) error {
	f := readForm(c, regionRoleFields...)
	lang := s.msgs.Lang(c)
	r, err := s.Orgs.Region(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	role := access.Role(f.Values["role"])
	if role == "" {
		f.fail("role", s.msgs.Get(lang, "page.region.roles.choose_role"))
		return s.renderRegionRoles(c, fiber.StatusUnprocessableEntity, f, 0)
	}
	id, err := s.grantAtRegion(c, f.Values["phone"], access.Grant{Role: role, Kind: access.Region, RegionCode: r.Code})
	if errors.Is(err, identity.ErrUserNotFound) {
		f.fail("phone", s.msgs.Get(lang, "page.region.roles.not_registered"))
		return s.renderRegionRoles(c, fiber.StatusUnprocessableEntity, f, 0)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderRegionRoles(c, status, f, 0)
	}
	return redirect(c, RegionRolesPath(r.Code)+"?granted="+strconv.FormatInt(id, 10)+"#grant-"+strconv.FormatInt(id, 10))
}

// grantAtRegion finds the person by phone number and grants the role; a role they hold there
// already changes nothing and answers the grant they hold.
func (s *server) grantAtRegion(c *fiber.Ctx, phone string, g access.Grant) (int64, error) {
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		return 0, fields.New(identity.ErrInvalid, "phone", "phone_invalid")
	}
	u, err := s.Users.ByPhone(c.UserContext(), p)
	if err != nil {
		return 0, err
	}
	return s.Users.Grant(c.UserContext(), guard.Change(c), u.ID, g)
}

// regionRevokeView is the question asked before a role is revoked.
type regionRevokeView struct {
	Region org.Region
	Line   regionRoleLine
}

// regionRevokePage asks whether to revoke the role; a grant not held at this node is not found.
func (s *server) regionRevokePage(c *fiber.Ctx) error {
	r, g, err := s.regionGrantOfPath(c)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.region.roles.revoke_title")
	v.Data = regionRevokeView{Region: r, Line: s.regionRoleLine(v.Lang, g, guard.Principal(c).UserID)}
	return s.render(c, fiber.StatusOK, "region_revoke", v)
}

// regionRevokeSubmit revokes the role, as POST /api/v1/regions/{code}/admins/{grant}/revoke does,
// and goes back to the list (home, for a person who revoked their own). Sent again (a double tap),
// it finds the grant gone and says so.
func (s *server) regionRevokeSubmit(c *fiber.Ctx) error {
	r, g, err := s.regionGrantOfPath(c)
	if err != nil {
		return err
	}
	if err := s.Users.Revoke(c.UserContext(), guard.Change(c), g.ID); err != nil {
		return err
	}
	if g.UserID == guard.Principal(c).UserID { // their own: the list may no longer be theirs to open
		return redirect(c, "/?notice=region-role-revoked")
	}
	return redirect(c, RegionRolesPath(r.Code)+"?notice=region-role-revoked")
}

// regionGrantOfPath reads the node and its grant named in the path.
func (s *server) regionGrantOfPath(c *fiber.Ctx) (org.Region, identity.RegionGrant, error) {
	r, err := s.Orgs.Region(c.UserContext(), c.Params("code"))
	if err != nil {
		return r, identity.RegionGrant{}, err
	}
	id, err := request.IDParam(c, "grant")
	if err != nil {
		return r, identity.RegionGrant{}, err
	}
	g, err := s.Users.RegionGrantByID(c.UserContext(), r.Code, id)
	return r, g, err
}
