package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// A busy machine (the whole suite at once) may keep Redis from answering within the default
	// 250 ms; a projection timed out leaves Redis alone for a second, and the tests that read a
	// balance from Redis right after a posting would see PostgreSQL's. The tests of Redis outages
	// make their own ledger.
	opt := ledger.Options{RedisPrefix: prefix, RedisTimeout: 5 * time.Second}
	return &env{l: ledger.New(db, rdb, opt), db: db, rdb: rdb, prefix: prefix}
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

// together runs fn(0), …, fn(n-1) in n goroutines released at one moment (a closed channel), so
// that they really race, and waits for all of them.
func together(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range n {
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// holdReq builds a hold request with a fresh idempotency key.
func holdReq(from, to string, amount int64, expires time.Time) ledger.HoldRequest {
	return ledger.HoldRequest{From: from, To: to, Amount: amount, ExpiresAt: expires, IdempotencyKey: key(), CreatedBy: "test"}
}

// hashRows reads an account's projection straight from Redis, a one-row account's bucket field or
// a split account's hash, and returns its rows (posted, pending, version per slot); ok is false when
// Redis misses the account or holds only part of its rows.
func hashRows(t *testing.T, rdb redis.UniversalClient, prefix, code string) (rows [][3]int64, ok bool) {
	t.Helper()
	m, err := oneRow(rdb, prefix, code)
	if err != nil {
		t.Fatalf("HGET %s: %v", code, err)
	}
	if len(m) == 0 {
		_, _, hash := ledger.RedisKeys(prefix, code)
		if m, err = rdb.HGetAll(context.Background(), hash).Result(); err != nil {
			t.Fatalf("HGETALL %s: %v", code, err)
		}
	}
	n, err := strconv.Atoi(m["n"])
	if err != nil || n < 1 {
		return nil, false
	}
	rows = make([][3]int64, n)
	for i := range n {
		for j, f := range []string{"p", "h", "v"} {
			v, err := strconv.ParseInt(m[f+strconv.Itoa(i)], 10, 64)
			if err != nil {
				return nil, false
			}
			rows[i][j] = v
		}
	}
	return rows, true
}

// oneRow reads a one-row account's bucket field "posted:pending:version" as a split account's hash
// would hold it (p0, h0, v0 and n = 1); it is empty when Redis has no field for the account.
func oneRow(rdb redis.UniversalClient, prefix, code string) (map[string]string, error) {
	bucket, field, _ := ledger.RedisKeys(prefix, code)
	s, err := rdb.HGet(context.Background(), bucket, field).Result()
	if errors.Is(err, redis.Nil) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%s: field %q", code, s)
	}
	return map[string]string{"p0": parts[0], "h0": parts[1], "v0": parts[2], "n": "1"}, nil
}

// forget deletes a one-row account's projection from Redis, as a lost key would be.
func forget(t *testing.T, rdb redis.UniversalClient, prefix, code string) {
	t.Helper()
	bucket, field, _ := ledger.RedisKeys(prefix, code)
	if n, err := rdb.HDel(context.Background(), bucket, field).Result(); err != nil || n != 1 {
		t.Fatalf("HDEL %s %s: %d %v", bucket, field, n, err)
	}
}

// sumRows adds up rows into an account's totals (posted, pending, version).
func sumRows(rows [][3]int64) (total [3]int64) {
	for _, r := range rows {
		total[0], total[1], total[2] = total[0]+r[0], total[1]+r[1], total[2]+r[2]
	}
	return total
}

// pgRows reads an account's balance rows (posted, pending, version per slot) from PostgreSQL.
func pgRows(t *testing.T, db *sqlx.DB, code string) [][3]int64 {
	t.Helper()
	rows, err := db.Query(`SELECT b.posted, b.pending, b.version FROM ledger_balances b
		JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = $1 ORDER BY b.slot`, code)
	if err != nil {
		t.Fatalf("balance rows of %s: %v", code, err)
	}
	defer rows.Close()
	var out [][3]int64
	for rows.Next() {
		var r [3]int64
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no balance rows for %s", code)
	}
	return out
}

// sameProjection fails the test unless Redis holds exactly PostgreSQL's balance rows for the account.
func sameProjection(t *testing.T, db *sqlx.DB, rdb redis.UniversalClient, prefix, code string) {
	t.Helper()
	want := pgRows(t, db, code)
	got, ok := hashRows(t, rdb, prefix, code)
	if !ok || !slices.Equal(got, want) {
		t.Fatalf("%s: redis rows %v (complete %v), postgres rows %v", code, got, ok, want)
	}
}
