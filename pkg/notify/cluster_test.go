package notify_test

import (
	"testing"

	"timebank/pkg/dbtest"
)

// Unread counts (a hash per person, its version bumped in pipelines over the masters) and live
// notices (a pattern subscription on one master hearing what every master publishes) on a Redis
// Cluster of three masters.
func TestOnRedisCluster(t *testing.T) {
	dbtest.RunOnRedisCluster(t, TestUnreadCountKeptUntilTheInboxChanges, TestUnreadCountRacingChanges, TestWatchLive)
}
