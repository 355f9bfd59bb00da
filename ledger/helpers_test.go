package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

type env struct {
	l      *ledger.Ledger
	db     *sqlx.DB
	rdb    redis.UniversalClient
	prefix string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	return &env{l: ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix}), db: db, rdb: rdb, prefix: prefix}
}

var keySeq atomic.Int64

func key() string { return fmt.Sprintf("k-%d-%d", time.Now().UnixNano(), keySeq.Add(1)) }

func (e *env) account(t *testing.T, code, kind string, allowNegative bool) {
	t.Helper()
	if _, err := e.l.CreateAccount(context.Background(), ledger.NewAccount{Code: code, Kind: kind, AllowNegative: allowNegative}); err != nil {
		t.Fatalf("create %s: %v", code, err)
	}
}

// fund credits a volunteer account from an issuer that may go negative.
func (e *env) fund(t *testing.T, from, to string, amount int64) ledger.Result {
	t.Helper()
	res, err := e.l.Post(context.Background(), transfer(from, to, amount))
	if err != nil {
		t.Fatalf("fund %s: %v", to, err)
	}
	return res
}

func transfer(from, to string, amount int64) ledger.TransactionRequest {
	return ledger.TransactionRequest{
		Kind: ledger.TxTransfer, IdempotencyKey: key(), CreatedBy: "test",
		Postings: []ledger.PostingRequest{{Account: from, Amount: -amount}, {Account: to, Amount: amount}},
	}
}

func (e *env) verify(t *testing.T) {
	t.Helper()
	rep, err := e.l.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify found problems:\n%v", rep.Problems)
	}
}

func (e *env) pgBalance(t *testing.T, code string) ledger.Balance {
	t.Helper()
	b, err := e.l.PostgresBalance(context.Background(), code)
	if err != nil {
		t.Fatalf("balance %s: %v", code, err)
	}
	return b
}

// shop opens the accounts most tests need: an issuer, a store and a volunteer funded with minutes.
func (e *env) shop(t *testing.T, minutes int64) {
	t.Helper()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", minutes)
}
