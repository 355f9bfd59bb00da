package ledger_test

import (
	"context"
	"testing"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// The projection on a Redis Cluster of three masters: postings, holds, reversals and their balances
// (the compare-by-version scripts, one bucket or one account's hash a call), reads in pipelines over the masters,
// the publication of live balances, reconciling, and a master restarted from an old snapshot or
// empty.
func TestOnRedisCluster(t *testing.T) {
	c := dbtest.RunOnRedisCluster(t, TestPostAndBalances, TestReverse, TestHoldThenFullCommit, TestHoldVoidAndReplays,
		TestHoldManyThenCommitHolds, TestBalanceReadsTogether, TestProjectionPublishesBalances, TestWatch,
		TestProjectionOlderVersionsNeverOverwriteNewer, TestBucketStaleFieldIsNeverServed)
	t.Run("TestRedisRestartIsReconciled", func(t *testing.T) {
		rdb := c.Client()
		defer rdb.Close()
		// The master that holds the account's bucket is the one that restarts.
		bucket, _, _ := ledger.RedisKeys("tb:", "vol:1")
		m, err := rdb.MasterForKey(context.Background(), bucket)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range c.Nodes {
			if n.Addr == m.Options().Addr {
				redisRestartIsReconciled(t, rdb, n, func() { c.Restart(i) })
				return
			}
		}
		t.Fatalf("no node has the address %s", m.Options().Addr)
	})
}
