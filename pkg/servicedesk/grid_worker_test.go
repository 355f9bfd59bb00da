package servicedesk_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/servicedesk"
)

// gridWorker registers a grid worker of the region (a community or a street), granted as an
// administrator grants it, and returns them as they sign in.
func (e *env) gridWorker(t *testing.T, region string) *access.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := e.users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("136%08d", phoneSeq.Add(1)),
		Password: "Xiashi-grid-2025", Name: "网格员"})
	if err != nil {
		t.Fatal(err)
	}
	g := access.Grant{Role: access.GridWorker, Kind: access.Region, RegionCode: region}
	if _, err := e.users.Grant(ctx, identity.Change{Actor: registrar}, u.ID, g); err != nil {
		t.Fatal(err)
	}
	return &access.Principal{Principal: principal.Principal{UserID: u.ID, Name: "网格员"}, Grants: []access.Grant{g}}
}

// carePerson adds a person of the registry living in 东山社区.
func (e *env) carePerson(t *testing.T, masked string) int64 {
	t.Helper()
	var id int64
	err := e.db.Get(&id, `
INSERT INTO care_people (region_code, categories, colour, name_masked, name_sealed, key_version,
    consent_of, consent_by, consent_at, created_by, created_at)
VALUES ('330481001001', ARRAY['alone'], 'red', $1, '\x0001'::bytea, 1, 'self', $1, now(), 'test', now()) RETURNING id`, masked)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// card is the person's card as printed (the registry signs it with the same signer).
func (e *env) card(t *testing.T, person int64) string {
	t.Helper()
	var version int64
	if err := e.db.Get(&version, `SELECT card_version FROM care_people WHERE id = $1`, person); err != nil {
		t.Fatal(err)
	}
	token, err := e.codes.Sign(qr.Claims{Type: qr.CareCard, Subject: person, Aux: version})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// Who may act for the desk's residents: the team's dispatchers and the grid workers of its
// community or street, nobody else; the one check answers the form and the API alike.
func TestGridWorkerMayActForResidents(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := org.NewRegistry(e.db, e.l).CreateRegion(ctx, registrar, org.NewRegion{Code: "330481001002", Name: "西山社区"}); err != nil {
		t.Fatal(err)
	}
	team, err := org.NewRegistry(e.db, e.l).OrgTarget(ctx, e.orgID)
	if err != nil {
		t.Fatal(err)
	}
	coord := &access.Principal{Principal: *coordinator, Grants: []access.Grant{{Role: access.Coordinator, Kind: access.Org, OrgID: e.orgID}}}
	vol := e.volunteer(t, "陈小燕")
	cases := []struct {
		who  string
		p    *access.Principal
		want bool
	}{
		{"grid worker of the community", e.gridWorker(t, "330481001001"), true},
		{"grid worker of the street", e.gridWorker(t, "330481001000"), true},
		{"grid worker of another community", e.gridWorker(t, "330481001002"), false},
		{"coordinator of the team", coord, true},
		{"volunteer of the team", &access.Principal{Principal: *vol, Grants: []access.Grant{{Role: access.Volunteer, Kind: access.Org, OrgID: e.orgID}}}, false},
		{"a device of the community", &access.Principal{Principal: principal.Principal{DeviceID: 5},
			Grants: []access.Grant{{Role: access.GridWorker, Kind: access.Region, RegionCode: "330481001001"}}}, false},
		{"nobody", nil, false},
	}
	for _, c := range cases {
		if got := servicedesk.MayActFor(c.p, team, e.desk.RegionCode); got != c.want {
			t.Errorf("%s: MayActFor = %v, want %v", c.who, got, c.want)
		}
		by, err := e.svc.OnBehalf(ctx, c.p, e.code)
		if err != nil || (by != nil) != c.want {
			t.Errorf("%s: OnBehalf = %v, %v; want acting %v", c.who, by, err, c.want)
		}
	}
	// A desk code that does not check out is the same error for everyone signed in.
	forged := e.code[:len(e.code)-2] + "AA"
	for _, p := range []*access.Principal{cases[0].p, cases[2].p, coord} {
		if _, err := e.svc.OnBehalf(ctx, p, forged); !errors.Is(err, qr.ErrBadSignature) {
			t.Errorf("forged desk code for %s: %v", p.Name, err)
		}
	}
	// A grid worker may not be granted at an organization; the role is a region's.
	_, err = e.users.Grant(ctx, identity.Change{Actor: registrar}, vol.UserID,
		access.Grant{Role: access.GridWorker, Kind: access.Org, OrgID: e.orgID})
	if !errors.Is(err, identity.ErrInvalid) {
		t.Fatalf("grid worker at an organization: %v", err)
	}
	// Nor verify hours, nor touch money.
	for _, a := range []access.Action{access.VerifyHours, access.OperateLedger, access.ServeCounter, access.AllocateAid, access.DispatchServices} {
		if cases[0].p.Can(a, team) {
			t.Errorf("a grid worker may %s", a)
		}
	}
}

// A grid worker asks for a person of the registry without an SMS code, and confirms the service
// done for them: once, however often the confirmation is sent, recorded as theirs.
func TestGridWorkerAsksAndConfirms(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := org.NewRegistry(e.db, e.l).CreateRegion(ctx, registrar, org.NewRegion{Code: "330481002000", Name: "海洲街道"}); err != nil {
		t.Fatal(err)
	}
	grid := e.gridWorker(t, "330481001001")
	person := e.carePerson(t, "王*")
	by, err := e.svc.OnBehalf(ctx, grid, e.code)
	if err != nil || by == nil {
		t.Fatalf("on behalf: %v %v", by, err)
	}
	n := e.meal("13800138021")
	n.ForSelf, n.CarePersonID, n.SMSCode = false, &person, ""
	created, err := e.svc.Create(ctx, by, "grid-1", n)
	if err != nil {
		t.Fatal(err)
	}
	id := created.Request.ID
	if got := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND submitted_by = $2`, id, by.Label()); got != 1 {
		t.Fatalf("the request does not name the grid worker who asked")
	}
	vol := e.volunteer(t, "陈小燕")
	if _, err := e.svc.Take(ctx, vol, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(4 * time.Hour)
	if _, err := e.svc.Start(ctx, vol, id, e.card(t, person)); err != nil {
		t.Fatalf("start with the person's card: %v", err)
	}
	e.clock.Add(45 * time.Minute)
	if _, err := e.svc.Finish(ctx, vol, id, "已送餐"); err != nil {
		t.Fatal(err)
	}
	if other, err := e.svc.ConfirmerOf(ctx, e.gridWorker(t, "330481002000"), id); err != nil || other != nil {
		t.Fatalf("a grid worker of another street may confirm: %v %v", other, err)
	}
	confirmer, err := e.svc.ConfirmerOf(ctx, grid, id)
	if err != nil || confirmer == nil {
		t.Fatalf("confirmer: %v %v", confirmer, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.svc.Confirm(ctx, id, servicedesk.Confirmation{By: confirmer})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("confirmations: %v", errs)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM service_records`); got != 1 {
		t.Fatalf("%d records after replayed confirmations", got)
	}
	if got := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND confirmed_via = 'grid_worker' AND confirmed_by = $2`,
		id, confirmer.Label()); got != 1 {
		t.Fatal("the confirmation is not recorded as the grid worker's")
	}
	if got := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'service_request.confirm' AND actor = $1`, confirmer.Label()); got != 1 {
		t.Fatalf("%d audit entries of the grid worker's confirmation", got)
	}
	if b := e.balance(t, vol.UserID); b <= 0 {
		t.Fatalf("the volunteer earned nothing: %d", b)
	}
	// A resident who is not in the registry is named, sealed, and masked to those who may not read it.
	n = e.meal("13800138025")
	n.ForSelf, n.SMSCode, n.Name = false, "", " 钱桂英 "
	named, err := e.svc.Create(ctx, by, "grid-2", n)
	if err != nil {
		t.Fatal(err)
	}
	if named.Request.Name != "钱桂英" {
		t.Fatalf("the resident's own view names %q", named.Request.Name)
	}
	masked, err := e.svc.Request(ctx, named.Request.ID, servicedesk.Viewer{UserID: 424242})
	if err != nil || masked.Name != "钱**" {
		t.Fatalf("masked name = %q %v", masked.Name, err)
	}
	if got := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND position(convert_to('钱桂英', 'UTF8') IN name_sealed) = 0`,
		named.Request.ID); got != 1 {
		t.Fatal("the name is stored in the clear")
	}
}

// At the door the person's card starts the request made for them, and a card of someone else
// starts nothing; the request's code stops starting it when its time is long past, or once the
// request is closed.
func TestDoorCardAndExpiry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	wang, li := e.carePerson(t, "王*"), e.carePerson(t, "李*")
	vol := e.volunteer(t, "陈小燕")
	n := e.meal("13800138022")
	n.ForSelf, n.CarePersonID, n.SMSCode = false, &wang, ""
	forWang, err := e.svc.Create(ctx, coordinator, "for-wang", n)
	if err != nil {
		t.Fatal(err)
	}
	self := e.ask(t, "13800138023", "self")
	for _, id := range []int64{forWang.Request.ID, self.Request.ID} {
		if _, err := e.svc.Take(ctx, vol, id); err != nil {
			t.Fatal(err)
		}
	}
	refused := []struct {
		name   string
		id     int64
		code   string
		reason string
	}{
		{"another person's card", forWang.Request.ID, e.card(t, li), "not_this_person"},
		{"a card for a request not for a registry person", self.Request.ID, e.card(t, wang), "not_this_person"},
		{"a card without the request", 0, e.card(t, wang), "required"},
		{"another request's code", forWang.Request.ID, visitOf(t, e, self.Request.ID), "not_this_request"},
	}
	for _, c := range refused {
		_, err := e.svc.Start(ctx, vol, c.id, c.code)
		var fe *fields.Error
		if !errors.As(err, &fe) || fe.Reason("code") != c.reason {
			t.Errorf("%s: %v, want code %s", c.name, err, c.reason)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM service_requests WHERE status = 'accepted'`); got != 2 {
		t.Fatalf("a refused scan moved a request: %d accepted", got)
	}
	door, err := e.svc.VisitCode(ctx, self.Request.ID)
	if err != nil || !door.ValidUntil.Equal(self.Request.WantedAt.Add(servicedesk.VisitValidity)) {
		t.Fatalf("door code = %+v %v", door, err)
	}
	// A code printed before codes expired is held to the same time.
	old, err := e.codes.Sign(qr.Claims{Type: qr.ServiceVisit, Subject: self.Request.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(self.Request.WantedAt.Sub(start) + servicedesk.VisitValidity + time.Minute)
	for name, code := range map[string]string{"the code": door.Token, "an old code": old} {
		if _, err := e.svc.Start(ctx, vol, self.Request.ID, code); !errors.Is(err, servicedesk.ErrVisitExpired) {
			t.Errorf("%s after its time: %v", name, err)
		}
	}
	if _, err := e.svc.Start(ctx, vol, forWang.Request.ID, e.card(t, wang)); !errors.Is(err, servicedesk.ErrVisitExpired) {
		t.Errorf("the card long after the request's time: %v", err)
	}
}

// A confirmed request's code opens nothing any more.
func TestDoorCodeOfConfirmedRequest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	vol := e.volunteer(t, "陈小燕")
	created := e.ask(t, "13800138024", "closed")
	id := created.Request.ID
	door, err := e.svc.VisitCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Take(ctx, vol, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Start(ctx, vol, 0, door.URL); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if _, err := e.svc.Finish(ctx, vol, id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Confirm(ctx, id, servicedesk.Confirmation{Access: created.Access}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Start(ctx, vol, id, door.Token); !errors.Is(err, servicedesk.ErrVisitExpired) {
		t.Fatalf("the code of a confirmed request: %v", err)
	}
}
