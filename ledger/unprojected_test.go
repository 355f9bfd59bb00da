package ledger

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

// What a write to Redis failed to deliver stays owed per balance row until a write of that row's
// version or a newer one succeeds; an older version settles nothing.
func TestUnprojectedSettlesByVersion(t *testing.T) {
	u := newUnprojected(10)
	at := time.Now()
	u.add([]change{{code: "vol:1", slot: 0, version: 3, at: at}, {code: "store:1", slot: 2, version: 7, at: at}, {id: 9, replayed: true}})
	for code, want := range map[string]bool{"vol:1": true, "store:1": true, "vol:2": false, "": false} {
		if got := u.owes(code); got != want {
			t.Errorf("owes(%q) = %v, want %v", code, got, want)
		}
	}
	u.settle([]change{{code: "vol:1", slot: 0, version: 2}, {code: "store:1", slot: 1, version: 9}})
	if !u.owes("vol:1") || !u.owes("store:1") {
		t.Fatal("an older version, or another slot, settled what Redis still lacks")
	}
	u.settle([]change{{code: "vol:1", slot: 0, version: 3}, {code: "store:1", slot: 2, version: 8}})
	if u.owes("vol:1") || u.owes("store:1") || u.owing.Load() {
		t.Fatal("writes of the owed versions (or newer) should settle everything")
	}
}

// Owing all accounts ends only when the outbox was read clear of everything up to the newest
// skipped commit after the last skip: a change skipped in between (its row may have committed after
// that read, and its commit be older than the newest) keeps everything owed.
func TestUnprojectedDrainedNeedsNoSkipSinceMark(t *testing.T) {
	u := newUnprojected(1)
	t0 := time.Now()
	u.add([]change{{code: "vol:1", at: t0}, {code: "vol:2", at: t0.Add(time.Second)}})
	upTo, mark, all := u.owedAll()
	if !all || !upTo.Equal(t0.Add(time.Second)) {
		t.Fatalf("owedAll = %v %v, want all up to the newest commit", upTo, all)
	}
	u.add([]change{{code: "vol:3", at: t0}})
	if u.drained(upTo, mark); !u.owes("vol:9") {
		t.Fatal("a skip after the mark was forgotten")
	}
	upTo, mark, _ = u.owedAll()
	if u.drained(upTo.Add(-time.Microsecond), mark); !u.owes("vol:9") {
		t.Fatal("drained before the newest skipped commit ended owing all")
	}
	if u.drained(upTo, mark); u.owes("vol:9") || u.owes("vol:1") || u.owing.Load() {
		t.Fatal("drained up to the newest skipped commit should end owing")
	}
}

// Past its limit the projector owes every account, and only the relay, finding no outbox row left
// from before the newest skipped change, lets reads use Redis again.
func TestUnprojectedPastLimitOwesAllUntilRelayed(t *testing.T) {
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := New(db, rdb, Options{RedisPrefix: prefix})
	l.proj.owed = newUnprojected(2)
	ctx := context.Background()
	accounts := []NewAccount{{Code: "org:1:issued", Kind: KindIssuer, AllowNegative: true},
		{Code: "vol:1", Kind: KindVolunteer}, {Code: "vol:2", Kind: KindVolunteer}, {Code: "vol:3", Kind: KindVolunteer}}
	for _, a := range accounts {
		if _, err := l.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	post := func(to string) {
		t.Helper()
		_, err := l.Post(ctx, TransactionRequest{Kind: TxEarn, IdempotencyKey: "earn-" + to, CreatedBy: "test",
			Postings: []PostingRequest{{Account: "org:1:issued", Amount: -10}, {Account: to, Amount: 10}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	post("vol:3") // Redis has vol:3 at 10
	source := func(code string, posted int64) string {
		t.Helper()
		b, err := l.Balance(ctx, code)
		if err != nil || b.Posted != posted {
			t.Fatalf("balance of %s: %+v %v, want posted %d", code, b, err, posted)
		}
		return b.Source
	}
	if s := source("vol:3", 10); s != SourceRedis {
		t.Fatalf("vol:3 before the outage: read from %s", s)
	}

	// The breaker is open: three accounts' writes are skipped, one more than the limit.
	l.proj.downUntil.Store(time.Now().Add(time.Hour).UnixNano())
	post("vol:1")
	post("vol:2")
	if _, _, all := l.proj.owed.owedAll(); !all {
		t.Fatal("three accounts owed with a limit of two should owe all")
	}
	l.proj.downUntil.Store(0)
	if s := source("vol:3", 10); s != SourcePostgres {
		t.Fatalf("owing all, vol:3 (untouched by the skipped writes) was read from %s", s)
	}
	if _, err := l.Relay(ctx, time.Hour, 100); err != nil { // leaves the skipped rows, too young
		t.Fatal(err)
	}
	if s := source("vol:3", 10); s != SourcePostgres {
		t.Fatalf("the relay drained nothing, yet vol:3 was read from %s", s)
	}
	if n, err := l.Relay(ctx, 0, 100); err != nil || n != 3 {
		t.Fatalf("relay: %d %v, want the rows of the three postings", n, err)
	}
	for code, posted := range map[string]int64{"vol:1": 10, "vol:2": 10, "vol:3": 10, "org:1:issued": -30} {
		if s := source(code, posted); s != SourceRedis {
			t.Fatalf("after the relay %s was read from %s", code, s)
		}
	}
}
