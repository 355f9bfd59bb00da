package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/principal"
	"timebank/pkg/sealed"
)

// keysCmd runs `timebank keys rotate [--to N] [--batch N]`: every sealed column of the service (the
// care registry's people, the service desk's residents' contacts, any table that references
// sealed_key_versions) re-sealed under a new key version, by default the next one, or the one an
// interrupted run left unfinished. Running it again for a finished version does nothing; instances
// still serving open every version and seal new rows under the newest from the moment it starts.
func keysCmd(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: keys rotate [--to N] [--batch N]", errUsage)
	}
	return rotateKeys(ctx, d, "keys rotate", args[1:], w)
}

// careCmd runs `timebank care rotate-key`, the former name of `timebank keys rotate`, kept for the
// scripts that call it: it rotates every sealed column, not only the registry's.
func careCmd(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-key" {
		return fmt.Errorf("%w: care rotate-key [--to N] [--batch N] (another name of keys rotate)", errUsage)
	}
	return rotateKeys(ctx, d, "care rotate-key", args[1:], w)
}

func rotateKeys(ctx context.Context, d *app.Services, name string, args []string, w io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	to := fs.Int("to", 0, "the key version to rotate to (the newest, or the one after it); default: resume or the next")
	batch := fs.Int("batch", 500, "rows re-sealed per transaction")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *to < 0 || *batch < 1 || fs.NArg() > 0 {
		return fmt.Errorf("%w: --to and --batch must be positive", errUsage)
	}
	start := time.Now()
	r, err := sealed.Rotate(ctx, d.DB, d.Sealed, principal.Operator().Label(), *to, *batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "keys: key version %d, %d rows re-sealed in %s\n", r.Version, r.Resealed, time.Since(start).Round(time.Millisecond))
	for _, t := range slices.Sorted(maps.Keys(r.Tables)) {
		fmt.Fprintf(w, "  %s: %d\n", t, r.Tables[t])
	}
	return nil
}
