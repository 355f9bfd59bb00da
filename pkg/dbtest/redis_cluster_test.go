package dbtest_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"timebank/pkg/dbtest"
)

// The cluster is whole and spreads keys over its three masters; Redis, in a test bound to it,
// answers with a client of the cluster; and the cluster refuses what a single Redis allows, a
// transaction over keys of different slots (so tests on it can fail).
func TestRedisCluster(t *testing.T) {
	c := dbtest.UseRedisCluster(t)
	ctx := context.Background()
	rdb, prefix := dbtest.Redis(t)
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("Redis in a test bound to a cluster gave %T", rdb)
	}
	for i := range 30 {
		if err := rdb.Set(ctx, prefix+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range c.Nodes {
		nc := n.Client()
		size, err := nc.DBSize(ctx).Result()
		nc.Close()
		if err != nil || size == 0 {
			t.Fatalf("master %s holds %d keys (%v): the keys are not spread", n.Addr, size, err)
		}
	}
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, prefix+"a", 1, 0)
		p.Set(ctx, prefix+"b", 1, 0)
		return nil
	})
	if err == nil {
		t.Fatal("a transaction over two slots was accepted")
	}
	t.Run("subtest", func(t *testing.T) {
		sub, _ := dbtest.Redis(t)
		if _, ok := sub.(*redis.ClusterClient); !ok {
			t.Fatalf("Redis in a subtest of a test bound to a cluster gave %T", sub)
		}
	})
}
