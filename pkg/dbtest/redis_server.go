package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisServer is a redis-server of the test's own on a free loopback port, for tests that stop,
// kill or restart Redis: the shared one is never touched. Snapshots go to its own folder.
type RedisServer struct {
	t     testing.TB
	Addr  string
	dir   string
	cmd   *exec.Cmd
	extra []string // more arguments of redis-server (a cluster node's)
}

// NewRedisServer starts a redis-server and stops it when the test ends. It fails the test, saying
// why, when Debian's redis-server is not installed (`make test` installs it).
func NewRedisServer(t testing.TB) *RedisServer {
	t.Helper()
	return newRedisServer(t)
}

func newRedisServer(t testing.TB, extra ...string) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("dbtest: redis-server is not installed (run `make test`, which installs it): %v", err)
	}
	s := &RedisServer{t: t, Addr: fmt.Sprintf("127.0.0.1:%d", FreePort(t)), dir: t.TempDir(), extra: extra}
	s.Start()
	t.Cleanup(func() { s.Kill() })
	return s
}

// FreePort returns a loopback TCP port that nothing listened on a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dbtest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start starts the server, from the last snapshot Save wrote if there is one, and waits until it
// answers.
func (s *RedisServer) Start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	s.cmd = exec.Command("redis-server", append([]string{"--bind", "127.0.0.1", "--port", port, "--save", "",
		"--appendonly", "no", "--dir", s.dir, "--dbfilename", "dump.rdb",
		"--logfile", filepath.Join(s.dir, "redis.log")}, s.extra...)...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("dbtest: redis-server: %v", err)
	}
	c := s.Client()
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("dbtest: redis-server on %s did not answer: %v\n%s", s.Addr, err, log)
		}
	}
}

// Client returns a new client of the server.
func (s *RedisServer) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, DialTimeout: time.Second, MaxRetries: -1})
}

// Save writes a snapshot that the next Start loads.
func (s *RedisServer) Save() {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	if err := c.Save(context.Background()).Err(); err != nil {
		s.t.Fatalf("dbtest: redis SAVE: %v", err)
	}
}

// Forget removes the snapshot, so that the next Start comes back empty.
func (s *RedisServer) Forget() {
	if err := os.Remove(filepath.Join(s.dir, "dump.rdb")); err != nil && !os.IsNotExist(err) {
		s.t.Fatalf("dbtest: %v", err)
	}
}

// Kill stops the server with SIGKILL, as a crash or the OOM killer would.
func (s *RedisServer) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}
