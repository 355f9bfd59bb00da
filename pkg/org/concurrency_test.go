package org_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"timebank/ledger"
	"timebank/pkg/org"
)

// Twenty administrators create organizations at the same moment, on twenty connections: every one
// succeeds, with its own id and its own issuing account.
func TestConcurrentCreateOrg(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	parent := e.filed(t, "硖石街道社会组织服务中心", xiashi, xiashi, nil)
	const n = 20
	var (
		start sync.WaitGroup
		done  sync.WaitGroup
		orgs  [n]org.Org
		errs  [n]error
	)
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			req := org.NewOrg{Name: fmt.Sprintf("志愿服务队 %d", i), RegionCode: community, Status: org.Filed, FiledBy: xiashi, ParentID: &parent.ID}
			if i%2 == 0 {
				req = org.NewOrg{Name: fmt.Sprintf("协会 %d", i), RegionCode: haining, Status: org.Registered, CreditCode: creditCode(100 + i)}
			}
			start.Wait()
			orgs[i], errs[i] = e.reg.CreateOrg(ctx, admin, req)
		}()
	}
	start.Done()
	done.Wait()
	ids, accounts := map[int64]bool{}, map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("org %d: %v", i, errs[i])
		}
		ids[orgs[i].ID], accounts[orgs[i].AccountCode] = true, true
		e.checkIssuer(t, orgs[i])
	}
	if len(ids) != n || len(accounts) != n {
		t.Errorf("%d ids and %d accounts for %d organizations", len(ids), len(accounts), n)
	}
	if c := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'org.create'`); c != n+1 {
		t.Errorf("%d audit entries, want %d", c, n+1)
	}
}

// Twenty requests race to register the same credit code: one wins, the others are told the code is
// taken, and only the winner has an account.
func TestConcurrentDuplicateCreditCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	const n = 20
	var (
		start sync.WaitGroup
		done  sync.WaitGroup
		errs  [n]error
	)
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			_, errs[i] = e.reg.CreateOrg(ctx, admin, org.NewOrg{
				Name: fmt.Sprintf("协会 %d", i), RegionCode: haining, Status: org.Registered, CreditCode: creditCode(7),
			})
		}()
	}
	start.Done()
	done.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, org.ErrCreditCodeTaken):
			t.Errorf("request %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d requests won, want 1", won)
	}
	if c := e.count(t, `SELECT count(*) FROM ledger_accounts WHERE kind = $1`, ledger.KindIssuer); c != 1 {
		t.Errorf("%d issuing accounts, want 1", c)
	}
}
