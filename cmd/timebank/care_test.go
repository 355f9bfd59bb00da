package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/org"
)

// `timebank care rotate-key` re-seals every person under the next key version, says how many rows
// it moved, does nothing when run again for that version, and refuses a malformed command line.
func TestCareRotateKeyCommand(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}} {
		if _, err := d.Orgs.CreateRegion(ctx, operatorPrincipal, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"王小芳", "李建国", "赵大海"} {
		if _, err := d.Care.Register(ctx, operatorPrincipal, care.NewPerson{RegionCode: "330481001000", Categories: []string{"alone"},
			Colour: care.Green, Name: name, Phone: "13812345678", Consent: true}); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := careCmd(ctx, d, []string{"rotate-key", "--batch", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "key version 2, 3 rows re-sealed") {
		t.Fatalf("first run: %q", out.String())
	}
	out.Reset()
	if err := careCmd(ctx, d, []string{"rotate-key", "--to", "2"}, &out); err != nil || !strings.Contains(out.String(), "key version 2, 0 rows") {
		t.Fatalf("second run: %q, %v", out.String(), err)
	}
	var old int
	if err := d.DB.Get(&old, `SELECT count(*) FROM care_people WHERE key_version <> 2`); err != nil || old != 0 {
		t.Fatalf("%d rows under another version (%v)", old, err)
	}
	for _, bad := range [][]string{{}, {"rotate"}, {"rotate-key", "--batch", "0"}, {"rotate-key", "--to", "x"}} {
		if err := careCmd(ctx, d, bad, io.Discard); err == nil {
			t.Errorf("care %v: no error", bad)
		}
	}
}
