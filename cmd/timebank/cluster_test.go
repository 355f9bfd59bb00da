package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"timebank/pkg/config"
	"timebank/pkg/dbtest"
)

// TIMEBANK_REDIS_URL naming several host:port (or more addresses with addr=) opens a Redis Cluster
// client, over which the demo loads, reconcile fills it and repairs a lost balance, and verify finds
// PostgreSQL and Redis agreeing.
func TestCommandsOnRedisCluster(t *testing.T) {
	ctx := context.Background()
	c := dbtest.NewRedisCluster(t)
	_, dbURL := dbtest.NewWithURL(t)
	env := map[string]string{"TIMEBANK_DATABASE_URL": dbURL, "TIMEBANK_REDIS_URL": c.URL(), "TIMEBANK_REDIS_PREFIX": "cl:"}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	// The other spelling, which can carry a password: the first address, and addr= for the others.
	withAddr := "redis://" + c.Nodes[0].Addr + "?addr=" + c.Nodes[1].Addr + "&addr=" + c.Nodes[2].Addr
	for _, u := range []string{withAddr, c.URL()} {
		cfg.RedisURL = u
		rdb, err := openRedis(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer rdb.Close()
		cc, ok := rdb.(*redis.ClusterClient)
		if !ok {
			t.Fatalf("%s opened a %T", u, rdb)
		}
		if n := len(cc.Options().Addrs); n != 3 {
			t.Fatalf("%s opened a cluster client of %d addresses", u, n)
		}
	}
	rdb, _ := openRedis(ctx, cfg)
	defer rdb.Close()
	cmd := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := run(ctx, args, getenv, &out, io.Discard); err != nil {
			t.Fatalf("timebank %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	cmd("demo")
	cmd("reconcile") // what the demo posted inside its own transactions is the relay's, which runs in serve
	keys := dbtest.Keys(t, rdb, "cl:bk:*")
	if len(keys) == 0 {
		t.Fatalf("the demo's balance buckets in the cluster: %v", keys)
	}
	fields, err := rdb.HKeys(ctx, keys[0]).Result()
	if err != nil || len(fields) == 0 {
		t.Fatalf("HKEYS %s: %v %v", keys[0], fields, err)
	}
	if err := rdb.HDel(ctx, keys[0], fields[0]).Err(); err != nil {
		t.Fatal(err)
	}
	if out := cmd("reconcile"); !strings.Contains(out, ", 1 repaired") {
		t.Fatalf("reconcile after a lost balance:\n%s", out)
	}
	if out := cmd("verify"); !strings.Contains(out, "checked:") {
		t.Fatalf("verify:\n%s", out)
	}
}
