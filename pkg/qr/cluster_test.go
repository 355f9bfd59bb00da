package qr

import (
	"testing"

	"timebank/pkg/dbtest"
)

// Single-use codes (member and pickup codes) on a Redis Cluster of three masters: of many scans of
// one code at once, exactly one is taken.
func TestOnRedisCluster(t *testing.T) {
	dbtest.RunOnRedisCluster(t, TestSpendReplay, TestSpendConcurrent)
}
