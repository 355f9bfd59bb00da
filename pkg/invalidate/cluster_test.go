package invalidate_test

import (
	"testing"

	"timebank/pkg/dbtest"
)

// The invalidation bus on a Redis Cluster of three masters: what one instance publishes on one
// master reaches the others' subscriptions on any master.
func TestOnRedisCluster(t *testing.T) {
	dbtest.RunOnRedisCluster(t, TestNewsReachesEveryInstance)
}
