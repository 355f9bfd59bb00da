package identity_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

func newUsers(t *testing.T) (*identity.Users, *sqlx.DB, *ledger.Ledger) {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	return identity.NewUsers(db, l, []byte("resident id key for the tests...")), db, l
}

const goodPassword = "Qiantang-river-2026"

func TestRegisterOpensAccountAndMasksID(t *testing.T) {
	users, db, l := newUsers(t)
	ctx := context.Background()
	u, err := users.Register(ctx, identity.Registration{Phone: "+86 138-0013-8000", Password: goodPassword,
		Name: " 王秀英 ", ResidentID: "11010519491231002x", PrivacyConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Phone != "13800138000" || u.Name != "王秀英" || u.AccountCode != "vol:"+strconv.FormatInt(u.ID, 10) || !strings.HasPrefix(u.VolunteerNo, "V") {
		t.Fatalf("user %+v", u)
	}
	if u.ResidentIDMasked == nil || *u.ResidentIDMasked != "1101**********002X" || u.Gender == nil || *u.Gender != "female" {
		t.Fatalf("masked ID %v gender %v", u.ResidentIDMasked, u.Gender)
	}
	if u.PhoneMasked() != "138****8000" {
		t.Fatalf("masked phone %s", u.PhoneMasked())
	}
	a, err := l.Account(ctx, u.AccountCode)
	if err != nil || a.Kind != ledger.KindVolunteer || a.AllowNegative {
		t.Fatalf("ledger account %+v %v", a, err)
	}
	// The ID number itself is nowhere in the row.
	var row string
	if err := db.Get(&row, `SELECT u::text FROM users u WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(row), "11010519491231002X") {
		t.Fatalf("the resident ID is stored in clear: %s", row)
	}
}

func TestRegisterRefusesBadInput(t *testing.T) {
	users, db, _ := newUsers(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		reg   identity.Registration
		field string
		want  string
	}{
		{"bad phone", identity.Registration{Phone: "12345", Password: goodPassword, Name: "李"}, "phone", "phone_invalid"},
		{"landline", identity.Registration{Phone: "057387654321", Password: goodPassword, Name: "李"}, "phone", "phone_invalid"},
		{"empty name", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "  "}, "name", "name_length"},
		{"long name", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: strings.Repeat("名", 51)}, "name", "name_length"},
		{"control char", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "李\x00"}, "name", "name_length"},
		{"short password", identity.Registration{Phone: "13900139000", Password: "abc123", Name: "李"}, "password", "password_short"},
		{"common password", identity.Registration{Phone: "13900139000", Password: "12345678", Name: "李"}, "password", "password_common"},
		{"phone as password", identity.Registration{Phone: "13900139000", Password: "x13900139000", Name: "李"}, "password", "password_phone"},
		{"bad ID check digit", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "李", ResidentID: "110105194912310021", PrivacyConsent: true}, "resident_id", "resident_id_checksum"},
		{"bad lang", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "李", Lang: "fr"}, "lang", "lang_invalid"},
		// Consent to the privacy notice: before an ID number is taken, and from everyone where the
		// registration asks it always (the registration page).
		{"ID number without consent", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "李", ResidentID: "11010519491231002X"}, "privacy_consent", "privacy_consent_required"},
		{"page without consent", identity.Registration{Phone: "13900139000", Password: goodPassword, Name: "李", ConsentAlways: true}, "privacy_consent", "privacy_consent_required"},
	}
	for _, c := range cases {
		_, err := users.Register(ctx, c.reg)
		var fe *fields.Error
		if !errors.As(err, &fe) || !errors.Is(err, identity.ErrInvalid) || fe.Reason(c.field) != c.want {
			t.Errorf("%s: %v, want %s=%s", c.name, err, c.field, c.want)
		}
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM users`); err != nil || n != 0 {
		t.Fatalf("%d users after refused registrations (%v)", n, err)
	}
}

// Twenty people registering one number at once: one user, one ledger account, the rest told the
// number is taken.
func TestConcurrentRegistrationOfOneNumber(t *testing.T) {
	users, db, _ := newUsers(t)
	var ok, taken atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := users.Register(context.Background(), identity.Registration{Phone: "13700137000", Password: goodPassword, Name: "张丽华"})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, identity.ErrPhoneTaken):
				taken.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || taken.Load() != 19 {
		t.Fatalf("%d registered, %d taken", ok.Load(), taken.Load())
	}
	var accounts int
	if err := db.Get(&accounts, `SELECT count(*) FROM ledger_accounts WHERE kind = 'volunteer'`); err != nil || accounts != 1 {
		t.Fatalf("%d volunteer accounts (%v)", accounts, err)
	}
	_, err := users.Register(context.Background(), identity.Registration{Phone: "13600136000", Password: goodPassword,
		Name: "甲", ResidentID: "11010519491231002X", PrivacyConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = users.Register(context.Background(), identity.Registration{Phone: "13600136001", Password: goodPassword,
		Name: "乙", ResidentID: "11010519491231002x", PrivacyConsent: true})
	if !errors.Is(err, identity.ErrResidentIDTaken) {
		t.Fatalf("second user with the same ID: %v", err)
	}
}

func TestAuthenticateAndChangePassword(t *testing.T) {
	users, _, _ := newUsers(t)
	ctx := context.Background()
	u, err := users.Register(ctx, identity.Registration{Phone: "13500135000", Password: goodPassword, Name: "陈志强"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := users.Authenticate(ctx, "135 0013 5000", goodPassword); err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
	for name, c := range map[string][2]string{
		"wrong password": {"13500135000", goodPassword + "x"},
		"unknown number": {"13500135999", goodPassword},
		"not a number":   {"hello", goodPassword},
		"huge password":  {"13500135000", strings.Repeat("x", 10000)},
	} {
		if _, err := users.Authenticate(ctx, c[0], c[1]); !errors.Is(err, identity.ErrBadCredentials) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var wrong *fields.Error
	if err := users.ChangePassword(ctx, u.ID, "wrong", "Another-good-one-77"); !errors.As(err, &wrong) || wrong.Reason("current_password") != "password_wrong" {
		t.Fatalf("change with a wrong current password: %v", err)
	}
	var fe *fields.Error
	if err := users.ChangePassword(ctx, u.ID, goodPassword, "password"); !errors.As(err, &fe) || fe.Reason("new_password") == "" {
		t.Fatalf("change to a weak password: %v", err)
	}
	if err := users.ChangePassword(ctx, u.ID, goodPassword, "Another-good-one-77"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate(ctx, "13500135000", goodPassword); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatal("the old password still works")
	}
	if _, err := users.Authenticate(ctx, "13500135000", "Another-good-one-77"); err != nil {
		t.Fatal(err)
	}
}

// seedOrg makes the region chain, an organization and a store by hand, for grants to point at.
func seedOrg(t *testing.T, db *sqlx.DB) (orgID, storeID int64) {
	t.Helper()
	db.MustExec(`INSERT INTO regions (code, name, level, parent_code) VALUES
		('330000000000', '浙江省', 1, NULL), ('330400000000', '嘉兴市', 2, '330000000000'),
		('330481000000', '海宁市', 3, '330400000000'), ('330481001000', '硖石街道', 4, '330481000000')`)
	if err := db.Get(&orgID, `INSERT INTO organizations (name, region_code, status, filed_by, account_code)
		VALUES ('东山社区志愿服务队', '330481001000', 'filed', '330481001000', 'org:t:issued') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&storeID, `INSERT INTO stores (org_id, name, account_code) VALUES ($1, '硖石公益仓', 'store:t:redeemed') RETURNING id`, orgID); err != nil {
		t.Fatal(err)
	}
	return orgID, storeID
}

func TestGrantsRevokeAndPrincipal(t *testing.T) {
	users, db, _ := newUsers(t)
	ctx := context.Background()
	orgID, storeID := seedOrg(t, db)
	u, err := users.Register(ctx, identity.Registration{Phone: "13400134000", Password: goodPassword, Name: "周敏"})
	if err != nil {
		t.Fatal(err)
	}
	ch := identity.Change{Actor: principal.Operator(), RequestID: "r1"}
	coord := access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: orgID}
	id1, err := users.Grant(ctx, ch, u.ID, coord)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := users.Grant(ctx, ch, u.ID, coord); err != nil || again != id1 {
		t.Fatalf("granting again: %d %v, want %d", again, err, id1)
	}
	if _, err := users.Grant(ctx, ch, u.ID, access.Grant{Role: access.Clerk, Kind: access.Store, StoreID: storeID}); err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]access.Grant{
		"clerk of an org":        {Role: access.Clerk, Kind: access.Org, OrgID: orgID},
		"platform admin at org":  {Role: access.PlatformAdmin, Kind: access.Org, OrgID: orgID},
		"unknown role":           {Role: "janitor", Kind: access.Org, OrgID: orgID},
		"device role to a human": {Role: access.Kiosk, Kind: access.Org, OrgID: orgID},
		"org without id":         {Role: access.Coordinator, Kind: access.Org},
	} {
		if _, err := users.Grant(ctx, ch, u.ID, g); !errors.Is(err, identity.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := users.Grant(ctx, ch, u.ID, access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: 9999}); !errors.Is(err, identity.ErrScopeNotFound) {
		t.Errorf("grant at a missing org: %v", err)
	}
	if _, err := users.Grant(ctx, ch, 9999, coord); !errors.Is(err, identity.ErrUserNotFound) {
		t.Errorf("grant to a missing user: %v", err)
	}

	p, err := users.Principal(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "周敏" || len(p.Grants) != 2 || p.Grants[0].Name != "东山社区志愿服务队" || p.Grants[1].Name != "硖石公益仓" {
		t.Fatalf("principal %+v", p)
	}
	if !p.Can(access.VerifyHours, access.Target{OrgIDs: []int64{orgID}}) {
		t.Fatal("the coordinator may not verify hours in their organization")
	}
	members, err := users.Members(ctx, orgID)
	if err != nil || len(members) != 2 || members[0].Phone != "134****4000" {
		t.Fatalf("members %+v %v", members, err)
	}

	if err := users.Revoke(ctx, ch, id1); err != nil {
		t.Fatal(err)
	}
	if err := users.Revoke(ctx, ch, id1); !errors.Is(err, identity.ErrGrantNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	p, _ = users.Principal(ctx, u.ID)
	if p.Can(access.VerifyHours, access.Target{OrgIDs: []int64{orgID}}) {
		t.Fatal("a revoked role still works")
	}
	var entries int
	if err := db.Get(&entries, `SELECT count(*) FROM audit_log WHERE action IN ('role.grant', 'role.revoke')`); err != nil || entries != 3 {
		t.Fatalf("%d audit entries (%v), want 3 (two grants, one revoke)", entries, err)
	}
	if _, err := db.Exec(`DELETE FROM audit_log`); err == nil {
		t.Fatal("the audit log can be deleted")
	}
}

func TestDeviceTokens(t *testing.T) {
	users, db, _ := newUsers(t)
	ctx := context.Background()
	orgID, storeID := seedOrg(t, db)
	ch := identity.Change{Actor: &principal.Principal{UserID: 1}}
	d, token, err := users.CreateDevice(ctx, ch, access.Counter, 0, storeID, "一号收银台")
	if err != nil {
		t.Fatal(err)
	}
	if !identity.IsDeviceToken(token) || len(token) < 40 {
		t.Fatalf("token %q", token)
	}
	var stored int
	if err := db.Get(&stored, `SELECT count(*) FROM device_tokens WHERE token_hash = $1::bytea`, []byte(token)); err != nil || stored != 0 {
		t.Fatalf("the token is stored in clear (%d, %v)", stored, err)
	}
	p, err := users.DevicePrincipal(ctx, token)
	if err != nil || p.DeviceID != d.ID || !p.Can(access.ServeCounter, access.Target{StoreID: storeID}) {
		t.Fatalf("device principal %+v %v", p, err)
	}
	if p.Can(access.ServeCounter, access.Target{StoreID: storeID + 1}) || p.Can(access.ManageStock, access.Target{StoreID: storeID}) {
		t.Fatal("the counter device may act outside its store or role")
	}
	if _, err := users.DevicePrincipal(ctx, token+"x"); !errors.Is(err, identity.ErrDeviceNotFound) {
		t.Fatalf("a wrong token: %v", err)
	}
	if _, _, err := users.CreateDevice(ctx, ch, access.Kiosk, 0, storeID, "kiosk without org"); !errors.Is(err, identity.ErrInvalid) {
		t.Fatalf("a kiosk without an organization: %v", err)
	}
	kiosk, _, err := users.CreateDevice(ctx, ch, access.Kiosk, orgID, 0, "活动签到屏")
	if err != nil {
		t.Fatal(err)
	}
	if list, err := users.Devices(ctx, orgID); err != nil || len(list) != 2 || list[0].ID != kiosk.ID {
		t.Fatalf("devices %+v %v", list, err)
	}
	if err := users.RevokeDevice(ctx, ch, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := users.DevicePrincipal(ctx, token); !errors.Is(err, identity.ErrDeviceNotFound) {
		t.Fatalf("a revoked token still works: %v", err)
	}
	if err := users.RevokeDevice(ctx, ch, d.ID); !errors.Is(err, identity.ErrDeviceNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
}
