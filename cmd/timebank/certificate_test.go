package main

import (
	"context"
	"strings"
	"testing"
)

// `timebank certificate rotate-key` moves signing on to key 2 and lists both keys, the new one
// current; `keys` lists them again; anything else is a usage error that changes nothing.
func TestCertificateRotateKeyCommand(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	var out strings.Builder
	if err := certificateCmd(ctx, d, []string{"rotate-key"}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "certificate key 2 signs from") || !strings.Contains(got, "key 1 since") ||
		!strings.Contains(got, "key 2 since") || !strings.Contains(got, "(current)") || strings.Count(got, "(current)") != 1 {
		t.Errorf("rotate-key printed:\n%s", got)
	}
	if err := certificateCmd(ctx, d, []string{"rotate"}, &out); err == nil {
		t.Error("a wrong subcommand was accepted")
	}
	keys, err := d.Certificates.Keys(ctx)
	if err != nil || len(keys) != 2 || keys[1].ID != 2 {
		t.Errorf("keys after one rotation: %+v, %v", keys, err)
	}
}
