package org_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"timebank/pkg/org"
)

func TestRegionTree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()

	// Six-digit codes are stored as twelve, with the level and parent read from the code.
	r, err := e.reg.Region(ctx, "330481")
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != haining || r.Level != org.County || r.ParentCode != jiaxing || r.Name != "海宁市" {
		t.Errorf("Haining = %+v", r)
	}
	if r, err := e.reg.Region(ctx, zhejiang); err != nil || r.Level != org.Province || r.ParentCode != "" {
		t.Errorf("Zhejiang = %+v, %v", r, err)
	}
	if r, err := e.reg.Region(ctx, community); err != nil || r.Level != org.Community || r.ParentCode != xiashi {
		t.Errorf("community = %+v, %v", r, err)
	}

	path, err := e.reg.Path(ctx, community)
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(path); got != "330000000000 330400000000 330481000000 330481001000 330481001001" {
		t.Errorf("path = %s", got)
	}
	if path, err := e.reg.Path(ctx, "330400"); err != nil || codes(path) != "330000000000 330400000000" {
		t.Errorf("path of Jiaxing = %s, %v", codes(path), err)
	}

	kids, err := e.reg.Children(ctx, haining)
	if err != nil || codes(kids) != "330481001000 330481002000" {
		t.Errorf("children of Haining = %s, %v", codes(kids), err)
	}
	if kids, err := e.reg.Children(ctx, ""); err != nil || codes(kids) != zhejiang {
		t.Errorf("provinces = %s, %v", codes(kids), err)
	}
	if kids, err := e.reg.Children(ctx, community); err != nil || len(kids) != 0 {
		t.Errorf("children of a leaf = %s, %v", codes(kids), err)
	}

	for _, code := range []string{"330482", "330481003000", "nonsense", ""} {
		if _, err := e.reg.Region(ctx, code); !errors.Is(err, org.ErrRegionNotFound) {
			t.Errorf("Region(%q): %v, want ErrRegionNotFound", code, err)
		}
		if _, err := e.reg.Path(ctx, code); !errors.Is(err, org.ErrRegionNotFound) {
			t.Errorf("Path(%q): %v, want ErrRegionNotFound", code, err)
		}
	}
	if _, err := e.reg.Children(ctx, "330482"); !errors.Is(err, org.ErrRegionNotFound) {
		t.Errorf("Children of a missing node: %v", err)
	}

	// Each region was audited, placed at itself.
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'region.create' AND actor = 'user:7'
		AND target = 'region:330481001001' AND region_code = '330481001001' AND after->>'name' = '示例社区'`); n != 1 {
		t.Errorf("audit entries for the community: %d", n)
	}
}

func codes(rs []org.Region) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Code)
	}
	return strings.Join(s, " ")
}

func TestCreateRegionRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		in     org.NewRegion
		err    error
		field  string
		reason string
	}{
		{"duplicate", org.NewRegion{Code: "330481", Name: "海宁"}, org.ErrRegionExists, "", ""},
		{"duplicate, 12 digits", org.NewRegion{Code: xiashi, Name: "硖石"}, org.ErrRegionExists, "", ""},
		{"parent missing", org.NewRegion{Code: "330481003001", Name: "社区"}, org.ErrParentMissing, "", ""},
		{"another city", org.NewRegion{Code: "330500", Name: "湖州市"}, nil, "", ""},
		{"county of a missing city", org.NewRegion{Code: "330681", Name: "诸暨市"}, org.ErrParentMissing, "", ""},
		{"community under no street", org.NewRegion{Code: "330481000001", Name: "x"}, org.ErrInvalid, "code", "division_code"},
		{"unknown province", org.NewRegion{Code: "990000", Name: "x"}, org.ErrInvalid, "code", "division_code"},
		{"no code", org.NewRegion{Name: "x"}, org.ErrInvalid, "code", "required"},
		{"no name", org.NewRegion{Code: "330482", Name: "  "}, org.ErrInvalid, "name", "required"},
		{"long name", org.NewRegion{Code: "330482", Name: strings.Repeat("海", 101)}, org.ErrInvalid, "name", "too_long"},
		{"control character", org.NewRegion{Code: "330482", Name: "海\x00宁"}, org.ErrInvalid, "name", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.count(t, `SELECT count(*) FROM regions`)
			_, err := e.reg.CreateRegion(ctx, admin, tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.field != "" && reason(err, tt.field) != tt.reason {
				t.Errorf("reason for %s = %q, want %q (%v)", tt.field, reason(err, tt.field), tt.reason, err)
			}
			want := before
			if tt.err == nil {
				want++
			}
			if got := e.count(t, `SELECT count(*) FROM regions`); got != want {
				t.Errorf("regions: %d, want %d", got, want)
			}
		})
	}
}

// CreateRegionTx adds a branch in the caller's transaction: rolled back, nothing of it remains,
// not even its audit entries.
func TestCreateRegionTx(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		tx, err := e.db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []org.NewRegion{{Code: "330481003000", Name: "海昌街道"}, {Code: "330481003001", Name: "社区"}} {
			if _, err := e.reg.CreateRegionTx(ctx, tx, admin, r); err != nil {
				t.Fatal(err)
			}
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if commit {
			want = 2
		}
		if n := e.count(t, `SELECT count(*) FROM regions WHERE code LIKE '330481003%'`); n != want {
			t.Errorf("commit %v: %d regions, want %d", commit, n, want)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_log WHERE target LIKE 'region:330481003%'`); n != want {
			t.Errorf("commit %v: %d audit entries, want %d", commit, n, want)
		}
	}
}
