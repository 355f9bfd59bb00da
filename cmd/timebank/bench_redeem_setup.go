package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// redeemWorld is what the redeem benchmark set up: one store with its items, volunteers signed in
// on their phones, and the store's counter devices.
type redeemWorld struct {
	run      string
	store    int64
	items    []int64
	users    []int64  // the volunteers
	tokens   []string // their app session tokens
	counters []string // counter device tokens of the store
}

// redeemFunding is what each volunteer is given: 100 hours, far more than the run spends.
const redeemFunding = 100 * 60

// setupRedeem makes a store with items in ample stock and volunteers with funded accounts and
// sessions, on the configured database, through the domain packages. It is not measured as
// throughput, but each step's time is printed: opening 100,000 accounts is work a real import does.
func setupRedeem(ctx context.Context, svc *app.Services, o redeemOpts, w io.Writer) (redeemWorld, error) {
	var b [2]byte
	_, _ = rand.Read(b[:])
	n := binary.BigEndian.Uint16(b[:]) % 10000 // the run's block of phone numbers: 19NNNN00000…
	world := redeemWorld{run: fmt.Sprintf("%04d", n)}
	step := func(what string, fn func() error) error {
		t0 := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("bench redeem set-up, %s: %w", what, err)
		}
		fmt.Fprintf(w, "setup: %s in %.1fs\n", what, time.Since(t0).Seconds())
		return nil
	}
	var orgID int64
	if err := step("store", func() (err error) { orgID, err = redeemStore(ctx, svc, &world); return err }); err != nil {
		return world, err
	}
	if err := step(fmt.Sprintf("%d items with stock", o.items), func() error { return redeemItems(ctx, svc, &world, o.items) }); err != nil {
		return world, err
	}
	var users []identity.User
	err := step(fmt.Sprintf("%d volunteers imported", o.volunteers), func() (err error) {
		users, err = redeemVolunteers(ctx, svc, world.run, orgID, o.volunteers)
		return err
	})
	if err != nil {
		return world, err
	}
	if err := step(fmt.Sprintf("%d accounts funded", len(users)), func() error { return redeemFund(ctx, svc.Ledger, world.run, users) }); err != nil {
		return world, err
	}
	err = step(fmt.Sprintf("%d sessions", len(users)), func() error {
		world.tokens = make([]string, len(users))
		for _, u := range users {
			world.users = append(world.users, u.ID)
		}
		return redeemParallel(len(users), 32, func(i int) (err error) {
			world.tokens[i], err = svc.Sessions.Create(ctx, users[i].ID, true)
			return err
		})
	})
	if err != nil {
		return world, err
	}
	// Fresh tables have no statistics until autovacuum comes by (never, where it is off): the
	// planner would hash whole tables to join an order's two lines. pgbench -i analyzes too.
	// Only the schema's own tables: a database-wide ANALYZE by the service's role logs a warning for
	// every shared catalog it may not analyze.
	err = step("analyze", func() error {
		var tables string
		err := svc.DB.GetContext(ctx, &tables, `SELECT string_agg(format('%I', tablename), ', ')
			FROM pg_tables WHERE schemaname = current_schema()`)
		if err == nil {
			_, err = svc.DB.ExecContext(ctx, "ANALYZE "+tables)
		}
		return err
	})
	return world, err
}

// redeemStore makes the run's organization in 硖石街道 (the region chain is made the first time)
// with its store and the store's counter devices; it returns the organization.
func redeemStore(ctx context.Context, svc *app.Services, world *redeemWorld) (int64, error) {
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}} {
		if _, err := svc.Orgs.CreateRegion(ctx, operatorPrincipal, r); err != nil && !errors.Is(err, org.ErrRegionExists) {
			return 0, err
		}
	}
	o, err := svc.Orgs.CreateOrg(ctx, operatorPrincipal, org.NewOrg{Name: "压测志愿者协会 " + world.run,
		RegionCode: "330481001000", Status: org.Filed, FiledBy: "330481001000"})
	if err != nil {
		return 0, err
	}
	st, err := svc.Orgs.CreateStore(ctx, operatorPrincipal, org.NewStore{OrgID: o.ID, Name: "压测公益仓 " + world.run})
	if err != nil {
		return 0, err
	}
	world.store = st.ID
	ch := identity.Change{Actor: principal.Operator(), RequestID: "bench-redeem"}
	for i := range 20 {
		_, token, err := svc.Users.CreateDevice(ctx, ch, access.Counter, 0, st.ID, "压测柜台 "+strconv.Itoa(i+1))
		if err != nil {
			return 0, err
		}
		world.counters = append(world.counters, token)
	}
	return o.ID, nil
}

