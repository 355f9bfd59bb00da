package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"timebank/pkg/app"
)

// certificateCmd runs `timebank certificate keys|rotate-key`: the keys that sign certificates' codes,
// and the move to the next one. A rotation counts at once on every instance (each reads the
// register of keys when it signs or checks); certificates signed by an older key keep verifying.
func certificateCmd(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	if len(args) != 1 || (args[0] != "keys" && args[0] != "rotate-key") {
		return fmt.Errorf("%w: certificate keys|rotate-key", errUsage)
	}
	if args[0] == "rotate-key" {
		k, err := d.Certificates.RotateKey(ctx, "operator")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "certificate key %d signs from %s; the older keys keep verifying\n", k.ID, k.Since.UTC().Format(time.RFC3339))
	}
	keys, err := d.Certificates.Keys(ctx)
	if err != nil {
		return err
	}
	for i, k := range keys {
		current := ""
		if i == len(keys)-1 {
			current = " (current)"
		}
		fmt.Fprintf(w, "key %d since %s%s\n", k.ID, k.Since.UTC().Format(time.RFC3339), current)
	}
	return nil
}
