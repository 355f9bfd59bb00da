package main

import (
	"context"

	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/migrations"
	"timebank/pkg/app"
	"timebank/pkg/config"
)

// scaleOpts are the flags of `timebank bench scale`.
type scaleOpts struct {
	scale     float64
	db        string
	reuse     bool
	drop      bool
	dropped   bool
	loadOnly  bool
	noRebuild bool
	postRate  int
	duration  time.Duration
}

var dbName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// benchScale loads a province (or a fraction of one) into a database of its own, created on the
// configured server, and measures what matters at that size. Its Redis keys carry a prefix of
// their own. `--drop` drops the database and deletes those keys.
func benchScale(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench scale", flag.ContinueOnError)
	fs.SetOutput(w)
	var o scaleOpts
	fs.Float64Var(&o.scale, "scale", 1, "fraction of Zhejiang to load (1: 15.4 million volunteers, 262,000 organizations)")
	fs.StringVar(&o.db, "db", "timebank_scale", "database to create on the configured server (never an existing one)")
	fs.BoolVar(&o.reuse, "reuse", false, "measure a database loaded before, without loading")
	fs.BoolVar(&o.drop, "drop", false, "drop the database and its Redis keys, and stop")
	fs.BoolVar(&o.loadOnly, "load-only", false, "load and check, then stop (measure later with --reuse)")
	fs.BoolVar(&o.noRebuild, "no-rebuild", false, "with --reuse: skip rebuild, reconcile and verify (run them as commands)")
	fs.BoolVar(&o.dropped, "drop-after", false, "drop the database and its Redis keys after measuring")
	fs.IntVar(&o.postRate, "post-rate", 2000, "transactions/s offered for the posting latency")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each load test runs")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: bench scale [--scale 1] [--db timebank_scale] [--reuse] [--drop] [--drop-after]: %v", errUsage, err)
	}
	if !dbName.MatchString(o.db) {
		return fmt.Errorf("%w: --db must be a plain lower-case name", errUsage)
	}
	admin, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer admin.Close()
	scfg := cfg
	scfg.DatabaseURL = withDatabase(cfg.DatabaseURL, o.db)
	// The default database's keys are as long as production's (tb:s:bk:vol:N against tb:bk:vol:N
	// fall in the same allocation sizes), so that the memory per account measured is production's.
	scfg.RedisPrefix = cfg.RedisPrefix + "s:"
	if o.db != "timebank_scale" {
		scfg.RedisPrefix = cfg.RedisPrefix + o.db + ":"
	}
	scfg.DBMaxConns = max(cfg.DBMaxConns, 40)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.drop {
		return dropScale(ctx, admin, scfg, o.db, w)
	}
	if !o.reuse {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(o.db)); err != nil {
			return fmt.Errorf("bench scale: create database %s: %w (drop it first with --drop)", o.db, err)
		}
	}
	db, err := openDB(ctx, scfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res := scaleResult{}
	if !o.reuse {
		if err := loadAndCheck(ctx, db, o, &res, w); err != nil {
			return err
		}
	} else if err := migrations.Up(ctx, db.DB, io.Discard); err != nil {
		return err
	}
	if o.loadOnly {
		return nil
	}
	err = withServices(ctx, scfg, quiet, func(d *app.Services) error { return measureScale(ctx, d, o, &res, w) })
	if err != nil {
		return err
	}
	res.print(w)
	if err := scaleLoadTests(ctx, scfg, o, w); err != nil {
		return err
	}
	if o.dropped {
		db.Close()
		return dropScale(ctx, admin, scfg, o.db, w)
	}
	fmt.Fprintf(w, "the database %s is kept: drop it with `timebank bench scale --drop --db %s`\n", o.db, o.db)
	return nil
}

