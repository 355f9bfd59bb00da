package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/pkg/dbtest"
	"timebank/pkg/session"
)

// Signing out while the same session is read from PostgreSQL (Redis had lost it) on other
// connections: once signing out has returned, the session is refused, for good. A read that found
// the session still open must not put it back into Redis after signing out removed it there. For
// people's sessions and for devices'.
func TestSignOutRacingReads(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s, db := newStoreDB(t, rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
	t.Run("person", func(t *testing.T) {
		signOutRacingReads(t, rdb, s.RedisKey, func(round int) string {
			tok, err := s.Create(ctx, int64(round%50+1), false)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, func(tok string) bool {
			_, err := s.Get(ctx, tok)
			return err == nil
		}, func(tok string) error { return s.Delete(ctx, tok) })
	})
	t.Run("device", func(t *testing.T) {
		db.MustExec(`INSERT INTO regions (code, name, level, parent_code) VALUES ('330000000000', '浙江省', 1, NULL)`)
		var device int64
		if err := db.Get(&device, `WITH o AS (INSERT INTO organizations (name, region_code, status, filed_by, account_code)
    VALUES ('东山社区志愿服务队', '330000000000', 'filed', '330000000000', 'org:t:issued') RETURNING id)
INSERT INTO device_tokens (token_hash, label, role, org_id, created_by) SELECT '\x01', '签到屏', 'kiosk', id, 'test' FROM o
RETURNING id`); err != nil {
			t.Fatal(err)
		}
		ds := session.NewDeviceSessions(db, rdb, prefix, time.Hour)
		key := func(sid string) string { k, _ := session.DeviceSessionKey(prefix, sid); return k }
		signOutRacingReads(t, rdb, key, func(int) string {
			sid, err := ds.Start(ctx, device)
			if err != nil {
				t.Fatal(err)
			}
			return sid
		}, func(sid string) bool {
			id, err := ds.Device(ctx, sid)
			return err == nil && id != 0
		}, func(sid string) error { return ds.End(ctx, sid) })
	})
}

// signOutRacingReads starts a session a round, drops its Redis key (named by key), reads it on
// eight goroutines while it ends on a ninth, and then asks whether it still lets anyone in.
func signOutRacingReads(t *testing.T, rdb redis.UniversalClient, key func(string) string, start func(int) string,
	valid func(string) bool, end func(string) error) {
	t.Helper()
	for round := range 60 {
		tok := start(round)
		dbtest.Del(t, rdb, key(tok)) // read from PostgreSQL next
		var wg sync.WaitGroup
		begin := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-begin
				valid(tok)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			time.Sleep(time.Duration(round%8) * 100 * time.Microsecond)
			if err := end(tok); err != nil {
				t.Error(err)
			}
		}()
		close(begin)
		wg.Wait()
		if valid(tok) {
			t.Fatalf("round %d: a signed-out session still lets in", round)
		}
	}
}
