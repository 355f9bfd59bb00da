package org_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/org"
)

func TestCreateStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	o := e.filed(t, "硖石街道社会组织服务中心", xiashi, xiashi, nil)
	s, err := e.reg.CreateStore(ctx, admin, org.NewStore{OrgID: o.ID, Name: " 硖石公益仓 ", Address: "海宁市硖石街道"})
	if err != nil {
		t.Fatal(err)
	}
	if s.OrgID != o.ID || s.Name != "硖石公益仓" || s.Address != "海宁市硖石街道" || s.AccountCode != "store:"+itoa(s.ID)+":redeemed" {
		t.Errorf("created %+v", s)
	}
	a, err := e.l.Account(ctx, s.AccountCode)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != ledger.KindStore || !a.AllowNegative || a.Slots != 16 {
		t.Errorf("store account = %+v, want a store account that may go negative with 16 slots", a)
	}
	// The account was opened without touching Redis; the first read fills the projection from
	// PostgreSQL and the next one is served from Redis.
	for i, want := range []string{ledger.SourcePostgres, ledger.SourceRedis} {
		b, err := e.l.Balance(ctx, s.AccountCode)
		if err != nil || b.Posted != 0 || b.Source != want {
			t.Errorf("read %d: %+v, %v; want a zero balance from %s", i, b, err, want)
		}
	}
	// The accounts take postings: a redemption-shaped transfer from the organization's issuing account.
	_, err = e.l.Post(ctx, ledger.TransactionRequest{
		Kind: ledger.TxTransfer, IdempotencyKey: "store-test-1", CreatedBy: admin.Label(),
		Postings: []ledger.PostingRequest{{Account: o.AccountCode, Amount: -90}, {Account: s.AccountCode, Amount: 90}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := e.l.Balance(ctx, s.AccountCode); err != nil || b.Posted != 90 {
		t.Errorf("store balance after posting: %+v, %v", b, err)
	}

	if got, err := e.reg.Store(ctx, s.ID); err != nil || got.AccountCode != s.AccountCode || got.Name != s.Name {
		t.Errorf("Store = %+v, %v", got, err)
	}
	second, err := e.reg.CreateStore(ctx, admin, org.NewStore{OrgID: o.ID, Name: "第二公益仓"})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := e.reg.StoresOf(ctx, o.ID); err != nil || len(list) != 2 || list[0].ID != s.ID || list[1].ID != second.ID {
		t.Errorf("StoresOf = %+v, %v", list, err)
	}
	// The audit entry places the store in its organization and region.
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'store.create' AND target = $1
		AND store_id = $2 AND org_id = $3 AND region_code = $4`, "store:"+itoa(s.ID), s.ID, o.ID, xiashi); n != 1 {
		t.Errorf("audit entries: %d", n)
	}

	other := e.filed(t, "海洲街道服务中心", haizhou, haizhou, nil)
	if list, err := e.reg.StoresOf(ctx, other.ID); err != nil || len(list) != 0 {
		t.Errorf("StoresOf(no stores) = %+v, %v", list, err)
	}
	if _, err := e.reg.StoresOf(ctx, other.ID+100); !errors.Is(err, org.ErrOrgNotFound) {
		t.Errorf("StoresOf(missing org): %v", err)
	}
	if _, err := e.reg.Store(ctx, second.ID+100); !errors.Is(err, org.ErrStoreNotFound) {
		t.Errorf("Store(missing): %v", err)
	}
}

func TestCreateStoreRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	o := e.filed(t, "服务中心", xiashi, xiashi, nil)
	accounts := e.count(t, `SELECT count(*) FROM ledger_accounts`)
	tests := []struct {
		name          string
		in            org.NewStore
		err           error
		field, reason string
	}{
		{"missing org", org.NewStore{OrgID: o.ID + 1, Name: "仓"}, org.ErrOrgNotFound, "", ""},
		{"no org", org.NewStore{Name: "仓"}, org.ErrInvalid, "org_id", "required"},
		{"no name", org.NewStore{OrgID: o.ID}, org.ErrInvalid, "name", "required"},
		{"long name", org.NewStore{OrgID: o.ID, Name: strings.Repeat("仓", 101)}, org.ErrInvalid, "name", "too_long"},
		{"long address", org.NewStore{OrgID: o.ID, Name: "仓", Address: strings.Repeat("路", 201)}, org.ErrInvalid, "address", "too_long"},
		{"bad address", org.NewStore{OrgID: o.ID, Name: "仓", Address: "路\x1b"}, org.ErrInvalid, "address", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.reg.CreateStore(ctx, admin, tt.in)
			if !errors.Is(err, tt.err) || (tt.field != "" && reason(err, tt.field) != tt.reason) {
				t.Errorf("err = %v; want %v %s: %s", err, tt.err, tt.field, tt.reason)
			}
		})
	}
	if n := e.count(t, `SELECT count(*) FROM stores`); n != 0 {
		t.Errorf("%d stores", n)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_accounts`); n != accounts {
		t.Errorf("ledger accounts: %d, want %d", n, accounts)
	}
}
