package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// Copying the template and dropping a database are the slow part of a test that needs few rows:
// a drop makes PostgreSQL checkpoint, and on a busy machine either takes seconds. So a process
// copies the next test's database while the current test runs, and drops a finished test's
// database behind it, in goroutines of its own. What a process leaves when it exits (the copy no
// test asked for, drops not yet done) is dropped by the next process that asks for a database.

// server is this process's side of one PostgreSQL server's test databases.
type server struct {
	base  string  // the URL of the database that copies and drops are sent to
	tpl   string  // the migrated template of this checkout
	admin *sql.DB // connections to base, for the whole process
	// ownerConn is held open for the whole process: while it is there, no other process drops
	// this one's databases.
	ownerConn *sql.Conn
	drops     chan string

	mu    sync.Mutex
	asked int        // databases asked for
	next  chan ahead // the copy being made for the next test, nil when none
}

// ahead is a database copied before it was asked for.
type ahead struct {
	name string
	err  error
}

// ownerApp prefixes the name of every test process's owner connections to PostgreSQL and Redis: a
// database or key whose owner has no such connection any more belongs to a process that has ended.
const ownerApp = "timebank-dbtest-"

// ownedName matches the names of test databases and captures their owner.
var ownedName = regexp.MustCompile(`^timebank_test_([0-9a-f]{8})_[0-9a-f]+$`)

var (
	serversMu sync.Mutex
	servers   = map[string]*server{}
)

// serverFor returns the process's side of the server of base, connecting on first use.
func serverFor(ctx context.Context, base string) (*server, error) {
	serversMu.Lock()
	defer serversMu.Unlock()
	if s := servers[base]; s != nil {
		return s, nil
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*server, error) {
		admin.Close()
		return nil, err
	}
	if err := admin.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("PostgreSQL at %s is not reachable (run `make test`, which starts it): %w", redact(base), err))
	}
	var role string
	if err := admin.QueryRowContext(ctx, `SELECT current_user`).Scan(&role); err != nil {
		return fail(err)
	}
	s := &server{base: base, tpl: templateName(role), admin: admin, drops: make(chan string, 4)}
	if s.ownerConn, err = admin.Conn(ctx); err != nil {
		return fail(err)
	}
	if _, err := s.ownerConn.ExecContext(ctx, `SET application_name TO '`+ownerApp+owner+`'`); err != nil {
		s.ownerConn.Close()
		return fail(err)
	}
	servers[base] = s
	go s.dropBehind()
	go s.sweep()
	return s, nil
}

// take returns the name of a fresh copy of the template for a test: the one made ahead if there is
// one, else one made now. From the second database a process asks for on, the next is copied ahead.
func (s *server) take(ctx context.Context) (string, error) {
	s.mu.Lock()
	next := s.next
	s.next = nil
	s.asked++
	more := s.asked > 1
	s.mu.Unlock()
	if next != nil {
		if a := <-next; a.err == nil {
			s.aheadIf(more)
			return a.name, nil
		}
	}
	name := s.newName()
	if err := s.make(ctx, name); err != nil {
		return "", err
	}
	s.aheadIf(more)
	return name, nil
}

// aheadIf starts copying the next test's database when asked to and none is being copied.
func (s *server) aheadIf(start bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !start || s.next != nil {
		return
	}
	next := make(chan ahead, 1)
	s.next = next
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		name := s.newName()
		err := s.make(ctx, name)
		if err != nil {
			s.drop(name)
		}
		next <- ahead{name: name, err: err}
	}()
}

func (s *server) newName() string { return "timebank_test_" + owner + "_" + randomHex(6) }

// make copies the template to name. A test database does not wait for its commits to reach the
// disk: nothing a test checks depends on a crash of the shared server.
func (s *server) make(ctx context.Context, name string) error {
	if err := copyTemplate(ctx, s.admin, s.base, s.tpl, name); err != nil {
		return err
	}
	_, err := s.admin.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s SET synchronous_commit = off`, name))
	return err
}

// drop has the database dropped behind the test, or now when several drops are waiting.
func (s *server) drop(name string) {
	select {
	case s.drops <- name:
	default:
		s.dropNow(name)
	}
}

func (s *server) dropBehind() {
	for name := range s.drops {
		s.dropNow(name)
	}
}

func (s *server) dropNow(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, _ = s.admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
}

// sweep drops the test databases of processes that have ended. A database that somebody is still
// connected to stays.
func (s *server) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := s.admin.QueryContext(ctx, `
SELECT d.datname FROM pg_database d
WHERE d.datname LIKE 'timebank\_test\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                  WHERE a.application_name = $1 || substring(d.datname from 15 for 8))`, ownerApp)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil && ownedName.MatchString(n) && ownedName.FindStringSubmatch(n)[1] != owner {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		_, _ = s.admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s`, n))
	}
}
