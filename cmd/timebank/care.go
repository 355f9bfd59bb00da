package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/principal"
)

// careCmd runs `timebank care rotate-key [--to N] [--batch N]`: every row of the care registry
// re-sealed under a new key version (by default the next one, or the one an interrupted run left
// unfinished). Running it again for a finished version does nothing; instances still serving open
// every version and seal new rows under the newest from the moment it starts.
func careCmd(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-key" {
		return fmt.Errorf("%w: care rotate-key [--to N] [--batch N]", errUsage)
	}
	fs := flag.NewFlagSet("care rotate-key", flag.ContinueOnError)
	fs.SetOutput(w)
	to := fs.Int("to", 0, "the key version to rotate to (the newest, or the one after it); default: resume or the next")
	batch := fs.Int("batch", 200, "rows re-sealed per transaction")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *to < 0 || *batch < 1 {
		return fmt.Errorf("%w: --to and --batch must be positive", errUsage)
	}
	start := time.Now()
	r, err := d.Care.Rotate(ctx, principal.Operator(), *to, *batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "care: key version %d, %d rows re-sealed in %s\n", r.Version, r.Resealed, time.Since(start).Round(time.Millisecond))
	return nil
}
