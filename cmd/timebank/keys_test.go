package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/org"
)

// `timebank keys rotate` re-seals every sealed row under the next key version, says how many rows
// it moved and in which tables; `care rotate-key`, its former name, does nothing when run again for
// that version; both refuse a malformed command line.
func TestKeysRotateCommand(t *testing.T) {
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
	if err := keysCmd(ctx, d, []string{"rotate", "--batch", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "key version 2, 3 rows re-sealed") || !strings.Contains(out.String(), "care_people: 3") ||
		!strings.Contains(out.String(), "service_requests: 0") {
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
	for _, bad := range [][]string{{}, {"rotate-key"}, {"rotate", "--batch", "0"}, {"rotate", "--to", "-1"}, {"rotate", "now"}} {
		if err := keysCmd(ctx, d, bad, io.Discard); err == nil {
			t.Errorf("keys %v: no error", bad)
		}
	}
}
