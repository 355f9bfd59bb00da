package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// PostgresServer is a PostgreSQL cluster of the test's own (initdb in a temporary folder, on a
// free loopback port), for tests that kill backends or stop the server: the shared server is never
// touched. Local connections are trusted; the database "timebank" exists.
type PostgresServer struct {
	t    testing.TB
	Port int
	bin  string // the folder of initdb, pg_ctl and postgres
	dir  string
	data string
}

// NewPostgresServer creates and starts the cluster and removes it when the test ends. As root it
// runs the server as the postgres user, which PostgreSQL requires.
func NewPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		t.Fatal("dbtest: initdb not found under /usr/lib/postgresql (run `make test`, which installs PostgreSQL)")
	}
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) < version(matches[j]) })
	dir, err := os.MkdirTemp("", "timebank-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &PostgresServer{t: t, Port: FreePort(t), bin: filepath.Dir(matches[len(matches)-1]), dir: dir,
		data: filepath.Join(dir, "data")}
	t.Cleanup(func() {
		s.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("dbtest: as root the cluster runs as postgres, which does not exist: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.command("initdb", "-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--no-locale").CombinedOutput(); err != nil {
		t.Fatalf("dbtest: initdb: %v\n%s", err, out)
	}
	s.Start()
	db := s.open("postgres")
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE timebank`); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	return s
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// command runs a PostgreSQL program as the postgres user when the test runs as root.
func (s *PostgresServer) command(prog string, args ...string) *exec.Cmd {
	path := filepath.Join(s.bin, prog)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (s *PostgresServer) pgctl(args ...string) error {
	out, err := s.command("pg_ctl", append([]string{"-D", s.data, "-w", "-t", "60"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// URL is the connection URL of database name.
func (s *PostgresServer) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name)
}

func (s *PostgresServer) open(name string) *sql.DB {
	db, err := sql.Open("postgres", s.URL(name))
	if err != nil {
		s.t.Fatal(err)
	}
	return db
}

// Start starts the server and waits until it accepts connections.
func (s *PostgresServer) Start() {
	s.t.Helper()
	// WAL for a streaming replica (NewStandby); a standby takes the same settings.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200 -c wal_level=replica "+
		"-c max_wal_senders=4", s.Port, s.dir)
	if err := s.pgctl("start", "-l", filepath.Join(s.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.t.Fatalf("dbtest: %v\n%s", err, log)
	}
}

// Stop stops the server: mode "immediate" is a crash (recovery from the WAL at the next start),
// "fast" a clean shutdown that ends every session.
func (s *PostgresServer) Stop(mode string) {
	s.t.Helper()
	if err := s.pgctl("stop", "-m", mode); err != nil {
		s.t.Fatalf("dbtest: %v", err)
	}
}

// KillBackends sends SIGKILL to every client backend, as the OOM killer would to one: the
// postmaster then ends every session and recovers. It returns how many it killed.
func (s *PostgresServer) KillBackends() int {
	s.t.Helper()
	db := s.open("postgres")
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err != nil {
		s.t.Fatalf("dbtest: backends: %v", err)
	}
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err == nil {
			pids = append(pids, pid)
		}
	}
	rows.Close()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids)
}
