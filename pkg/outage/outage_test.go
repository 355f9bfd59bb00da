package outage_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/outage"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestIs(t *testing.T) {
	ctx := context.Background()
	port := closedPort(t)
	db, err := sqlx.Open("postgres", fmt.Sprintf("postgres://x@127.0.0.1:%d/x?sslmode=disable&connect_timeout=2", port))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, pgDown := db.ExecContext(ctx, `SELECT 1`)
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1})
	defer rdb.Close()
	redisDown := rdb.Get(ctx, "k").Err()
	closed := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	closed.Close()
	redisClosed := closed.Get(ctx, "k").Err()

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"PostgreSQL refuses the connection", pgDown, true},
		{"wrapped", fmt.Errorf("store: place order: %w", pgDown), true},
		{"Redis refuses the connection", redisDown, true},
		{"Redis client closed", redisClosed, true},
		{"admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"starting up", &pq.Error{Code: "57P03"}, true},
		{"connection failure", &pq.Error{Code: "08006"}, true},
		{"too many connections", &pq.Error{Code: "53300"}, true},
		{"deadlock, ended to let others go on", &pq.Error{Code: "40P01"}, true},
		{"serialization failure", &pq.Error{Code: "40001"}, true},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"check violation", &pq.Error{Code: "23514"}, false},
		{"query canceled", &pq.Error{Code: "57014"}, false},
		{"key missing", redis.Nil, false},
		{"a bug", errors.New("index out of range"), false},
		{"nil", nil, false},
	} {
		if c.want && c.err == nil {
			t.Fatalf("%s: the provoked error is nil", c.name)
		}
		if got := outage.Is(c.err); got != c.want {
			t.Errorf("%s: Is(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