// loadAndCheck migrates the new database, loads the plan into it and checks what the load skipped.
func loadAndCheck(ctx context.Context, db *sqlx.DB, o scaleOpts, res *scaleResult, w io.Writer) error {
	if err := migrations.Up(ctx, db.DB, io.Discard); err != nil {
		return err
	}
	plan, err := planScale(o.scale, time.Now())
	if err != nil {
		return err
	}
	res.plan = plan
	fmt.Fprintf(w, "bench scale %g: %d volunteers, %d organizations, %d stores, regions %d/%d/%d/%d below the province\n",
		plan.Scale, plan.Volunteers, plan.Orgs, plan.Stores, plan.Cities, plan.Counties, plan.Streets, plan.Communities)
	// A superuser loads the tables together with triggers off (then checks the foreign keys and
	// verifies); anyone else loads them in turn with every trigger on.
	var streamed bool
	if err := db.GetContext(ctx, &streamed, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`); err != nil {
		return err
	}
	began := time.Now()
	counts, err := loadScale(ctx, db, plan, streamed, func(s string) {
		fmt.Fprintf(w, "  %6.0fs loading %s\n", time.Since(began).Seconds(), s)
	})
	if err != nil {
		return err
	}
	res.load = time.Since(began)
	res.rows = counts
	began = time.Now()
	problems, err := afterLoad(ctx, db)
	if err != nil {
		return err
	}
	res.checkLoad = time.Since(began)
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(w, "  -", p)
		}
		return fmt.Errorf("%w: the loaded data breaks %d foreign keys", errFailed, len(problems))
	}
	fmt.Fprintf(w, "  loaded %d rows in %s; sequences set, analyzed, every foreign key of the loaded tables holds (%s)\n",
		res.totalRows(), res.load.Round(time.Second), res.checkLoad.Round(time.Second))
	return nil
}

// afterLoad moves the identity sequences past the loaded ids, analyzes the tables and checks every
// foreign key of the loaded tables, which the load did not (its triggers were off). It returns the
// keys that do not hold.
func afterLoad(ctx context.Context, db *sqlx.DB) ([]string, error) {
	for _, t := range scaleTables {
		if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM `+t+`))`, t); err != nil {
			return nil, fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	var keys []struct {
		Name, Child, Col, Parent, PCol string
		Cols                           int
	}
	err := db.SelectContext(ctx, &keys, `
SELECT c.conname AS name, c.conrelid::regclass::text AS child, a.attname AS col,
       c.confrelid::regclass::text AS parent, af.attname AS pcol, cardinality(c.conkey) AS cols
  FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
  JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
 WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1) ORDER BY 1`,
		pq.Array(append(scaleTables, "regions", "ledger_balances")))
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, k := range keys {
		if k.Cols != 1 {
			return nil, fmt.Errorf("foreign key %s has %d columns: the check after loading handles one", k.Name, k.Cols)
		}
		var n int64
		q := fmt.Sprintf(`SELECT count(*) FROM %s x WHERE x.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s y WHERE y.%s = x.%s)`,
			k.Child, pq.QuoteIdentifier(k.Col), k.Parent, pq.QuoteIdentifier(k.PCol), pq.QuoteIdentifier(k.Col))
		if err := db.GetContext(ctx, &n, q); err != nil {
			return nil, fmt.Errorf("foreign key %s: %w", k.Name, err)
		}
		if n > 0 {
			bad = append(bad, fmt.Sprintf("foreign key %s: %d rows of %s point nowhere", k.Name, n, k.Child))
		}
	}
	return bad, nil
}

// dropScale drops the database and deletes the Redis keys under its prefix.
func dropScale(ctx context.Context, admin *sqlx.DB, scfg config.Config, name string, w io.Writer) error {
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		return err
	}
	rdb, err := openRedis(ctx, scfg)
	if err != nil {
		if rdb != nil {
			rdb.Close()
		}
		return err
	}
	defer rdb.Close()
	n, err := deleteByPrefix(ctx, rdb, scfg.RedisPrefix)
	fmt.Fprintf(w, "dropped database %s and %d Redis keys under %q\n", name, n, scfg.RedisPrefix)
	return err
}

// withDatabase returns the URL with another database name.
func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}
