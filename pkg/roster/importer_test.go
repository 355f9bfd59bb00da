package roster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
	"timebank/pkg/roster"
)

type importEnv struct {
	db    *sqlx.DB
	users *identity.Users
	im    *roster.Importer
	org   int64
}

func newImportEnv(t *testing.T) importEnv {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	users := identity.NewUsers(db, l, []byte("resident id key for the tests..."))
	db.MustExec(`INSERT INTO regions (code, name, level, parent_code) VALUES ('330000000000', '浙江省', 1, NULL)`)
	var org int64
	if err := db.Get(&org, `INSERT INTO organizations (name, region_code, status, credit_code, account_code)
		VALUES ('海宁市义工联合会', '330000000000', 'registered', '51330481MJ000123XA', 'org:t:issued') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	return importEnv{db: db, users: users, im: roster.NewImporter(db, users), org: org}
}

func (e importEnv) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

// A valid resident ID for row i (region 330481, born 1990-01-01 plus i days, with its check digit).
func residentID(i int) string {
	body := fmt.Sprintf("33048119900101%03d", i%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for k, w := range weights {
		sum += int(body[k]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

func TestImportTenThousandAllOrNothing(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("姓名,手机号\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "志愿者%d,137%08d\n", i, i)
	}
	ch := identity.Change{Actor: &principal.Principal{UserID: 1}}
	dry, err := e.im.Import(ctx, ch, e.org, strings.NewReader(b.String()), "名单.csv", true)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Imported || dry.New != 10000 || len(dry.Errors) != 0 || e.count(t, `SELECT count(*) FROM users`) != 0 {
		t.Fatalf("dry run: %+v (wrote %d users)", dry, e.count(t, `SELECT count(*) FROM users`))
	}
	rep, err := e.im.Import(ctx, ch, e.org, strings.NewReader(b.String()), "名单.csv", false)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Imported || rep.New != 10000 {
		t.Fatalf("import: %+v", rep)
	}
	if n := e.count(t, `SELECT count(*) FROM users`); n != 10000 {
		t.Fatalf("%d users", n)
	}
	if n := e.count(t, `SELECT count(*) FROM role_grants WHERE role = 'volunteer' AND revoked_at IS NULL`); n != 10000 {
		t.Fatalf("%d volunteer grants", n)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_accounts WHERE kind = 'volunteer'`); n != 10000 {
		t.Fatalf("%d ledger accounts", n)
	}
	// The same list again: everybody exists, nobody is created twice.
	again, err := e.im.Import(ctx, ch, e.org, strings.NewReader(b.String()), "名单.csv", false)
	if err != nil || again.New != 0 || again.Existing != 10000 {
		t.Fatalf("second import: %+v %v", again, err)
	}
	if n := e.count(t, `SELECT count(*) FROM users`); n != 10000 {
		t.Fatalf("%d users after importing twice", n)
	}
}

func TestImportWithABadRowImportsNobody(t *testing.T) {
	e := newImportEnv(t)
	csv := "姓名,手机号,身份证号\n王秀英,13700000001," + residentID(1) + "\n李建国,1370000000,\n张丽华,13700000003,\n"
	rep, err := e.im.Import(context.Background(), identity.Change{Actor: &principal.Principal{UserID: 1}}, e.org, strings.NewReader(csv), "a.csv", false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Reason != "phone_invalid" {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Errors[0].Message, "第 3 行") {
		t.Fatalf("message %q", rep.Errors[0].Message)
	}
	if n := e.count(t, `SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("%d users were imported from a list with a bad row", n)
	}
}

func TestImportExistingPeopleAndTakenIDs(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	ch := identity.Change{Actor: &principal.Principal{UserID: 1}}
	existing, err := e.users.Register(ctx, identity.Registration{Phone: "13600000001", Password: "Qiantang-river-2026",
		Name: "陈志强", ResidentID: residentID(7), PrivacyConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	// Row 3 gives the registered person's ID with another phone: refused, naming the line.
	csv := "姓名,手机号,身份证号\n张三,13600000009,\n冒名者,13600000002," + residentID(7) + "\n"
	rep, err := e.im.Import(ctx, ch, e.org, strings.NewReader(csv), "b.csv", false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported || len(rep.Errors) != 1 || rep.Errors[0].Reason != "resident_id_taken" || rep.Errors[0].Line != 3 {
		t.Fatalf("report %+v", rep)
	}
	for _, re := range rep.Errors {
		if strings.Contains(re.Message, residentID(7)) {
			t.Fatalf("the message shows the ID number: %q", re.Message)
		}
	}
	ok := "姓名,手机号,身份证号\n陈志强,13600000001," + residentID(7) + "\n新人,13600000003," + residentID(8) + "\n"
	rep, err = e.im.Import(ctx, ch, e.org, strings.NewReader(ok), "c.csv", false)
	if err != nil || !rep.Imported || rep.New != 1 || rep.Existing != 1 {
		t.Fatalf("report %+v %v", rep, err)
	}
	p, err := e.users.Principal(ctx, existing.ID)
	if err != nil || len(p.Grants) != 1 || p.Grants[0].OrgID != e.org {
		t.Fatalf("the registered person did not join: %+v %v", p, err)
	}

	// The imported newcomer cannot log in until they register the number, with the same ID.
	if _, err := e.users.Authenticate(ctx, "13600000003", ""); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("an imported volunteer logs in without a password: %v", err)
	}
	reg := identity.Registration{Phone: "13600000003", Password: "Nanhu-lake-2026", Name: "新人", PrivacyConsent: true}
	if _, err := e.users.Register(ctx, reg); !errors.Is(err, identity.ErrClaimNeedsResidentID) {
		t.Fatalf("claim without the ID: %v", err)
	}
	reg.ResidentID = residentID(9)
	if _, err := e.users.Register(ctx, reg); !errors.Is(err, identity.ErrClaimNeedsResidentID) {
		t.Fatalf("claim with another ID: %v", err)
	}
	reg.ResidentID = residentID(8)
	u, err := e.users.Register(ctx, reg)
	if err != nil {
		t.Fatalf("claim with the imported ID: %v", err)
	}
	if _, err := e.users.Authenticate(ctx, "13600000003", "Nanhu-lake-2026"); err != nil {
		t.Fatalf("log-in after claiming: %v", err)
	}
	if _, err := e.users.Register(ctx, reg); !errors.Is(err, identity.ErrPhoneTaken) {
		t.Fatalf("claiming twice: %v", err)
	}
	if u.VolunteerNo == "" {
		t.Fatal("the claimed user lost the volunteer number")
	}
}

func TestImportFileErrors(t *testing.T) {
	e := newImportEnv(t)
	for name, body := range map[string][]byte{
		"no phone column": []byte("姓名,年龄\n王,30\n"),
		"empty":           nil,
		"legacy xls":      append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 100)...),
	} {
		_, err := e.im.Import(context.Background(), identity.Change{Actor: &principal.Principal{UserID: 1}}, e.org, bytes.NewReader(body), "x.csv", false)
		var fe *roster.FileError
		if !errors.As(err, &fe) || fe.Text("zh-CN") == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
