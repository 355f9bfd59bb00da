package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/chinatime"
)

// reportCmd runs `timebank report rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: the daily figures
// of the days given (by default every day from the first row of any source to today) recomputed
// from their rows.
func reportCmd(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("%w: report rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD]", errUsage)
	}
	fs := flag.NewFlagSet("report rebuild", flag.ContinueOnError)
	fs.SetOutput(w)
	from := fs.String("from", "", "first day (YYYY-MM-DD, China time); default: the first day with any row")
	to := fs.String("to", "", "last day (YYYY-MM-DD); default: today")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var days [2]time.Time
	for i, v := range []string{*from, *to} {
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, v, chinatime.Zone())
		if err != nil {
			return fmt.Errorf("%w: %q is not a date YYYY-MM-DD", errUsage, v)
		}
		days[i] = t
	}
	if !days[0].IsZero() && !days[1].IsZero() && days[0].After(days[1]) {
		return fmt.Errorf("%w: --from %s is after --to %s", errUsage, *from, *to)
	}
	start := time.Now()
	n, err := d.Reports.Rebuild(ctx, days[0], days[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "report: %d days recomputed in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
