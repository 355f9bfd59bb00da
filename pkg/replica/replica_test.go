package replica_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/dbtest"
	"timebank/pkg/replica"
)

// A replica that does not answer sends each kind of read to the primary, which answers it whole
// (a Select is not doubled by what the failed read left), counts the fallbacks, and is reported
// unreachable; without a replica every read goes to the primary and nothing is reported.
func TestReadsFallBackToThePrimary(t *testing.T) {
	ctx := context.Background()
	primary := dbtest.New(t)
	standby, err := sqlx.Open("postgres", fmt.Sprintf("postgres://x@127.0.0.1:%d/x?sslmode=disable&connect_timeout=2", dbtest.FreePort(t)))
	if err != nil {
		t.Fatal(err)
	}
	p := replica.New(primary, standby, nil)
	defer p.Close()

	nums := []int{7}
	if err := p.SelectContext(ctx, &nums, `SELECT generate_series(1, 3)`); err != nil || fmt.Sprint(nums) != "[1 2 3]" {
		t.Fatalf("select: %v %v", nums, err)
	}
	var one int
	if err := p.GetContext(ctx, &one, `SELECT 1`); err != nil || one != 1 {
		t.Fatalf("get: %d %v", one, err)
	}
	rows, err := p.QueryContext(ctx, `SELECT 2`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if st := p.Stats(); !st.Configured || !st.Down || st.Fallbacks != 3 || st.Replica != 0 {
		t.Errorf("stats after three reads with the replica down: %+v", st)
	}
	if s, ok := p.State(ctx); !ok || s.Status != "unreachable" {
		t.Errorf("state: %+v %v", s, ok)
	}
	// Without a replica every read goes to the primary, and no replica is reported.
	none := replica.New(primary, nil, nil)
	if err := none.GetContext(ctx, &one, `SELECT 5`); err != nil || one != 5 {
		t.Errorf("without a replica: %d %v", one, err)
	}
	if _, ok := none.State(ctx); ok || none.Stats().Configured || none.Stats().Fallbacks != 0 {
		t.Error("a pool without a replica reports one")
	}
}
