package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"timebank/migrations"
	"timebank/pkg/app"
	"timebank/pkg/config"
)

func migrateCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: migrate up|down|status", errUsage)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		if err := migrations.Up(ctx, db.DB, w); err != nil {
			return err
		}
		fmt.Fprintln(w, "schema is up to date")
		return nil
	case "down":
		return migrations.Down(ctx, db.DB, w)
	case "status":
		return migrations.Status(ctx, db.DB, w)
	}
	return fmt.Errorf("%w: migrate up|down|status, not %q", errUsage, args[0])
}

func reconcile(ctx context.Context, d *app.Services, w io.Writer) error {
	rep, err := d.Ledger.Reconcile(ctx)
	if err != nil {
		return err
	}
	for _, r := range rep.Repairs {
		fmt.Fprintln(w, "repaired", r)
	}
	fmt.Fprintf(w, "reconcile: %d accounts checked, %d repaired\n", rep.Accounts, len(rep.Repairs))
	return nil
}

// healthcheck asks the server on this machine for /healthz; distroless images have no curl.
func healthcheck(ctx context.Context, cfg config.Config) error {
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	return nil
}

// warnMissingHolidays logs, at start-up, the years whose public holidays are not entered: deadlines
// in them are counted Monday to Friday until a platform administrator enters them (/admin/holidays).
func warnMissingHolidays(ctx context.Context, d *app.Services, log *slog.Logger) {
	missing, err := d.Activities.Calendar().Missing(ctx)
	if err != nil {
		log.Warn("public holidays: cannot read the calendar", "err", err)
	} else if len(missing) > 0 {
		log.Warn("public holidays not entered: deadlines count Monday to Friday in these years; enter them at /admin/holidays",
			"years", missing)
	}
}
