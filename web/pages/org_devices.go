package pages

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/request"
)

// fillDevices lists the device tokens of the organization and its stores, and where a new one can
// be for: the organization's check-in screen (kiosk) or a store's counter.
func (s *server) fillDevices(c *fiber.Ctx, lang string, d *orgPageView, where map[string]string) error {
	devs, err := s.Users.Devices(c.UserContext(), d.Org.ID)
	if err != nil {
		return err
	}
	names := s.actorNames(lang)
	for _, dv := range devs {
		by, err := names.name(c.UserContext(), dv.CreatedBy)
		if err != nil {
			return err
		}
		d.Devices = append(d.Devices, deviceLine{ID: dv.ID, Label: dv.Label, Role: s.msgs.Get(lang, deviceRoleKeys[dv.Role]),
			Where: where[storeKey(dv.StoreID)], CreatedBy: by, CreatedAt: dv.CreatedAt, RevokedAt: dv.RevokedAt})
	}
	d.DeviceWhere = []option{{Value: "org", Label: s.msgs.Get(lang, "page.org.devices.kiosk_of") + " · " + d.Org.Name}}
	for _, st := range d.Stores {
		d.DeviceWhere = append(d.DeviceWhere, option{Value: "store:" + strconv.FormatInt(st.ID, 10),
			Label: s.msgs.Get(lang, "page.org.devices.counter_of") + " · " + st.Name})
	}
	return nil
}

// deviceRoleKeys translate the roles a device can carry.
var deviceRoleKeys = map[access.Role]string{
	access.Kiosk:   "page.org.devices.kiosk",
	access.Counter: "page.org.devices.counter",
}

// deviceFields are the device form's fields, top to bottom.
var deviceFields = []string{"scope", "label"}

// deviceSubmit creates a device token, as POST /api/v1/device-tokens does, and shows the page with
// the token: the only time it is shown (only its hash is kept), so it is never put in a URL.
func (s *server) deviceSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	f := readForm(c, deviceFields...)
	nd, err := s.createDeviceIn(c, id, c.FormValue("scope"), c.FormValue("label"))
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"store-not-found": "scope", "scope-not-found": "scope"})
		if err != nil {
			return err
		}
		return s.renderOrg(c, status, id, f, nil)
	}
	return s.renderOrg(c, fiber.StatusCreated, id, form{}, nd)
}

// createDeviceIn creates a kiosk token for the organization ("org") or a counter token for one of
// its stores ("store:3"), checking the caller may manage devices there.
func (s *server) createDeviceIn(c *fiber.Ctx, orgID int64, scope, label string) (*newDevice, error) {
	ctx := c.UserContext()
	role, orgArg, storeArg := access.Kiosk, orgID, int64(0)
	o, err := s.Orgs.Org(ctx, orgID)
	if err != nil {
		return nil, err
	}
	where := o.Name
	t, err := s.Orgs.OrgTarget(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if scope != "org" {
		num, ok := strings.CutPrefix(scope, "store:")
		storeID, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || storeID <= 0 {
			return nil, fields.New(identity.ErrInvalid, "scope", "required")
		}
		st, err := s.Orgs.Store(ctx, storeID)
		if err != nil {
			return nil, err
		}
		if st.OrgID != orgID {
			return nil, fields.New(identity.ErrInvalid, "scope", "not_in_org")
		}
		if t, err = s.Orgs.StoreTarget(ctx, st.ID); err != nil {
			return nil, err
		}
		role, orgArg, storeArg, where = access.Counter, 0, st.ID, st.Name
	}
	if err := guard.Can(c, access.ManageDevices, t); err != nil {
		return nil, err
	}
	d, token, err := s.Users.CreateDevice(ctx, guard.Change(c), role, orgArg, storeArg, label)
	if err != nil {
		return nil, err
	}
	return &newDevice{Label: d.Label, Where: where, Token: token}, nil
}

// deviceRevokeSubmit stops a device token of the organization or one of its stores from working.
func (s *server) deviceRevokeSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	if err := s.revokeDeviceIn(c, id); err != nil {
		f := form{Values: map[string]string{}, Errors: map[string]string{}}
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderOrg(c, status, id, f, nil)
	}
	return redirect(c, OrgPath(id)+"?notice=device-revoked#devices")
}

// revokeDeviceIn revokes the device of the path when it belongs to the organization or one of its
// stores; another's is "not found" here.
func (s *server) revokeDeviceIn(c *fiber.Ctx, orgID int64) error {
	ctx := c.UserContext()
	devID, err := request.IDParam(c, "device")
	if err != nil {
		return err
	}
	d, err := s.Users.DeviceByID(ctx, devID)
	if err != nil {
		return err
	}
	t, err := s.Orgs.OrgTarget(ctx, orgID)
	switch {
	case err != nil:
		return err
	case d.StoreID != nil:
		st, err := s.Orgs.Store(ctx, *d.StoreID)
		if err != nil {
			return err
		}
		if st.OrgID != orgID {
			return identity.ErrDeviceNotFound
		}
		if t, err = s.Orgs.StoreTarget(ctx, st.ID); err != nil {
			return err
		}
	case d.OrgID == nil || *d.OrgID != orgID:
		return identity.ErrDeviceNotFound
	}
	if err := guard.Can(c, access.ManageDevices, t); err != nil {
		return err
	}
	return s.Users.RevokeDevice(ctx, guard.Change(c), devID)
}
