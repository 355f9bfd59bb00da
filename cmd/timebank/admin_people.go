package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"

	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

const adminUsage = `usage: timebank admin <command> [flags]

  create-user   --phone P --name N          a person; the password comes from TIMEBANK_ADMIN_PASSWORD,
                                            or a random one is printed once
  grant         --phone P --role R (--platform | --region CODE | --org ID | --store ID)
  create-region --code CODE --name N        a node of the region tree (6 or 12 digits)
  create-org    --name N --region CODE --status filed|registered [--filed-by CODE]
                [--credit-code USCC] [--parent ID] [--contact NAME]
  create-store  --org ID --name N [--address A]`

// operatorPrincipal is who the admin commands act as: the audit log names them "operator".
var operatorPrincipal = principal.Operator()

// admin runs the first set-up commands of a new server: people, roles, regions, organizations
// and stores, written through the same domain functions as the API.
func admin(ctx context.Context, d *app.Services, args []string, getenv func(string) string, w io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(w, adminUsage)
		return errUsage
	}
	users, orgs := d.Users, d.Orgs
	fs := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(w)
	var (
		phone    = fs.String("phone", "", "mobile number")
		name     = fs.String("name", "", "name")
		role     = fs.String("role", "", "role")
		platform = fs.Bool("platform", false, "grant at the whole platform")
		region   = fs.String("region", "", "region code")
		orgID    = fs.Int64("org", 0, "organization id")
		storeID  = fs.Int64("store", 0, "store id")
		code     = fs.String("code", "", "region code")
		status   = fs.String("status", "filed", "filed or registered")
		filedBy  = fs.String("filed-by", "", "street the organization is filed with")
		credit   = fs.String("credit-code", "", "unified social credit code")
		parent   = fs.Int64("parent", 0, "parent organization id")
		contact  = fs.String("contact", "", "contact person")
		address  = fs.String("address", "", "store address")
	)
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch args[0] {
	case "create-user":
		pw := getenv("TIMEBANK_ADMIN_PASSWORD")
		generated := pw == ""
		if generated {
			pw = randomPassword()
		}
		u, err := users.Register(ctx, identity.Registration{Phone: *phone, Name: *name, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created user %d (%s, volunteer %s, account %s)\n", u.ID, u.PhoneMasked(), u.VolunteerNo, u.AccountCode)
		if generated {
			fmt.Fprintf(w, "password (shown once): %s\n", pw)
		}
		return nil
	case "grant":
		p, err := identity.NormalizePhone(*phone)
		if err != nil {
			return fmt.Errorf("%w: --phone is not a mainland mobile number", errUsage)
		}
		u, err := users.ByPhone(ctx, p)
		if err != nil {
			return err
		}
		g := access.Grant{Role: access.Role(*role)}
		switch {
		case *platform:
			g.Kind = access.Platform
		case *region != "":
			g.Kind, g.RegionCode = access.Region, org.RegionTarget(*region).RegionCode
		case *orgID != 0:
			g.Kind, g.OrgID = access.Org, *orgID
		case *storeID != 0:
			g.Kind, g.StoreID = access.Store, *storeID
		default:
			return fmt.Errorf("%w: grant needs --platform, --region, --org or --store", errUsage)
		}
		id, err := users.Grant(ctx, identity.Change{Actor: principal.Operator()}, u.ID, g)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "granted %s (%s) to user %d: grant %d\n", g.Role, g.Kind, u.ID, id)
		return nil
	case "create-region":
		r, err := orgs.CreateRegion(ctx, operatorPrincipal, org.NewRegion{Code: *code, Name: *name})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created region %s %s (level %d)\n", r.Code, r.Name, r.Level)
		return nil
	case "create-org":
		n := org.NewOrg{Name: *name, RegionCode: *region, Status: org.Status(*status), FiledBy: *filedBy,
			CreditCode: *credit, ContactName: *contact}
		if *parent != 0 {
			n.ParentID = parent
		}
		o, err := orgs.CreateOrg(ctx, operatorPrincipal, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created organization %d %s (account %s)\n", o.ID, o.Name, o.AccountCode)
		return nil
	case "create-store":
		s, err := orgs.CreateStore(ctx, operatorPrincipal, org.NewStore{OrgID: *orgID, Name: *name, Address: *address})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created store %d %s (account %s)\n", s.ID, s.Name, s.AccountCode)
		return nil
	}
	fmt.Fprintln(w, adminUsage)
	return fmt.Errorf("%w: unknown admin command %q", errUsage, args[0])
}

// randomPassword returns a password of 16 random URL-safe characters.
func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
