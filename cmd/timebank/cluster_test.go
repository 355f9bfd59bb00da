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

// TIMEBANK_REDIS_URL naming several host:port opens a Redis Cluster client, over which the demo
// loads, reconcile fills it and repairs a lost balance and verify finds PostgreSQL and Redis agreeing.
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
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("%s opened a %T", c.URL(), rdb)
	}
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
	keys := dbtest.Keys(t, rdb, "cl:bal:*")
	if len(keys) < 3 {
		t.Fatalf("the demo's balances in the cluster: %v", keys)
	}
	dbtest.Del(t, rdb, keys[0])
	if out := cmd("reconcile"); !strings.Contains(out, ", 1 repaired") {
		t.Fatalf("reconcile after a lost balance:\n%s", out)
	}
	if out := cmd("verify"); !strings.Contains(out, "checked:") {
		t.Fatalf("verify:\n%s", out)
	}
}
