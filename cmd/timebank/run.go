package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
	"github.com/redis/go-redis/v9"

	"timebank/pkg/app"
	"timebank/pkg/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: timebank <command> [flags]

commands:
  serve [--migrate]        serve the web app and API (TIMEBANK_ADDR, default :8080)
  migrate up|down|status   apply, roll back or list database migrations
  demo                     load demo data (idempotent)
  admin <command>          first set-up: create-user, grant, create-region, create-org, create-store
  reconcile                compare Redis balances with PostgreSQL and repair them
  verify [--full] [--jobs N]
                           check every invariant (by default what came after the last clean
                           check, and the whole tables' invariants); exits 1 if anything is off
  report rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                           recompute the daily figures of reports from scratch (default: all days)
  certificate keys|rotate-key
                           list the keys that sign certificates, or sign from now on with the next
  keys rotate [--to N] [--batch N]
                           re-seal every sealed column (care registry, service requests) under a new
                           key version; care rotate-key is another name for it
  bench ledger|http        measure posting throughput (see README)
  bench checkin            measure a check-in storm through the HTTP API (see README)
  bench redeem             measure orders placed and handed out through the HTTP API (see README)
  bench scale [--scale F]  load a province (or a fraction) into a database of its own and measure it
  healthcheck              ask the local server's /healthz (for container health checks)
  version                  print the version

configuration comes from TIMEBANK_* environment variables (see README).`

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

// errFailed marks a command that ran and found a problem, already reported (exit status 1).
var errFailed = errors.New("check failed")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program: it reads the configuration and dispatches to the command.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	if args[0] == "version" {
		fmt.Fprintln(stdout, "timebank", version)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, rest)
	case "migrate":
		return migrateCmd(ctx, cfg, rest, stdout)
	case "demo":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return demo(ctx, d, stdout) })
	case "admin":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return admin(ctx, d, rest, getenv, stdout) })
	case "reconcile":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return reconcile(ctx, d, stdout) })
	case "verify":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return verifyCmd(ctx, d, rest, stdout, stderr) })
	case "report":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return reportCmd(ctx, d, rest, stdout) })
	case "certificate":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return certificateCmd(ctx, d, rest, stdout) })
	case "keys":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return keysCmd(ctx, d, rest, stdout) })
	case "care":
		return withServices(ctx, cfg, log, func(d *app.Services) error { return careCmd(ctx, d, rest, stdout) })
	case "bench":
		if len(rest) > 0 && rest[0] == "checkin" {
			return benchCheckin(ctx, cfg, rest[1:], stdout)
		}
		if len(rest) > 0 && rest[0] == "scale" {
			return benchScale(ctx, cfg, rest[1:], stdout)
		}
		if len(rest) > 0 && rest[0] == "redeem" {
			return benchRedeem(ctx, cfg, rest[1:], stdout)
		}
		return bench(ctx, cfg, rest, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openDB(ctx context.Context, cfg config.Config) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	db.SetMaxOpenConns(cfg.DBMaxConns)
	db.SetMaxIdleConns(cfg.DBMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: cannot reach PostgreSQL: %w", err)
	}
	return db, nil
}

// openRedis connects to one Redis, or to a cluster when TIMEBANK_REDIS_URL lists several
// host:port addresses separated by commas, or names more with addr= (a cluster that wants a
// password: redis://user:password@host1:6379?addr=host2:6379&addr=host3:6379).
func openRedis(ctx context.Context, cfg config.Config) (redis.UniversalClient, error) {
	// ContextTimeoutEnabled: a caller's deadline (the ledger's 250 ms for the projection write)
	// bounds the socket wait, not only the one-second read timeout. RESP2: the service uses no RESP3
	// feature, and RESP2 replies cost the client less to read.
	opts := &redis.UniversalOptions{DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		ContextTimeoutEnabled: true, Protocol: 2}
	if strings.Contains(cfg.RedisURL, ",") {
		opts.Addrs = strings.Split(cfg.RedisURL, ",")
	} else if u, err := url.Parse(cfg.RedisURL); err == nil && u.Query().Has("addr") {
		o, err := redis.ParseClusterURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		opts.Addrs, opts.Username, opts.Password, opts.TLSConfig = o.Addrs, o.Username, o.Password, o.TLSConfig
	} else {
		o, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		opts.Addrs, opts.DB, opts.Username, opts.Password, opts.TLSConfig = []string{o.Addr}, o.DB, o.Username, o.Password, o.TLSConfig
	}
	opts.PoolSize = cfg.DBMaxConns * 2
	rdb := redis.NewUniversalClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		// The client keeps trying; the caller decides whether it can work without Redis for now.
		return rdb, fmt.Errorf("%w: cannot reach %s: %v", errRedisDown, strings.Join(opts.Addrs, ","), err)
	}
	return rdb, nil
}

// errRedisDown means Redis did not answer at start-up.
var errRedisDown = errors.New("redis")

// withServices opens PostgreSQL and Redis, builds the services over them, runs fn and closes the
// connections again.
func withServices(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(*app.Services) error) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		if rdb != nil {
			rdb.Close()
		}
		return err
	}
	defer rdb.Close()
	svc, err := app.New(cfg, log, db, rdb)
	if err != nil {
		return err
	}
	defer svc.Close()
	return fn(svc)
}
