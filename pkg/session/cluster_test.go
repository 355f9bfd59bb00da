package session_test

import (
	"testing"

	"timebank/pkg/dbtest"
)

// Sessions (kept, read, ended one at a time and everywhere, cached in memory under the invalidation
// bus) and the limiter on a Redis Cluster of three masters: a person's set of sessions and each
// session lie in different slots.
func TestOnRedisCluster(t *testing.T) {
	dbtest.RunOnRedisCluster(t, TestSessionLifecycle, TestDeleteAllEndsEverySession, TestSessionsExpire,
		TestLimiterUnderConcurrency, TestSessionsKeptUntilSignedOut, TestSignOutRacingReads)
}
