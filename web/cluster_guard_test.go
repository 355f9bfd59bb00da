package web_test

import (
	"testing"

	"timebank/pkg/dbtest"
)

// Password guessing on a Redis Cluster of three masters: counted before the check, the owner not
// locked out, no phone number or address in a key name.
func TestSignInGuardOnRedisCluster(t *testing.T) {
	t.Parallel()
	dbtest.RunOnRedisCluster(t, TestSignInGuard)
}
