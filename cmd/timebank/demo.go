package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// DemoPassword is the password of every demo log-in (listed in the README). The demo is for a
// developer's machine; production never runs it.
const DemoPassword = "Xiashi-2026"

// demoWorld is what the demo created, for the parts of the demo that build on it.
type demoWorld struct {
	street    org.Region // 硖石街道
	community org.Region // 东山社区
	assoc     org.Org    // 硖石街道志愿者协会 (filed)
	team      org.Org    // 东山社区志愿服务队, a sub-organization of the association
	yigong    org.Org    // 海宁市义工联合会 (registered)
	store     org.Store  // 硖石街道公益仓
	users     map[string]identity.User
}

// demoPerson is a demo log-in and the role it shows.
type demoPerson struct {
	key, phone, name, role string
}

// demoPeople are the demo log-ins; the README lists them.
var demoPeople = []demoPerson{
	{"volunteer", "13900000001", "王秀英", "volunteer"},
	{"volunteer2", "13900000002", "李建国", "volunteer"},
	{"coordinator", "13900000003", "张丽华", "coordinator"},
	{"clerk", "13900000004", "陈志强", "clerk"},
	{"manager", "13900000005", "周敏", "store_manager"},
	{"orgadmin", "13900000006", "沈建华", "org_admin"},
	{"regionadmin", "13900000007", "徐海燕", "region_admin"},
	{"platform", "13900000008", "吴国平", "platform_admin"},
	{"gridworker", "13900000009", "钱桂芳", "grid_worker"},
}

// demo loads realistic data for Haining's Xiashi street (硖石街道): the region chain, organizations,
// a charity supermarket, people in every role, and opening balances. Every step looks for what an
// earlier run made, so running it again changes nothing.
func demo(ctx context.Context, d *app.Services, w io.Writer) error {
	world, err := demoOrganizations(ctx, d)
	if err != nil {
		return err
	}
	if err := demoUsers(ctx, d, world); err != nil {
		return err
	}
	if err := demoBalances(ctx, d, world); err != nil {
		return err
	}
	if err := demoActivities(ctx, d, world); err != nil {
		return err
	}
	if err := demoStore(ctx, d, world); err != nil {
		return err
	}
	if err := demoCare(ctx, d, world); err != nil {
		return err
	}
	// The region's, the organizations' and the store's figures, from what was just loaded.
	if _, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{}); err != nil {
		return err
	}
	fmt.Fprintf(w, "demo data loaded: %s, %s (organization %d), store %s (%d)\n", world.street.Name, world.assoc.Name,
		world.assoc.ID, world.store.Name, world.store.ID)
	fmt.Fprintf(w, "demo log-ins (password %s):\n", DemoPassword)
	for _, p := range demoPeople {
		fmt.Fprintf(w, "  %s  %-4s %s\n", p.phone, p.name, p.role)
	}
	return nil
}