// redeemItems lists n items, every tenth with a monthly limit no volunteer reaches (so the limit
// check runs), and brings in a lot of 100,000 units of each by donations of 50 lines.
func redeemItems(ctx context.Context, svc *app.Services, world *redeemWorld, n int) error {
	world.items = make([]int64, n)
	err := redeemParallel(n, 8, func(i int) error {
		ni := store.NewItem{Name: fmt.Sprintf("压测物品 %04d", i+1), Category: "daily", Unit: "件", Price: int64(10 + i%12*10)}
		if i%10 == 0 {
			ni.LimitQty, ni.LimitPeriod = 100, store.Month
		}
		it, err := svc.Store.CreateItem(ctx, operatorPrincipal, world.store, ni)
		world.items[i] = it.ID
		return err
	})
	if err != nil {
		return err
	}
	for from := 0; from < n; from += store.MaxLines {
		d := store.NewDonation{Donor: store.Donor{Kind: store.DonorMerchant, Name: "压测供货商"}}
		for _, id := range world.items[from:min(n, from+store.MaxLines)] {
			d.Lines = append(d.Lines, store.DonationLine{Item: id, Qty: 100_000})
		}
		key := fmt.Sprintf("bench-redeem-%s-stock-%d", world.run, from)
		if _, err := svc.Store.RecordDonation(ctx, operatorPrincipal, world.store, key, d); err != nil {
			return err
		}
	}
	return nil
}

// redeemVolunteers imports n volunteers of the organization in batches of 10,000 (one transaction
// each, as a roster import does), with the volunteer role.
func redeemVolunteers(ctx context.Context, svc *app.Services, run string, orgID int64, n int) ([]identity.User, error) {
	const batch = 10_000
	users := make([]identity.User, 0, n)
	for from := 0; from < n; from += batch {
		regs := make([]identity.Registration, min(n, from+batch)-from)
		for i := range regs {
			regs[i] = identity.Registration{Phone: fmt.Sprintf("19%s%05d", run, from+i), Name: fmt.Sprintf("压测志愿者%05d", from+i)}
		}
		tx, err := svc.DB.BeginTxx(ctx, nil)
		if err != nil {
			return nil, err
		}
		ids, err := svc.Users.ImportTx(ctx, tx, regs)
		if err == nil {
			_, err = svc.Users.GrantManyTx(ctx, tx, identity.Change{Actor: principal.Operator(), RequestID: "bench-redeem"}, ids,
				access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: orgID})
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			_ = tx.Rollback()
			if errors.Is(err, identity.ErrPhoneTaken) {
				err = fmt.Errorf("%w (phone block 19%s… used by an earlier run: run again, or on a fresh database)", err, run)
			}
			return nil, err
		}
		for i, id := range ids {
			users = append(users, identity.User{ID: id, AccountCode: "vol:" + strconv.FormatInt(id, 10), Phone: regs[i].Phone})
		}
	}
	return users, nil
}

// redeemFund gives every volunteer redeemFunding minutes, as adjustments from a system account:
// MaxPostings-1 volunteers to a transaction and 100 transactions to a database transaction.
func redeemFund(ctx context.Context, l *ledger.Ledger, run string, users []identity.User) error {
	const system = "system:bench-redeem"
	if _, err := l.EnsureAccount(ctx, ledger.NewAccount{Code: system, Kind: ledger.KindSystem, AllowNegative: true}); err != nil {
		return err
	}
	per := ledger.MaxPostings - 1
	for from := 0; from < len(users); from += per * 100 {
		err := l.InTx(ctx, func(tx *ledger.Tx) error {
			for at := from; at < min(len(users), from+per*100); at += per {
				group := users[at:min(len(users), at+per)]
				r := ledger.TransactionRequest{Kind: ledger.TxAdjust, Memo: "压测开户资金", CreatedBy: "bench",
					IdempotencyKey: fmt.Sprintf("bench-redeem-%s-fund-%d", run, at),
					Postings:       []ledger.PostingRequest{{Account: system, Amount: -redeemFunding * int64(len(group))}}}
				for _, u := range group {
					r.Postings = append(r.Postings, ledger.PostingRequest{Account: u.AccountCode, Amount: redeemFunding})
				}
				if _, _, err := tx.Post(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// redeemParallel calls fn for 0..n-1 on the given number of goroutines and returns the first error; after
// an error the remaining calls are skipped.
func redeemParallel(n, workers int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		first error
		once  sync.Once
		wg    sync.WaitGroup
		bad   atomic.Bool
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && !bad.Load(); i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					bad.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return first
}
