// Package dbtest gives tests a fresh PostgreSQL database and an isolated Redis namespace on the real
// servers. There are no fakes: when a server cannot be reached the test fails and says why.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
	"github.com/redis/go-redis/v9"

	"timebank/migrations"
)

// DefaultDatabaseURL and DefaultRedisURL are used when TIMEBANK_DATABASE_URL / TIMEBANK_REDIS_URL
// are not set; they match `make test`'s set-up.
const (
	DefaultDatabaseURL = "postgres://timebank:timebank@127.0.0.1:5432/timebank?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// withDB returns the URL with another database name.
func withDB(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("dbtest: bad database URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

// templateName names the migrated template after the migrations' content, so a changed migration
// gets a fresh template, and after the role that builds it: its tables belong to that role, so a
// template built by a superuser's test run would give `make test`'s own role databases it may not
// read.
func templateName(role string) string {
	h := sha256.New()
	h.Write([]byte(role))
	h.Write([]byte{0})
	_ = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return err
	})
	return "timebank_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// New creates a fresh, migrated database (a copy of a migrated template) and drops it when the test
// ends (see ahead.go for when the copy and the drop are made).
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := NewWithURL(t)
	return db
}

// NewWithURL is New, and also returns the database's URL, for a test that runs the service in a
// process of its own.
func NewWithURL(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := env("TIMEBANK_DATABASE_URL", DefaultDatabaseURL)
	srv, err := serverFor(ctx, base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	name, err := srv.take(ctx)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	url := withDB(base, name)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	t.Cleanup(func() {
		db.Close()
		srv.drop(name)
	})
	return db, url
}

// templateLock is the advisory lock around the templates: shared while a database is copied from
// one, exclusive while one is built or old ones are dropped. Test packages of checkouts with other
// migrations (and so other templates) run on the same server at the same time.
const templateLock = 7460001

// copyTemplate creates the database name as a copy of the template tpl of these migrations,
// building the template first if it does not exist. The template cannot be dropped while it is
// being copied.
func copyTemplate(ctx context.Context, admin *sql.DB, base, tpl, name string) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for built := false; ; built = true {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock_shared($1)`, templateLock); err != nil {
			return err
		}
		var exists bool
		err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists)
		if err == nil && exists {
			_, err = conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tpl))
			if err != nil {
				err = fmt.Errorf("create database: %w", err)
			}
		}
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock_shared($1)`, templateLock)
		if err != nil || exists {
			return err
		}
		if built {
			return fmt.Errorf("template %s was dropped as soon as it was built", tpl)
		}
		if err := ensureTemplate(ctx, conn, base, tpl); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
}

// ensureTemplate creates and migrates the template database once, under the exclusive lock, so
// that parallel test packages wait for the one that builds it. It drops older templates (of older
// migrations) but keeps the two newest, which other checkouts may still be using.
func ensureTemplate(ctx context.Context, conn *sql.Conn, base, tpl string) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, templateLock) //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// Newest first. Half-built templates are left over from a test run that was stopped: nobody
	// builds one while this lock is held.
	var old []string
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'timebank\_tpl\_%' ORDER BY oid DESC`)
	if err != nil {
		return err
	}
	kept := 0
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		if !strings.HasSuffix(n, "_building") && kept < 2 {
			kept++
			continue
		}
		old = append(old, n)
	}
	rows.Close()
	for _, n := range old {
		_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, n))
	}
	building := tpl + "_building"
	_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return err
	}
	db, err := sql.Open("postgres", withDB(base, building))
	if err != nil {
		return err
	}
	err = migrations.Up(ctx, db, io.Discard)
	db.Close()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, tpl))
	return err
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Redis returns a client for the test Redis and a key prefix of this test's own; the keys under it
// are deleted when the test ends (behind it: see redis_clean.go). In a test bound to a Redis
// Cluster (UseRedisCluster), and in its subtests, the client is one of that cluster.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	prefix := prefixFor()
	if c := ClusterOf(t); c != nil {
		c.took(t.Name())
		cc := c.Client()
		t.Cleanup(func() {
			if err := deleteUnder(context.Background(), cc, prefix); err != nil {
				t.Errorf("dbtest: clean the cluster: %v", err)
			}
			cc.Close()
		})
		return cc, prefix
	}
	raw := env("TIMEBANK_REDIS_URL", DefaultRedisURL)
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("dbtest: bad TIMEBANK_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("dbtest: Redis at %s is not reachable (run `make test`, which starts it): %v", opt.Addr, err)
	}
	c, err := cleanerFor(ctx, raw, opt)
	if err != nil {
		t.Fatalf("dbtest: Redis at %s: %v", opt.Addr, err)
	}
	t.Cleanup(func() {
		rdb.Close()
		c.clean(prefix)
	})
	return rdb, prefix
}

// Keys returns the keys that match pattern: on a cluster, from every master (KEYS asks only one).
func Keys(t testing.TB, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		keys, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatalf("dbtest: KEYS %s: %v", pattern, err)
		}
		return keys
	}
	var (
		mu   sync.Mutex
		keys []string
	)
	err := cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		ks, err := n.Keys(ctx, pattern).Result()
		mu.Lock()
		keys = append(keys, ks...)
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatalf("dbtest: KEYS %s: %v", pattern, err)
	}
	return keys
}

// Del deletes the keys, one a command (on a cluster they lie in different slots).
func Del(t testing.TB, rdb redis.UniversalClient, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := rdb.Del(context.Background(), k).Err(); err != nil {
			t.Fatalf("dbtest: DEL %s: %v", k, err)
		}
	}
}

// NumSub returns how many connections subscribe to channel: on a cluster, summed over every master
// (each counts only its own subscribers).
func NumSub(t testing.TB, rdb redis.UniversalClient, channel string) int64 {
	t.Helper()
	ctx := context.Background()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		n, err := rdb.PubSubNumSub(ctx, channel).Result()
		if err != nil {
			t.Fatalf("dbtest: PUBSUB NUMSUB %s: %v", channel, err)
		}
		return n[channel]
	}
	var (
		mu  sync.Mutex
		sum int64
	)
	err := cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		m, err := n.PubSubNumSub(ctx, channel).Result()
		mu.Lock()
		sum += m[channel]
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatalf("dbtest: PUBSUB NUMSUB %s: %v", channel, err)
	}
	return sum
}
