package pages

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/request"
)

// orgNotices are the messages the organization page shows after a form of its own redirected to
// it (?notice=…): a fixed list, so that a link cannot put words of its own on the page.
var orgNotices = map[string]string{
	"member-added":   "page.org.notice.member_added",
	"member-revoked": "page.org.notice.member_revoked",
	"device-revoked": "page.org.notice.device_revoked",
}

// orgPageView is what the organization page shows. The management parts are filled only for
// callers allowed them there.
type orgPageView struct {
	Org         org.Org
	Status      string // translated: registered (登记) or filed (备案)
	Parent      *org.Org
	Region      org.Region
	RegionLink  bool   // the caller may open the region's page
	FiledByName string // filed organizations: the street's name
	Stores      []org.Store
	Subs        []org.Org
	Members     []memberLine
	ManageRoles bool // may invite and revoke
	ResetCodes  bool // may issue password reset codes to members (whom, identity.MayReset decides)
	RoleGroups  []optionGroup
	Devices     []deviceLine
	ManageDevs  bool // may create and revoke device tokens
	Dispatch    bool // may open the team's 幸福管家 dispatch (residents' service requests)
	DeviceWhere []option
	NewDevice   *newDevice // the token just created, shown this once
	Certs       certOrgBox // certificates of volunteer service (cert_register.go)
	Exports     exportBox  // its files for a period (exports.go)
	// Standing is how residents rated the services of its 幸福管家 desks, shown when it has one.
	Standing *servicedesk.Standing
}

// memberLine is one role someone holds in the organization or one of its stores.
type memberLine struct {
	GrantID     int64
	UserID      int64
	Name        string
	Phone       string // masked
	VolunteerNo string
	Role        string // translated
	Where       string // the organization or the store's name
	GrantedBy   string
	GrantedAt   time.Time
}

// deviceLine is one kiosk or counter device token of the organization or its stores.
type deviceLine struct {
	ID        int64
	Label     string
	Role      string // translated
	Where     string
	CreatedBy string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// newDevice is a device token just created: the only time anyone sees it.
type newDevice struct {
	Label string
	Where string
	Token string
}

// option is one choice of a select; optionGroup a labelled group of them.
type option struct {
	Value, Label string
}

type optionGroup struct {
	Label   string
	Options []option
}

// OrgPath is the organization page's path.
func OrgPath(id int64) string { return "/orgs/" + strconv.FormatInt(id, 10) }

// orgPage shows an organization.
func (s *server) orgPage(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	return s.renderOrg(c, fiber.StatusOK, id, form{}, nil)
}

// renderOrg renders the organization page with a form shown again (f) or a device token just
// created (nd).
func (s *server) renderOrg(c *fiber.Ctx, status int, id int64, f form, nd *newDevice) error {
	ctx := c.UserContext()
	o, err := s.Orgs.Org(ctx, id)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.org.title")
	v.Title = o.Name
	v.Form = f
	if key, ok := orgNotices[c.Query("notice")]; ok && !f.Failed() {
		v.Notice = s.msgs.Get(v.Lang, key)
	}
	p := guard.Principal(c)
	t, err := s.Orgs.OrgTarget(ctx, id)
	if err != nil {
		return err
	}
	d := orgPageView{Org: o, Status: s.msgs.Get(v.Lang, orgStatusKeys[o.Status]), NewDevice: nd,
		ManageRoles: p.Can(access.ManageMembers, t), ManageDevs: p.Can(access.ManageDevices, t),
		ResetCodes: p.Can(access.ResetPasswords, t), Dispatch: p.Can(access.DispatchServices, t)}
	if o.ParentID != nil {
		parent, err := s.Orgs.Org(ctx, *o.ParentID)
		if err != nil {
			return err
		}
		d.Parent = &parent
	}
	names := regionNames{s: s, c: c}
	if d.Region, err = s.Orgs.Region(ctx, o.RegionCode); err != nil {
		return err
	}
	d.RegionLink = p.Can(access.ReadRegion, org.RegionTarget(o.RegionCode))
	if o.FiledBy != "" {
		d.FiledByName = names.name(o.FiledBy)
	}
	if d.Stores, err = s.Orgs.StoresOf(ctx, id); err != nil {
		return err
	}
	if d.Subs, err = s.Orgs.SubOrgs(ctx, id); err != nil {
		return err
	}
	if d.Certs, err = s.certOrgBox(c, id, t); err != nil {
		return err
	}
	d.Exports = s.orgExports(v.Lang, id, p.Can(access.ReadActivities, t))
	if desks, err := s.ServiceDesk.Desks(ctx, id); err != nil {
		return err
	} else if len(desks) > 0 {
		st, err := s.ServiceDesk.Standing(ctx, id)
		if err != nil {
			return err
		}
		d.Standing = &st
	}
	where := placeNames(o, d.Stores)
	if err := s.fillMembers(c, v.Lang, &d, where); err != nil {
		return err
	}
	if d.ManageDevs {
		if err := s.fillDevices(c, v.Lang, &d, where); err != nil {
			return err
		}
	}
	v.Data = d
	return s.render(c, status, "org", v)
}

// placeNames names the organization (key "") and each of its stores (key "store:<id>") for the
// lists of roles and devices.
func placeNames(o org.Org, stores []org.Store) map[string]string {
	m := map[string]string{"": o.Name}
	for _, st := range stores {
		m["store:"+strconv.FormatInt(st.ID, 10)] = st.Name
	}
	return m
}

// storeKey is the key of placeNames for a store id, or "" for none.
func storeKey(id *int64) string {
	if id == nil {
		return ""
	}
	return "store:" + strconv.FormatInt(*id, 10)
}

// orgStatusKeys translate an organization's status.
var orgStatusKeys = map[org.Status]string{
	org.Registered: "page.org.status.registered",
	org.Filed:      "page.org.status.filed",
}
