package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"timebank/migrations"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/web"
)

// serve runs the web app and the workers until ctx is cancelled (SIGINT/SIGTERM), then
// stops accepting, lets in-flight requests finish, stops the workers and closes the connections.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	migrate := fs.Bool("migrate", cfg.AutoMigrate, "apply pending migrations before serving")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: serve: %v", errUsage, err)
	}
	log.Info("starting", "version", version, "config", cfg)

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *migrate {
		if err := migrations.Up(ctx, db.DB, os.Stderr); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	} else if err := migrations.Check(ctx, db.DB); err != nil {
		return err
	}
	rdb, err := openRedis(ctx, cfg)
	if errors.Is(err, errRedisDown) {
		log.Warn("redis is not reachable; balances are read from PostgreSQL until it is", "err", err)
	} else if err != nil {
		return err
	}
	defer rdb.Close()

	svc, err := app.New(cfg, log, db, rdb)
	if err != nil {
		return err
	}
	defer svc.Close()
	srv, err := web.New(svc)
	if err != nil {
		return err
	}
	warnMissingHolidays(ctx, svc, log)

	// The workers stop on their own context, after the server has drained: requests still in
	// flight during the grace period may rely on them.
	workCtx, stopWork := context.WithCancel(context.Background())
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		svc.RunWorkers(workCtx)
	}()
	defer func() { stopWork(); <-workersDone }()

	errc := make(chan error, 2)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	go func() { errc <- srv.Listener(lingerListener{ln}) }()
	if cfg.MetricsAddr != "" {
		// The same app on a second address, where it answers /metrics alone and without a token:
		// bind it to an interface only the scraper reaches.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
		go func() { errc <- srv.Listener(lingerListener{mln}) }()
	}
	log.Info("serving", "addr", cfg.Addr, "metrics_addr", cfg.MetricsAddr, "base_url", cfg.BaseURL)
	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	if err := srv.ShutdownWithTimeout(cfg.ShutdownGrace); err != nil {
		log.Warn("shutdown", "err", err)
	}
	log.Info("stopped")
	return nil
}
