package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/certificate"
	"timebank/pkg/invariant"
	"timebank/pkg/report"
	"timebank/pkg/store"
)

// verifyCmd parses `timebank verify [--full] [--jobs N] [--settle D]` and verifies, printing each
// check on stdout as it finishes and the progress of its ranges on stderr.
func verifyCmd(ctx context.Context, d *app.Services, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opt := verifyDefaults(d)
	opt.Progress = stderr
	fs.BoolVar(&opt.Full, "full", false, "check everything, not only what came after the last clean check")
	fs.IntVar(&opt.Jobs, "jobs", opt.Jobs, "queries at once")
	fs.DurationVar(&opt.Settle, "settle", opt.Settle,
		"how old the newest transaction a checkpoint reaches must be (writes still in flight)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if opt.Jobs < 1 || fs.NArg() > 0 {
		return fmt.Errorf("%w: verify [--full] [--jobs N ≥ 1] [--settle 1m]", errUsage)
	}
	return verifyWith(ctx, d, stdout, opt)
}

// defaultJobs is how many queries verify runs at once unless told: one a processor, and no more
// than half the pool, so that the service's own connections are left their share.
func defaultJobs(d *app.Services) int {
	n := runtime.NumCPU()
	if pool := d.DB.Stats().MaxOpenConnections; pool > 0 {
		n = min(n, pool/2)
	}
	return max(n, 1)
}

// verifyDefaults are the options of `timebank verify` without flags: from the checkpoints, the
// default jobs, a minute's settling time, no progress told.
func verifyDefaults(d *app.Services) invariant.Options {
	return invariant.Options{Jobs: defaultJobs(d), Settle: time.Minute}
}

// verify checks as `timebank verify` does by default, telling no progress: from the checkpoints.
func verify(ctx context.Context, d *app.Services, w io.Writer) error {
	return verifyWith(ctx, d, w, verifyDefaults(d))
}

// verifyChecks are every check verify runs: the ledger's, then the store's, the recording
// service's, the certificates' and the reports'.
func verifyChecks() []invariant.Check {
	return slices.Concat(ledger.Checks, store.Checks, activity.Checks, certificate.Checks, report.Checks)
}

// verifyWith runs the checks opt says, then compares Redis with PostgreSQL, printing each check as
// it finishes and, at the end, every problem found (then errFailed) or OK.
func verifyWith(ctx context.Context, d *app.Services, w io.Writer, opt invariant.Options) error {
	var problems []string
	start := time.Now()
	err := invariant.Verify(ctx, d.DB, verifyChecks(), opt, func(r invariant.Result) {
		if r.Scope == "all" {
			fmt.Fprintln(w, "checked:", r.Name)
		} else {
			fmt.Fprintf(w, "checked: %s (%s)\n", r.Name, r.Scope)
		}
		problems = append(problems, r.Problems...)
	})
	if err != nil {
		return err
	}
	found, scope, err := d.Ledger.VerifyRedisSince(ctx, opt, ledger.RedisSample, func(n int) {
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, "verify: redis: %d accounts compared; elapsed %s\n", n,
				time.Since(start).Round(time.Millisecond))
		}
	})
	if err != nil {
		return err
	}
	if scope == "all" {
		fmt.Fprintln(w, "checked:", ledger.RedisCheck)
	} else {
		fmt.Fprintf(w, "checked: %s (%s)\n", ledger.RedisCheck, scope)
	}
	problems = append(problems, found...)
	// Not an invariant of the books, but what deadlines are counted with: said, not failed.
	missing, err := d.Activities.Calendar().Missing(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "checked: public holidays of this year and, from 1 December, the next")
	for _, y := range missing {
		fmt.Fprintf(w, "note: the public holidays of %d are not entered; deadlines in it count Monday to Friday\n", y)
	}
	if len(problems) == 0 {
		fmt.Fprintf(w, "verify: OK in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(w, "verify: %d problems\n", len(problems))
	for _, p := range problems {
		fmt.Fprintln(w, "  -", p)
	}
	return errFailed
}
