package dbtest

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// A test's Redis keys are found with SCAN, which walks the whole keyspace: on a Redis that also
// holds a benchmark's keys that is most of a second of Redis's time for every test. So the keys
// of ended tests are deleted behind them by one goroutine of the process, with one walk for all
// the tests that ended since the last, over the process's own keys only. What a process leaves
// when it exits is deleted by the next process that asks for a Redis prefix.

// owner names this process's databases and Redis keys, and is the name of its owner connections
// (see ownerApp): what is named after an owner with no such connection any more is left over.
var owner = randomHex(4)

// ownedKey matches the keys of test prefixes (prefixFor) and captures their owner.
var ownedKey = regexp.MustCompile(`^test:([0-9a-f]{8}):[0-9a-f]{12}:`)

// prefixFor returns a fresh key prefix of this process.
func prefixFor() string { return "test:" + owner + ":" + randomHex(6) + ":" }

// walkPause is the least time between two walks of the cleaner.
const walkPause = 2 * time.Second

// walkCount is SCAN's count: more round trips over a benchmark's keys, but each as short as the
// tests' own commands (the ledger gives its projection write 250 ms) can wait behind.
const walkCount = 1000

// cleaner deletes the keys of ended tests on one Redis.
type cleaner struct {
	rdb  *redis.Client // for the whole process
	conn *redis.Conn   // the owner connection, named, held open for the whole process
	wake chan struct{}

	mu    sync.Mutex
	ended map[string]bool // prefixes whose keys are to be deleted
}

var (
	cleanersMu sync.Mutex
	cleaners   = map[string]*cleaner{}
)

// cleanerFor returns the process's cleaner of the Redis of opt (named by raw), starting it on
// first use.
func cleanerFor(ctx context.Context, raw string, opt *redis.Options) (*cleaner, error) {
	cleanersMu.Lock()
	defer cleanersMu.Unlock()
	if c := cleaners[raw]; c != nil {
		return c, nil
	}
	c := &cleaner{rdb: redis.NewClient(opt), wake: make(chan struct{}, 1), ended: map[string]bool{}}
	c.conn = c.rdb.Conn()
	if err := c.conn.ClientSetName(ctx, ownerApp+owner).Err(); err != nil {
		c.conn.Close()
		c.rdb.Close()
		return nil, err
	}
	cleaners[raw] = c
	go c.run()
	go c.sweep()
	return c, nil
}

// clean has the keys under prefix deleted.
func (c *cleaner) clean(prefix string) {
	c.mu.Lock()
	c.ended[prefix] = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *cleaner) run() {
	for range c.wake {
		c.mu.Lock()
		ended := c.ended
		c.ended = map[string]bool{}
		c.mu.Unlock()
		c.deleteWhere("test:"+owner+":*", func(key string) bool {
			m := ownedKey.FindString(key)
			return m != "" && ended[m]
		})
		// The tests that end meanwhile are cleaned with the next walk: fewer walks of a large
		// keyspace, and nothing waits for them.
		time.Sleep(walkPause)
	}
}

// sweep deletes the keys of processes that have ended. The walk comes before the list of owners
// alive: an owner's connection is named before it writes a key, so a key seen in the walk whose
// owner is not in the later list was left over.
func (c *cleaner) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var keys []string
	iter := c.rdb.Scan(ctx, 0, "test:*", walkCount).Iterator()
	for iter.Next(ctx) {
		if m := ownedKey.FindStringSubmatch(iter.Val()); m != nil && m[1] != owner {
			keys = append(keys, iter.Val())
		}
	}
	list, err := c.rdb.ClientList(ctx).Result()
	if iter.Err() != nil || err != nil {
		return
	}
	var gone []string
	for _, k := range keys {
		if !strings.Contains(list, " name="+ownerApp+ownedKey.FindStringSubmatch(k)[1]+" ") {
			gone = append(gone, k)
		}
	}
	c.del(ctx, gone)
}

// deleteWhere deletes the keys matching pattern for which del says so.
func (c *cleaner) deleteWhere(pattern string, del func(string) bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var keys []string
	iter := c.rdb.Scan(ctx, 0, pattern, walkCount).Iterator()
	for iter.Next(ctx) {
		if del(iter.Val()) {
			keys = append(keys, iter.Val())
		}
	}
	c.del(ctx, keys)
}

func (c *cleaner) del(ctx context.Context, keys []string) {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		c.rdb.Del(ctx, keys[:n]...)
		keys = keys[n:]
	}
}
