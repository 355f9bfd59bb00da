package qr

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

func TestSpendReplay(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := newTestSigner(t, testKey(1))
	now := time.Now()

	member, _, err := s.MemberCode(41, now)
	if err != nil {
		t.Fatal(err)
	}
	// The counter: verify, then spend, then act. A screenshot of the same code comes second.
	scan := func(tok string, want Type) error {
		c, err := s.Verify(tok, want, now)
		if err != nil {
			return err
		}
		return Spend(ctx, rdb, prefix, c)
	}
	if err := scan(member, Member); err != nil {
		t.Fatalf("first scan: %v", err)
	}
	if err := scan(member, Member); !errors.Is(err, ErrSpent) {
		t.Fatalf("screenshot replayed: %v, want ErrSpent", err)
	}
	if err := scan("https://vol.example.gov.cn/q/"+member+"\n", Member); !errors.Is(err, ErrSpent) {
		t.Fatalf("replayed as a typed URL: %v, want ErrSpent", err)
	}
	// A fresh code for the same person is a new token.
	again, _, _ := s.MemberCode(41, now)
	if err := scan(again, Member); err != nil {
		t.Fatalf("fresh member code: %v", err)
	}

	pickup, pc, _ := s.Issue(Pickup, 7001, 3, now.Add(48*time.Hour))
	if err := scan(pickup, Pickup); err != nil {
		t.Fatalf("pickup: %v", err)
	}
	if err := scan(pickup, Pickup); !errors.Is(err, ErrSpent) {
		t.Fatalf("second pickup: %v, want ErrSpent", err)
	}
	// The mark outlives the token but does not stay for ever.
	key := prefix + "qr:spent:p:" + strconv.FormatUint(pc.Nonce, 16)
	ttl, err := rdb.TTL(ctx, key).Result()
	if err != nil || ttl <= 48*time.Hour || ttl > 48*time.Hour+SpendMargin {
		t.Errorf("TTL of the spent mark = %v, %v; want just over 48h", ttl, err)
	}

	// An already expired token (a slower clock still accepting it) keeps its mark for the margin.
	late := Claims{Type: Member, Subject: 41, Expires: now.Add(-time.Hour).Unix(), Nonce: 99}
	if err := Spend(ctx, rdb, prefix, late); err != nil {
		t.Fatal(err)
	}
	ttl, _ = rdb.TTL(ctx, prefix+"qr:spent:m:63").Result()
	if ttl <= 0 || ttl > SpendMargin {
		t.Errorf("TTL of a late mark = %v, want (0, %v]", ttl, SpendMargin)
	}
}

func TestSpendRefusesReusableTokens(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	for _, c := range []Claims{
		{Type: Certificate, Subject: 1},
		{Type: CheckIn, Subject: 1, Expires: time.Now().Unix() + 60},
		{Type: Receipt, Subject: 1, Nonce: 5},
		{Type: Member, Subject: 1, Expires: time.Now().Unix() + 60},
	} {
		if err := Spend(ctx, rdb, prefix, c); !errors.Is(err, ErrNotSingleUse) {
			t.Errorf("Spend(%+v) = %v, want ErrNotSingleUse", c, err)
		}
	}
}

// TestSpendFailsClosed checks that a spend Redis never saw is an error, and not taken as a success
// or as "already spent", and that it leaves the token unspent.
func TestSpendFailsClosed(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	c := Claims{Type: Member, Subject: 8, Expires: time.Now().Unix() + 60, Nonce: 1234}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Spend(ctx, rdb, prefix, c); err == nil || errors.Is(err, ErrSpent) {
		t.Fatalf("Spend with a dead context = %v, want Redis's error", err)
	}
	if err := Spend(context.Background(), rdb, prefix, c); err != nil {
		t.Fatalf("Spend after the failed one: %v", err)
	}
}

// TestSpendConcurrent has 50 goroutines, on their own connections, spend each of several tokens at
// once: exactly one wins each time.
func TestSpendConcurrent(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := newTestSigner(t, testKey(1))
	const racers = 50
	for round := 0; round < 20; round++ {
		_, c, err := s.Issue(Pickup, int64(round+1), 2, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg            sync.WaitGroup
			mu            sync.Mutex
			won, refused  int
			start         = make(chan struct{})
			unexpectedErr error
		)
		for range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := Spend(ctx, rdb, prefix, c)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, ErrSpent):
					refused++
				default:
					unexpectedErr = err
				}
			}()
		}
		close(start)
		wg.Wait()
		if unexpectedErr != nil {
			t.Fatal(unexpectedErr)
		}
		if won != 1 || refused != racers-1 {
			t.Fatalf("round %d: %d spends won, %d refused; want 1 and %d", round, won, refused, racers-1)
		}
	}
}
