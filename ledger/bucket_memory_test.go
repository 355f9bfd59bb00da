package ledger

import (
	"context"
	"strconv"
	"testing"

	"timebank/pkg/dbtest"
)

// The projection's memory per one-row account (issue: at most 100 bytes an account at a province's
// scale): 1,280 volunteers with realistic balances and versions, projected into buckets, measured
// by MEMORY USAGE over every field of each bucket (a size, not a time). A key of its own per
// account, as before the buckets, measured about 104 bytes.
func TestBucketMemoryPerAccount(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	p := newProjector(rdb, prefix, defaultTestTimeout, &counters{})
	ctx := context.Background()
	const accounts = 10 * bucketSize
	var chs []change
	buckets := map[string]bool{}
	for id := int64(1); id <= accounts; id++ {
		code := "vol:" + strconv.FormatInt(id, 10)
		chs = append(chs, change{accountID: id, code: code, slots: 1,
			posted: 60 * (id * 7919 % 600), pending: 30 * (id % 3), version: 1 + id*31%400})
		key, _ := p.bucket(code)
		buckets[key] = true
	}
	for i := 0; i < len(chs); i += 64 {
		if _, bad := p.write(ctx, chs[i:i+64]); len(bad) != 0 {
			t.Fatalf("incomplete: %v", bad)
		}
	}
	var bytes, fields int64
	for key := range buckets {
		b, err := rdb.MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %v", key, err)
		}
		n, err := rdb.HLen(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if enc, err := rdb.ObjectEncoding(ctx, key).Result(); err != nil || enc != "listpack" {
			t.Errorf("%s is encoded as %q (%v), want listpack", key, enc, err)
		}
		bytes, fields = bytes+b, fields+n
	}
	if fields != accounts {
		t.Fatalf("%d fields in %d buckets for %d accounts", fields, len(buckets), accounts)
	}
	per := float64(bytes) / float64(accounts)
	t.Logf("%d accounts in %d buckets: %d bytes, %.1f an account", accounts, len(buckets), bytes, per)
	if per > 100 {
		t.Fatalf("%.1f bytes an account, goal at most 100", per)
	}
}

// A code ending in a number written without leading zeros lies in the bucket of its 128; any other
// code in a bucket chosen by its hash, under the whole code, so two codes never share a field.
func TestBucketOf(t *testing.T) {
	for _, c := range []struct{ code, bucket, field string }{
		{"vol:1", "vol:0", "1"},
		{"vol:127", "vol:0", "127"},
		{"vol:128", "vol:1", "0"},
		{"vol:15400000", "vol:120312", "64"},
		{"org:5:issued", "#", "org:5:issued"},
		{"vol:07", "#", "vol:07"},
		{"vol:0", "vol:0", "0"},
		{"vol:1234567890123456789", "#", "vol:1234567890123456789"},
		{"system", "#", "system"},
	} {
		b, f := bucketOf(c.code)
		if f != c.field || (c.bucket == "#" && b[0] != '#') || (c.bucket != "#" && b != c.bucket) {
			t.Errorf("bucketOf(%q) = %q, %q; want %q, %q", c.code, b, f, c.bucket, c.field)
		}
	}
}
