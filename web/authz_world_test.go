package web

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	who "timebank/pkg/principal"
)

// world is the organizations, stores and callers the table runs against.
type world struct {
	d      services
	a, b   org.Org
	sa, sb org.Store
	subA   org.Org
	tokens map[string]string // caller → bearer token
	users  map[string]int64  // person → user id
	spare  identity.User     // a person to grant roles to
	// gridSpare is a person to grant region roles to (see regionGrantFresh), so that the spare
	// person holds no role above an organization's.
	gridSpare identity.User
	seq       atomic.Int64
	regionIn  string // 硖石街道
	regionOu  string // 桐乡市's street
	// requests are a resident's service request made on a desk of A (true) and of B (false).
	requests map[bool]int64
}

func (w *world) next() int64 { return w.seq.Add(1) }

func newWorld(t *testing.T, d services) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: d, tokens: map[string]string{}, users: map[string]int64{}, requests: map[bool]int64{}, regionIn: "330481001000", regionOu: "330483001000"}
	op := &access.Principal{Principal: who.Principal{Name: "operator"}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}
	for _, r := range []org.NewRegion{
		{Code: "330000000000", Name: "浙江省"}, {Code: "330400000000", Name: "嘉兴市"},
		{Code: "330481000000", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"},
		{Code: "330483000000", Name: "桐乡市"}, {Code: "330483001000", Name: "梧桐街道"},
	} {
		if _, err := d.Orgs.CreateRegion(ctx, op.Actor(), r); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	mustOrg := func(n org.NewOrg) org.Org {
		o, err := d.Orgs.CreateOrg(ctx, op.Actor(), n)
		if err != nil {
			t.Fatalf("org %s: %v", n.Name, err)
		}
		return o
	}
	w.a = mustOrg(org.NewOrg{Name: "硖石街道志愿者协会", RegionCode: w.regionIn, Status: org.Filed, FiledBy: w.regionIn})
	w.b = mustOrg(org.NewOrg{Name: "梧桐街道志愿服务队", RegionCode: w.regionOu, Status: org.Filed, FiledBy: w.regionOu})
	w.subA = mustOrg(org.NewOrg{Name: "东山社区服务队", RegionCode: w.regionIn, Status: org.Filed, FiledBy: w.regionIn, ParentID: &w.a.ID})
	var err error
	if w.sa, err = d.Orgs.CreateStore(ctx, op.Actor(), org.NewStore{OrgID: w.a.ID, Name: "硖石公益仓"}); err != nil {
		t.Fatal(err)
	}
	if w.sb, err = d.Orgs.CreateStore(ctx, op.Actor(), org.NewStore{OrgID: w.b.ID, Name: "梧桐公益仓"}); err != nil {
		t.Fatal(err)
	}
	grants := map[string]access.Grant{
		volunteer: {Role: access.Volunteer, Kind: access.Org, OrgID: w.a.ID},
		coordA:    {Role: access.Coordinator, Kind: access.Org, OrgID: w.a.ID},
		adminA:    {Role: access.OrgAdmin, Kind: access.Org, OrgID: w.a.ID},
		clerkSA:   {Role: access.Clerk, Kind: access.Store, StoreID: w.sa.ID},
		managerSA: {Role: access.StoreManager, Kind: access.Store, StoreID: w.sa.ID},
		auditorHN: {Role: access.Auditor, Kind: access.Region, RegionCode: "330481000000"},
		regionXS:  {Role: access.RegionAdmin, Kind: access.Region, RegionCode: w.regionIn},
		platform:  {Role: access.PlatformAdmin, Kind: access.Platform},
	}
	ch := identity.Change{Actor: who.Operator()}
	for i, who := range people {
		u, err := d.Users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("1380000%04d", i), Password: testPassword, Name: who})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Users.Grant(ctx, ch, u.ID, grants[who]); err != nil {
			t.Fatalf("grant %s: %v", who, err)
		}
		w.users[who] = u.ID
		if w.tokens[who], err = d.Sessions.Create(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if w.spare, err = d.Users.Register(ctx, identity.Registration{Phone: "13900000000", Password: testPassword, Name: "候补"}); err != nil {
		t.Fatal(err)
	}
	if _, w.tokens[kioskA], err = d.Users.CreateDevice(ctx, ch, access.Kiosk, w.a.ID, 0, "签到屏"); err != nil {
		t.Fatal(err)
	}
	if _, w.tokens[counterSA], err = d.Users.CreateDevice(ctx, ch, access.Counter, 0, w.sa.ID, "收银台"); err != nil {
		t.Fatal(err)
	}
	w.tokens[operatorTok] = d.Config.OperatorToken
	return w
}

// call is one request of the table.
type call struct {
	method, path, body string
}

// malformed is a JSON body no handler accepts: a route that answers it with 400 let the caller
// through its rule (the rule runs before the body is read).
const malformed = `{"this is": not json`

// grantFresh gives the spare person a fresh grant (a volunteer role in org, or a clerk role in
// store), for a revocation to take away.
func (w *world) grantFresh(t *testing.T, orgID, storeID int64) int64 {
	t.Helper()
	g := access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: orgID}
	if storeID != 0 {
		g = access.Grant{Role: access.Clerk, Kind: access.Store, StoreID: storeID}
	}
	id, err := w.d.Users.Grant(context.Background(), identity.Change{Actor: who.Operator()}, w.spare.ID, g)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *world) deviceFresh(t *testing.T, storeID int64) int64 {
	t.Helper()
	d, _, err := w.d.Users.CreateDevice(context.Background(), identity.Change{Actor: who.Operator()}, access.Counter, 0, storeID, "临时")
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// entry is a route's row in the table.
type entry struct {
	who []string                          // who may call it inside the scope
	in  func(t *testing.T, w *world) call // a request inside the scope
	out func(t *testing.T, w *world) call // a request at a place outside every scope but the admins'; nil: the route acts at no place
	// stream: the route answers a caller it lets through with an endless stream (Server-Sent
	// Events), so a request still running after a second was let through.
	stream bool
	// ends: the route ends the caller's session (signing out), so each person calls it with a
	// session of its own.
	ends bool
}

func fixed(method, path, body string) func(*testing.T, *world) call {
	return func(*testing.T, *world) call { return call{method, path, body} }
}

func id(n int64) string { return fmt.Sprint(n) }
