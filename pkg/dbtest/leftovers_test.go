package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A test's keys are gone once it has ended, and so is its database; what a process that has ended
// left (a database, keys) is swept, while what a live process owns stays.
func TestLeftoversAreSwept(t *testing.T) {
	ctx := context.Background()
	var prefix, name string
	t.Run("a test", func(t *testing.T) {
		db := New(t)
		rdb, p := Redis(t)
		prefix = p
		if err := db.Get(&name, `SELECT current_database()`); err != nil {
			t.Fatal(err)
		}
		if err := rdb.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
	srv, err := serverFor(ctx, env("TIMEBANK_DATABASE_URL", DefaultDatabaseURL))
	if err != nil {
		t.Fatal(err)
	}
	cleanersMu.Lock()
	c := cleaners[env("TIMEBANK_REDIS_URL", DefaultRedisURL)]
	cleanersMu.Unlock()
	gone := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("%s is still there", what)
			}
		}
	}
	exists := func(db string) bool {
		var n int
		if err := srv.admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, db).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	gone("the ended test's key", func() bool { return c.rdb.Exists(ctx, prefix+"k").Val() == 0 })
	gone("the ended test's database", func() bool { return !exists(name) })

	// An owner with no connection has ended; this process is alive.
	dead := "0badc0de"
	if dead == owner {
		dead = "0badc0df"
	}
	deadDB, liveDB := "timebank_test_"+dead+"_000000000001", "timebank_test_"+owner+"_000000000001"
	deadKey, liveKey := "test:"+dead+":000000000001:k", "test:"+owner+":000000000001:k"
	for _, db := range []string{deadDB, liveDB} {
		if _, err := srv.admin.Exec(fmt.Sprintf(`CREATE DATABASE %s`, db)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.drop(db) })
	}
	for _, k := range []string{deadKey, liveKey} {
		if err := c.rdb.Set(ctx, k, "v", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.rdb.Del(ctx, k) })
	}
	srv.sweep()
	c.sweep()
	if exists(deadDB) || c.rdb.Exists(ctx, deadKey).Val() != 0 {
		t.Errorf("left by an ended process: database %v, key %v", exists(deadDB), c.rdb.Exists(ctx, deadKey).Val())
	}
	if !exists(liveDB) || c.rdb.Exists(ctx, liveKey).Val() != 1 {
		t.Errorf("owned by this process: database %v, key %v", exists(liveDB), c.rdb.Exists(ctx, liveKey).Val())
	}
}
