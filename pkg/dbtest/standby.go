package dbtest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// NewStandby makes a streaming replica of the cluster: a base backup taken with pg_basebackup -R
// (which writes the connection to the primary and standby.signal), started on a free port of its
// own as a hot standby. It is stopped and removed when the test ends.
func (s *PostgresServer) NewStandby() *PostgresServer {
	s.t.Helper()
	hba := filepath.Join(s.data, "pg_hba.conf")
	b, err := os.ReadFile(hba)
	if err != nil {
		s.t.Fatal(err)
	}
	if !strings.Contains(string(b), "host    replication     all             127.0.0.1/32") {
		// initdb writes this entry; a cluster made otherwise gets it, and the primary reloads.
		if err := os.WriteFile(hba, append(b, "\nhost replication all 127.0.0.1/32 trust\n"...), 0o600); err != nil {
			s.t.Fatal(err)
		}
		if err := s.pgctl("reload"); err != nil {
			s.t.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp("", "timebank-pg-standby-")
	if err != nil {
		s.t.Fatal(err)
	}
	r := &PostgresServer{t: s.t, Port: FreePort(s.t), bin: s.bin, dir: dir, data: filepath.Join(dir, "data")}
	s.t.Cleanup(func() {
		r.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if uid, gid := ownerOf(s.dir); os.Geteuid() == 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			s.t.Fatal(err)
		}
	}
	out, err := r.command("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "postgres",
		"-D", r.data, "-R", "-X", "stream", "-c", "fast").CombinedOutput()
	if err != nil {
		s.t.Fatalf("dbtest: pg_basebackup: %v\n%s", err, out)
	}
	r.Start()
	return r
}

// ownerOf returns the uid and gid owning path (the cluster's folder: postgres's when run as root).
func ownerOf(path string) (int, int) {
	if fi, err := os.Stat(path); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			return int(st.Uid), int(st.Gid)
		}
	}
	return os.Getuid(), os.Getgid()
}

// WaitReplayed waits until the standby has replayed everything the primary has written so far.
func (s *PostgresServer) WaitReplayed(primary *PostgresServer) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, r := primary.open("timebank"), s.open("timebank")
	defer p.Close()
	defer r.Close()
	var lsn string
	if err := p.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		s.t.Fatalf("dbtest: primary's position: %v", err)
	}
	for {
		var done bool
		err := r.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&done)
		if err == nil && done {
			return
		}
		select {
		case <-ctx.Done():
			s.t.Fatalf("dbtest: the standby did not replay up to %s: %v", lsn, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Exec runs a statement on the database timebank of the cluster (a standby's pg_wal_replay_pause(),
// say).
func (s *PostgresServer) Exec(query string, args ...any) {
	s.t.Helper()
	db := s.open("timebank")
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		s.t.Fatalf("dbtest: %s: %v", query, err)
	}
}