func demoOrganizations(ctx context.Context, d *app.Services) (*demoWorld, error) {
	reg := d.Orgs
	world := &demoWorld{users: map[string]identity.User{}}
	for _, r := range []org.NewRegion{
		{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"}, {Code: "330481", Name: "海宁市"},
		{Code: "330481001000", Name: "硖石街道"}, {Code: "330481001001", Name: "东山社区"}, {Code: "330481001002", Name: "西山社区"},
	} {
		region, err := reg.CreateRegion(ctx, operatorPrincipal, r)
		if errors.Is(err, org.ErrRegionExists) {
			region, err = reg.Region(ctx, r.Code)
		}
		if err != nil {
			return nil, fmt.Errorf("demo region %s: %w", r.Name, err)
		}
		switch region.Code {
		case "330481001000":
			world.street = region
		case "330481001001":
			world.community = region
		}
	}
	var err error
	street := world.street.Code
	if world.assoc, err = demoOrg(ctx, reg, org.NewOrg{Name: "硖石街道志愿者协会", RegionCode: street, Status: org.Filed,
		FiledBy: street, ContactName: "沈建华"}); err != nil {
		return nil, err
	}
	if world.team, err = demoOrg(ctx, reg, org.NewOrg{Name: "东山社区志愿服务队", RegionCode: world.community.Code,
		Status: org.Filed, FiledBy: street, ParentID: &world.assoc.ID, ContactName: "张丽华"}); err != nil {
		return nil, err
	}
	if world.yigong, err = demoOrg(ctx, reg, org.NewOrg{Name: "海宁市义工联合会", RegionCode: "330481000000",
		Status: org.Registered, CreditCode: "51330481MJ000123XA", ContactName: "钱卫东"}); err != nil {
		return nil, err
	}
	stores, err := reg.StoresOf(ctx, world.assoc.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range stores {
		if s.Name == "硖石街道公益仓" {
			world.store = s
		}
	}
	if world.store.ID == 0 {
		world.store, err = reg.CreateStore(ctx, operatorPrincipal, org.NewStore{OrgID: world.assoc.ID,
			Name: "硖石街道公益仓", Address: "海宁市硖石街道工人路 88 号新时代文明实践站一楼"})
		if err != nil {
			return nil, fmt.Errorf("demo store: %w", err)
		}
	}
	return world, nil
}

// demoOrg returns the organization of that name in its region, creating it the first time.
func demoOrg(ctx context.Context, reg *org.Registry, n org.NewOrg) (org.Org, error) {
	existing, err := reg.OrgsInRegion(ctx, n.RegionCode, "", 0, org.MaxLimit)
	if err != nil {
		return org.Org{}, err
	}
	for _, o := range existing {
		if o.Name == n.Name {
			return o, nil
		}
	}
	o, err := reg.CreateOrg(ctx, operatorPrincipal, n)
	if err != nil {
		return org.Org{}, fmt.Errorf("demo organization %s: %w", n.Name, err)
	}
	return o, nil
}

func demoUsers(ctx context.Context, d *app.Services, world *demoWorld) error {
	users := d.Users
	grants := map[string]access.Grant{
		"volunteer":   {Role: access.Volunteer, Kind: access.Org, OrgID: world.team.ID},
		"volunteer2":  {Role: access.Volunteer, Kind: access.Org, OrgID: world.assoc.ID},
		"coordinator": {Role: access.Coordinator, Kind: access.Org, OrgID: world.assoc.ID},
		"clerk":       {Role: access.Clerk, Kind: access.Store, StoreID: world.store.ID},
		"manager":     {Role: access.StoreManager, Kind: access.Store, StoreID: world.store.ID},
		"orgadmin":    {Role: access.OrgAdmin, Kind: access.Org, OrgID: world.assoc.ID},
		"regionadmin": {Role: access.RegionAdmin, Kind: access.Region, RegionCode: world.street.Code},
		"platform":    {Role: access.PlatformAdmin, Kind: access.Platform},
		"gridworker":  {Role: access.GridWorker, Kind: access.Region, RegionCode: world.community.Code},
	}
	for _, p := range demoPeople {
		u, err := users.ByPhone(ctx, p.phone)
		if errors.Is(err, identity.ErrUserNotFound) {
			u, err = users.Register(ctx, identity.Registration{Phone: p.phone, Name: p.name, Password: DemoPassword})
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", p.name, err)
		}
		if _, err := users.Grant(ctx, identity.Change{Actor: principal.Operator(), RequestID: "demo"}, u.ID, grants[p.key]); err != nil {
			return fmt.Errorf("demo grant %s: %w", p.name, err)
		}
		world.users[p.key] = u
	}
	return nil
}

// demoBalances carries over the demo volunteers' credits from the system the street used before
// (an adjustment from a system account, as a real migration would post).
func demoBalances(ctx context.Context, d *app.Services, world *demoWorld) error {
	const migration = "system:migration"
	if _, err := d.Ledger.EnsureAccount(ctx, ledger.NewAccount{Code: migration, Kind: ledger.KindSystem, AllowNegative: true}); err != nil {
		return err
	}
	for key, minutes := range map[string]int64{"volunteer": 600, "volunteer2": 345} {
		u := world.users[key]
		_, err := d.Ledger.Post(ctx, ledger.TransactionRequest{
			Kind: ledger.TxAdjust, Memo: "原志愿汇系统时间币余额迁移", Reference: "demo:migration:" + key,
			IdempotencyKey: "demo:migration:" + key, CreatedBy: "demo",
			Postings: []ledger.PostingRequest{{Account: migration, Amount: -minutes}, {Account: u.AccountCode, Amount: minutes}},
		})
		if err != nil {
			return fmt.Errorf("demo balance of %s: %w", u.Name, err)
		}
	}
	return nil
}
