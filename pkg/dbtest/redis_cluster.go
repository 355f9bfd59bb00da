package dbtest

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCluster is a Redis Cluster of the test's own: three masters (Debian's redis-server in cluster
// mode, no replicas) on free loopback ports, each serving a third of the 16,384 slots. It starts in
// well under a second and is killed when the test ends.
type RedisCluster struct {
	t     testing.TB
	Nodes []*RedisServer
	// takers are the names of the tests Redis gave a client of this cluster, so that
	// RunOnRedisCluster can tell a test that ran on it from one that never reached it, even when
	// the tests run in parallel.
	takersMu sync.Mutex
	takers   []string
}

// took records that the test named name was given a client of the cluster.
func (c *RedisCluster) took(name string) {
	c.takersMu.Lock()
	defer c.takersMu.Unlock()
	c.takers = append(c.takers, name)
}

// reached says whether the test named name, or one of its subtests, was given a client of the
// cluster.
func (c *RedisCluster) reached(name string) bool {
	c.takersMu.Lock()
	defer c.takersMu.Unlock()
	for _, n := range c.takers {
		if n == name || strings.HasPrefix(n, name+"/") {
			return true
		}
	}
	return false
}

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// NewRedisCluster starts the cluster and waits until every node reports it whole (cluster_state:ok,
// all slots served, every node known). It fails the test, saying why, when redis-server is missing.
func NewRedisCluster(t testing.TB) *RedisCluster {
	t.Helper()
	c := &RedisCluster{t: t}
	for range 3 {
		bus := strconv.Itoa(FreePort(t))
		c.Nodes = append(c.Nodes, newRedisServer(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-port", bus, "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "yes"))
	}
	ctx := context.Background()
	per := clusterSlots / len(c.Nodes)
	for i, n := range c.Nodes {
		lo, hi := i*per, (i+1)*per-1
		if i == len(c.Nodes)-1 {
			hi = clusterSlots - 1
		}
		rc := n.Client()
		// Distinct epochs up front, as redis-cli --cluster create sets them: no collision to resolve.
		err := rc.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err()
		if err == nil {
			err = rc.ClusterAddSlotsRange(ctx, lo, hi).Err()
		}
		if err == nil && i > 0 {
			host, port, _ := strings.Cut(n.Addr, ":")
			err = c.Nodes[0].clientDo(ctx, "CLUSTER", "MEET", host, port, n.busPort())
		}
		rc.Close()
		if err != nil {
			t.Fatalf("dbtest: cluster set-up on %s: %v", n.Addr, err)
		}
	}
	c.waitWhole()
	return c
}

func (s *RedisServer) busPort() string {
	for i, a := range s.extra {
		if a == "--cluster-port" {
			return s.extra[i+1]
		}
	}
	return ""
}

func (s *RedisServer) clientDo(ctx context.Context, args ...any) error {
	c := s.Client()
	defer c.Close()
	return c.Do(ctx, args...).Err()
}

// waitWhole waits until every node sees the whole cluster: all slots served and every node known.
func (c *RedisCluster) waitWhole() {
	c.t.Helper()
	ctx := context.Background()
	want := []string{"cluster_state:ok", "cluster_slots_ok:" + strconv.Itoa(clusterSlots),
		"cluster_known_nodes:" + strconv.Itoa(len(c.Nodes)), "cluster_size:" + strconv.Itoa(len(c.Nodes))}
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		whole := true
		for _, n := range c.Nodes {
			rc := n.Client()
			info, err := rc.ClusterInfo(ctx).Result()
			rc.Close()
			if err != nil {
				info = err.Error()
			}
			for _, w := range want {
				if !strings.Contains(info, w+"\r\n") {
					whole, last = false, n.Addr+": "+info
				}
			}
		}
		if whole {
			return
		}
	}
	c.t.Fatalf("dbtest: the Redis Cluster did not come together:\n%s", last)
}

// Addrs are the masters' addresses.
func (c *RedisCluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// URL is the cluster as TIMEBANK_REDIS_URL names it: the addresses separated by commas.
func (c *RedisCluster) URL() string { return strings.Join(c.Addrs(), ",") }

// Client returns a new cluster client, made as the service makes its own (RESP2).
func (c *RedisCluster) Client() *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), DialTimeout: time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second, ContextTimeoutEnabled: true, Protocol: 2})
}

// Restart kills one node and starts it again, from its last snapshot or empty (see RedisServer's
// Save and Forget); it keeps its slots, and the call returns once the cluster is whole again.
func (c *RedisCluster) Restart(node int) {
	c.t.Helper()
	c.Nodes[node].Kill()
	c.Nodes[node].Start()
	c.waitWhole()
}

// The tests running on a cluster: UseRedisCluster binds a cluster to a test, and Redis, called in
// that test or any of its subtests, answers with a client of the cluster instead of the shared
// Redis. So existing tests run on a cluster unchanged, called as subtests.
var (
	clustersMu sync.Mutex
	clusters   = map[string]*RedisCluster{}
)

// UseRedisCluster starts a cluster for t and its subtests (see Redis) and returns it.
func UseRedisCluster(t *testing.T) *RedisCluster {
	t.Helper()
	c := NewRedisCluster(t)
	clustersMu.Lock()
	clusters[t.Name()] = c
	clustersMu.Unlock()
	t.Cleanup(func() {
		clustersMu.Lock()
		delete(clusters, t.Name())
		clustersMu.Unlock()
	})
	return c
}

// ClusterOf returns the cluster bound to t or to a test it runs under, or nil.
func ClusterOf(t testing.TB) *RedisCluster {
	clustersMu.Lock()
	defer clustersMu.Unlock()
	for name := t.Name(); ; {
		if c, ok := clusters[name]; ok {
			return c
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return nil
		}
		name = name[:i]
	}
}

// deleteUnder deletes every key under prefix on every master of the cluster, one key a command
// (keys of one node still lie in different slots).
func deleteUnder(ctx context.Context, cc *redis.ClusterClient, prefix string) error {
	return cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		iter := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return fmt.Errorf("scan %s: %w", n.Options().Addr, err)
		}
		_, err := n.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Del(ctx, k)
			}
			return nil
		})
		return err
	})
}

// RunOnRedisCluster starts a cluster for t and runs each test as a subtest of t, named as the test
// function is, on the cluster (see UseRedisCluster): existing tests, once on the shared Redis and
// once more on a cluster. It returns the cluster.
func RunOnRedisCluster(t *testing.T, tests ...func(*testing.T)) *RedisCluster {
	t.Helper()
	c := UseRedisCluster(t)
	for _, fn := range tests {
		name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
		t.Run(name[strings.LastIndexByte(name, '.')+1:], func(t *testing.T) {
			fn(t) // a test that calls t.Parallel goes on here once the tests before it have started
			if !c.reached(t.Name()) {
				t.Errorf("%s took no Redis client of the cluster: it ran on the single Redis", name)
			}
		})
	}
	return c
}
