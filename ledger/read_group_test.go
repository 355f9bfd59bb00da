package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"timebank/ledger"
)

// Balance reads made at the same moment share Redis pipelines: each of many readers on many
// accounts gets its own account's balance, from Redis, and a reader that gives up does not take
// anyone else's answer with it.
func TestBalanceReadsTogether(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	const accounts = 40
	for i := range accounts {
		code := fmt.Sprintf("vol:%d", i+1)
		e.account(t, code, ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", code, int64(10+i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for r := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 50 {
				i := (r*7 + n) % accounts
				code := fmt.Sprintf("vol:%d", i+1)
				rctx := ctx
				if n%10 == 9 { // now and then a reader that has already given up
					c, cancel := context.WithCancel(ctx)
					cancel()
					rctx = c
				}
				b, err := e.l.Balance(rctx, code)
				if rctx.Err() != nil {
					continue // it may be answered from PostgreSQL or refused; either is its own
				}
				if err != nil || b.Account != code || b.Posted != int64(10+i) || b.Source != ledger.SourceRedis {
					errs <- fmt.Errorf("reader %d read %s: %+v %v", r, code, b, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
