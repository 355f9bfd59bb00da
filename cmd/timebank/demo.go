package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"timebank/ledger"
)

// demo loads a small, realistic set of ledger data for Haining's Xiashi street (硖石街道). Every
// write has a fixed idempotency key, so running it again changes nothing.
func demo(ctx context.Context, d deps, w io.Writer) error {
	accounts := []ledger.NewAccount{
		{Code: "org:xiashi-volunteers:issued", Kind: ledger.KindIssuer, AllowNegative: true},  // 硖石街道志愿者协会
		{Code: "org:dongshan-community:issued", Kind: ledger.KindIssuer, AllowNegative: true}, // 东山社区志愿服务队
		{Code: "store:xiashi-gyc:redeemed", Kind: ledger.KindStore, AllowNegative: true},      // 硖石街道公益仓
		{Code: "pool:xiashi-elderly", Kind: ledger.KindPool},                                  // 敬老互助池
		{Code: "vol:demo-1", Kind: ledger.KindVolunteer},                                      // 王秀英
		{Code: "vol:demo-2", Kind: ledger.KindVolunteer},                                      // 李建国
		{Code: "vol:demo-3", Kind: ledger.KindVolunteer},                                      // 张丽华
		{Code: "vol:demo-4", Kind: ledger.KindVolunteer},                                      // 陈志强
	}
	for _, a := range accounts {
		if _, err := d.ledger.EnsureAccount(ctx, a); err != nil {
			return fmt.Errorf("demo account %s: %w", a.Code, err)
		}
	}
	type move struct {
		key, kind, memo, from, to string
		minutes                   int64
	}
	moves := []move{
		{"demo:earn:1", ledger.TxEarn, "为老服务：东山社区独居老人探访", "org:xiashi-volunteers:issued", "vol:demo-1", 180},
		{"demo:earn:2", ledger.TxEarn, "环境保护：洛塘河河道清理", "org:xiashi-volunteers:issued", "vol:demo-2", 150},
		{"demo:earn:3", ledger.TxEarn, "文明实践：新时代文明实践站值班", "org:dongshan-community:issued", "vol:demo-3", 240},
		{"demo:earn:4", ledger.TxEarn, "为老服务：助餐点送餐", "org:dongshan-community:issued", "vol:demo-1", 90},
		{"demo:earn:5", ledger.TxEarn, "交通劝导：西山公园路口文明劝导", "org:xiashi-volunteers:issued", "vol:demo-4", 120},
		{"demo:redeem:1", ledger.TxRedeem, "公益仓兑换：大米 5kg", "vol:demo-1", "store:xiashi-gyc:redeemed", 60},
		{"demo:redeem:2", ledger.TxRedeem, "公益仓兑换：洗衣液 2 瓶", "vol:demo-3", "store:xiashi-gyc:redeemed", 45},
		{"demo:donate:1", ledger.TxDonate, "捐赠给敬老互助池", "vol:demo-2", "pool:xiashi-elderly", 30},
	}
	for _, m := range moves {
		_, err := d.ledger.Post(ctx, ledger.TransactionRequest{
			Kind: m.kind, Memo: m.memo, Reference: m.key, IdempotencyKey: m.key, CreatedBy: "demo",
			Postings: []ledger.PostingRequest{{Account: m.from, Amount: -m.minutes}, {Account: m.to, Amount: m.minutes}},
		})
		if err != nil {
			return fmt.Errorf("demo %s: %w", m.key, err)
		}
	}
	// An open online order: 30 minutes held for the charity supermarket until tomorrow.
	_, err := d.ledger.Hold(ctx, ledger.HoldRequest{
		From: "vol:demo-4", To: "store:xiashi-gyc:redeemed", Amount: 30, Kind: ledger.TxRedeem,
		Memo: "公益仓线上订单：食用油 1 桶（待自提）", Reference: "demo:order:1", IdempotencyKey: "demo:hold:1",
		CreatedBy: "demo", ExpiresAt: time.Now().Add(24 * time.Hour).Truncate(time.Hour),
	})
	// On a later run the expiry differs, so the key conflicts: the hold from the first run stands.
	if err != nil && !errors.Is(err, ledger.ErrIdempotencyConflict) {
		return fmt.Errorf("demo hold: %w", err)
	}
	fmt.Fprintln(w, "demo data loaded (硖石街道, Haining): balances in minutes")
	for _, a := range accounts {
		b, err := d.ledger.Balance(ctx, a.Code)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-32s posted=%6d pending=%4d available=%6d\n", a.Code, b.Posted, b.Pending, b.Available)
	}
	return nil
}
