package pages

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/request"
)

// fillMembers lists the roles held in the organization and its stores and, for a caller who may
// manage them, the roles the invitation form offers.
func (s *server) fillMembers(c *fiber.Ctx, lang string, d *orgPageView, where map[string]string) error {
	ms, err := s.Users.Members(c.UserContext(), d.Org.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		d.Members = append(d.Members, memberLine{GrantID: m.ID, UserID: m.UserID, Name: m.Name, Phone: identity.MaskPhone(m.Phone),
			VolunteerNo: m.VolunteerNo, Role: s.msgs.Get(lang, "page.role."+string(m.Role)), Where: where[storeKey(m.StoreID)],
			GrantedBy: m.GrantedBy, GrantedAt: m.GrantedAt})
	}
	if d.ManageRoles {
		d.RoleGroups = roleChoices(lang, s.msgs, d.Org, d.Stores)
	}
	return nil
}

// roleChoices are the roles a person can be invited into: those held at an organization, then for
// each store those held at a store. A store role's value names the store: "clerk@3".
func roleChoices(lang string, msgs i18n.Messages, o org.Org, stores []org.Store) []optionGroup {
	at := func(kind access.ScopeKind, suffix string) []option {
		var out []option
		for _, r := range access.PersonRoles {
			if slices.Contains(r.ScopeKinds(), kind) {
				out = append(out, option{Value: string(r) + suffix, Label: msgs.Get(lang, "page.role."+string(r))})
			}
		}
		return out
	}
	groups := []optionGroup{{Label: o.Name, Options: at(access.Org, "")}}
	for _, st := range stores {
		groups = append(groups, optionGroup{Label: st.Name, Options: at(access.Store, "@"+strconv.FormatInt(st.ID, 10))})
	}
	return groups
}

// memberFields are the invitation form's fields, top to bottom.
var memberFields = []string{"phone", "role"}

// memberSubmit gives a registered person, found by phone number, a role in the organization or in
// one of its stores, as POST /api/v1/orgs/{id}/members does.
func (s *server) memberSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	f := readForm(c, memberFields...)
	g, err := s.inviteGrant(c, id, c.FormValue("role"))
	if err == nil {
		err = s.grantByPhone(c, c.FormValue("phone"), g)
	}
	if errors.Is(err, identity.ErrUserNotFound) {
		f.fail("phone", s.msgs.Get(s.msgs.Lang(c), "page.org.invite.not_registered"))
		return s.renderOrg(c, fiber.StatusUnprocessableEntity, id, f, nil)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"store-not-found": "role", "scope-not-found": "role"})
		if err != nil {
			return err
		}
		return s.renderOrg(c, status, id, f, nil)
	}
	return redirect(c, OrgPath(id)+"?notice=member-added#members")
}

// inviteGrant reads the role the form chose: a role in the organization ("coordinator") or in one
// of its stores ("clerk@3"). A store of another organization is refused, as the API does.
func (s *server) inviteGrant(c *fiber.Ctx, orgID int64, value string) (access.Grant, error) {
	role, store, ok := strings.Cut(value, "@")
	if !ok {
		return access.Grant{Role: access.Role(role), Kind: access.Org, OrgID: orgID}, nil
	}
	storeID, err := strconv.ParseInt(store, 10, 64)
	if err != nil || storeID <= 0 {
		return access.Grant{}, fields.New(identity.ErrInvalid, "role", "role_unknown")
	}
	st, err := s.Orgs.Store(c.UserContext(), storeID)
	if err != nil {
		return access.Grant{}, err
	}
	if st.OrgID != orgID {
		return access.Grant{}, fields.New(identity.ErrInvalid, "role", "not_in_org")
	}
	return access.Grant{Role: access.Role(role), Kind: access.Store, StoreID: st.ID}, nil
}

// grantByPhone finds the person by phone number and grants them the role; granting a role they
// hold already changes nothing. The grant's place is checked again here, whatever the route's rule
// said, because the form chose it.
func (s *server) grantByPhone(c *fiber.Ctx, phone string, g access.Grant) error {
	t, err := s.targets.Grant(c, g)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageMembers, t); err != nil {
		return err
	}
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		return fields.New(identity.ErrInvalid, "phone", "phone_invalid")
	}
	u, err := s.Users.ByPhone(c.UserContext(), p)
	if err != nil {
		return err
	}
	_, err = s.Users.Grant(c.UserContext(), guard.Change(c), u.ID, g)
	return err
}

// grantRevokeSubmit ends a role held in the organization or one of its stores. A grant elsewhere
// is not this page's to end: it is "not found" here, whatever the caller may do there.
func (s *server) grantRevokeSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	err := s.revokeInOrg(c, id)
	if err != nil {
		f := form{Values: map[string]string{}, Errors: map[string]string{}}
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderOrg(c, status, id, f, nil)
	}
	return redirect(c, OrgPath(id)+"?notice=member-revoked#members")
}

func (s *server) revokeInOrg(c *fiber.Ctx, orgID int64) error {
	grantID, err := request.IDParam(c, "grant")
	if err != nil {
		return err
	}
	_, g, err := s.Users.GrantByID(c.UserContext(), grantID)
	if err != nil {
		return err
	}
	t, err := s.targets.Grant(c, g)
	if err != nil {
		return err
	}
	if g.Kind != access.Org && g.Kind != access.Store || !slices.Contains(t.OrgIDs, orgID) {
		return identity.ErrGrantNotFound
	}
	if err := guard.Can(c, access.ManageMembers, t); err != nil {
		return err
	}
	return s.Users.Revoke(c.UserContext(), guard.Change(c), grantID)
}
