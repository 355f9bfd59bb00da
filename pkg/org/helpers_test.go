package org_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/dbtest"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

type env struct {
	reg *org.Registry
	l   *ledger.Ledger
	db  *sqlx.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	return &env{reg: org.NewRegistry(db, l), l: l, db: db}
}

// admin is the actor of the tests' writes.
var admin = &principal.Principal{UserID: 7, Name: "管理员"}

// The Haining branch of the tree. The province, city and county codes are those of GB/T 2260; the
// street and community codes follow the statistics bureau's scheme (streets 001–099, communities
// 001 up) but were not checked against its current table.
const (
	zhejiang  = "330000000000" // 浙江省
	jiaxing   = "330400000000" // 嘉兴市
	haining   = "330481000000" // 海宁市
	xiashi    = "330481001000" // 硖石街道
	community = "330481001001" // a community of 硖石街道
	haizhou   = "330481002000" // 海洲街道
	tongxiang = "330483000000" // 桐乡市
)

// haining builds the five levels down to a community of Xiashi street, a second street of Haining
// and a second county of Jiaxing.
func (e *env) haining(t *testing.T) {
	t.Helper()
	for _, r := range []org.NewRegion{
		{Code: "330000", Name: "浙江省"},
		{Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"},
		{Code: xiashi, Name: "硖石街道"},
		{Code: community, Name: "示例社区"},
		{Code: haizhou, Name: "海洲街道"},
		{Code: "330483", Name: "桐乡市"},
	} {
		if _, err := e.reg.CreateRegion(context.Background(), admin, r); err != nil {
			t.Fatalf("create region %s: %v", r.Code, err)
		}
	}
}

// creditCode returns the n-th of a series of valid credit codes of social service organizations
// registered in Haining (52 330481 …), computed from the weights of GB 32100 and GB 11714.
func creditCode(n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := fmt.Sprintf("%08d", n)
	sum := 0
	for i, w := range []int{3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(body[i]-'0') * w
	}
	code := "52330481" + body + string("0123456789X0"[11-sum%11])
	sum = 0
	for i, w := range []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28} {
		sum += strings.IndexByte(alphabet, code[i]) * w
	}
	return code + string(alphabet[(31-sum%31)%31])
}

// registered creates a registered organization in the region.
func (e *env) registered(t *testing.T, name, region string, n int, parent *int64) org.Org {
	t.Helper()
	o, err := e.reg.CreateOrg(context.Background(), admin, org.NewOrg{
		Name: name, RegionCode: region, ParentID: parent, Status: org.Registered, CreditCode: creditCode(n),
	})
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

// filed creates an organization filed with the street.
func (e *env) filed(t *testing.T, name, region, street string, parent *int64) org.Org {
	t.Helper()
	o, err := e.reg.CreateOrg(context.Background(), admin, org.NewOrg{
		Name: name, RegionCode: region, ParentID: parent, Status: org.Filed, FiledBy: street,
	})
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// reason returns the reason the validation error gives for the field, or "" when err is not one.
func reason(err error, field string) string {
	var ve *fields.Error
	if !errors.As(err, &ve) {
		return ""
	}
	return ve.Fields()[field]
}

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
