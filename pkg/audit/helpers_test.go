package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/dbtest"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

type env struct {
	db  *sqlx.DB
	reg *org.Registry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	return &env{db: db, reg: org.NewRegistry(db, ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix}))}
}

var operator = principal.Operator()

// regions creates the named division codes, parents first.
func (e *env) regions(t *testing.T, codes ...string) {
	t.Helper()
	for _, c := range codes {
		if _, err := e.reg.CreateRegion(context.Background(), operator, org.NewRegion{Code: c, Name: "区域 " + c}); err != nil {
			t.Fatalf("region %s: %v", c, err)
		}
	}
}

var seq int

// org creates an organization in the region: registered, or filed with the region's street when the
// region is a street or community.
func (e *env) org(t *testing.T, region string, parent int64) org.Org {
	t.Helper()
	seq++
	n := org.NewOrg{Name: fmt.Sprintf("组织 %d", seq), RegionCode: region, Status: org.Registered, CreditCode: creditCode(seq)}
	if l, _ := org.DivisionLevel(region); l >= org.Street {
		n = org.NewOrg{Name: n.Name, RegionCode: region, Status: org.Filed, FiledBy: region[:9] + "000"}
	}
	if parent != 0 {
		n.ParentID = &parent
	}
	o, err := e.reg.CreateOrg(context.Background(), operator, n)
	if err != nil {
		t.Fatalf("org in %s: %v", region, err)
	}
	return o
}

func (e *env) store(t *testing.T, orgID int64) org.Store {
	t.Helper()
	s, err := e.reg.CreateStore(context.Background(), operator, org.NewStore{OrgID: orgID, Name: "公益仓"})
	if err != nil {
		t.Fatalf("store of %d: %v", orgID, err)
	}
	return s
}

// creditCode returns the n-th of a series of valid credit codes (GB 32100, with the GB 11714 check
// of the embedded organization code).
func creditCode(n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := fmt.Sprintf("%08d", n)
	sum := 0
	for i, w := range []int{3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(body[i]-'0') * w
	}
	code := "51330481" + body + string("0123456789X0"[11-sum%11])
	sum = 0
	for i, w := range []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28} {
		sum += strings.IndexByte(alphabet, code[i]) * w
	}
	return code + string(alphabet[(31-sum%31)%31])
}
