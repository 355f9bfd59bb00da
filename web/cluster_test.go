package web

import (
	"testing"

	"timebank/pkg/dbtest"
)

// The service on a Redis Cluster of three masters, through HTTP: registering and signing in,
// sessions read on every request and ended by signing out, the balance stream fed by the
// projection's publications, the store's flow (holds, single-use pickup and member codes) and
// notices with their unread count and live stream. (Password guessing: cluster_guard_test.go.)
func TestOnRedisCluster(t *testing.T) {
	t.Parallel() // the cluster's start is mostly waiting: let it overlap other tests
	dbtest.RunOnRedisCluster(t, TestRegisterLoginProfile, TestLogout, TestBalanceEventsStream,
		TestStoreAPIFlow, TestNotificationsAPI, TestNotificationEventsStream)
}
