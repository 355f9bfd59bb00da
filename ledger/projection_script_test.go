package ledger

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

const defaultTestTimeout = time.Second

// hashTotals reads a hash's rows and its kept totals, and fails unless the totals are the rows' sums.
func hashTotals(t *testing.T, p *projector, code string) (sum [3]int64, rows [][3]int64) {
	t.Helper()
	m, err := p.rdb.HGetAll(context.Background(), p.key(code)).Result()
	if err != nil {
		t.Fatal(err)
	}
	rows, ok := parseRows(m)
	if !ok {
		t.Fatalf("%s: incomplete hash %v", code, m)
	}
	for _, r := range rows {
		sum[0], sum[1], sum[2] = sum[0]+r[0], sum[1]+r[1], sum[2]+r[2]
	}
	if len(rows) > 1 {
		for i, f := range []string{"P", "H", "V"} {
			if m[f] != strconv.FormatInt(sum[i], 10) {
				t.Fatalf("%s: total %s = %q, rows sum to %d (hash %v)", code, f, m[f], sum[i], m)
			}
		}
		if m["c"] != strconv.Itoa(len(rows)) {
			t.Fatalf("%s: c = %q for %d rows", code, m["c"], len(rows))
		}
	}
	return sum, rows
}

// A split account's totals follow its rows through writes that arrive out of order, twice, several
// rows at a time, and with balances too large for a float's exponent-free formatting.
func TestProjectScriptKeepsTotalsOfOutOfOrderWrites(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	p := newProjector(rdb, prefix, defaultTestTimeout, &counters{})
	const slots, versions = 8, 12
	rng := rand.New(rand.NewPCG(1, 2))
	var writes []change
	for s := range slots {
		for v := 1; v <= versions; v++ {
			writes = append(writes, change{code: "store:1", slot: s, slots: slots,
				posted: rng.Int64N(1e15) - 5e14, pending: rng.Int64N(100), version: int64(v)})
		}
	}
	rng.Shuffle(len(writes), func(i, j int) { writes[i], writes[j] = writes[j], writes[i] })
	writes = append(writes, writes[:20]...) // replays
	newest := make(map[int]change)
	for i := 0; i < len(writes); {
		n := 1 + rng.IntN(3)
		batch := writes[i:min(i+n, len(writes))]
		i += len(batch)
		totals, incomplete := p.write(context.Background(), batch)
		for _, c := range batch {
			if old, ok := newest[c.slot]; !ok || old.version < c.version {
				newest[c.slot] = c
			}
		}
		if len(newest) < slots {
			if len(incomplete) != 1 || len(totals) != 0 {
				t.Fatalf("with %d of %d rows written: totals %v, incomplete %v", len(newest), slots, totals, incomplete)
			}
			continue
		}
		sum, _ := hashTotals(t, p, "store:1")
		if got := totals["store:1"]; got.Posted != sum[0] || got.Pending != sum[1] || got.Version != sum[2] {
			t.Fatalf("script returned %+v, rows sum to %v", got, sum)
		}
	}
	_, rows := hashTotals(t, p, "store:1")
	for s, c := range newest {
		if rows[s] != [3]int64{c.posted, c.pending, c.version} {
			t.Fatalf("slot %d holds %v, newest write was %+v", s, rows[s], c)
		}
	}
}

// A hash written before totals were kept (rows only) gets them from its rows on the next write, and
// reconcile's rewrite keeps them too.
func TestProjectScriptAddsTotalsToOlderHashes(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	p := newProjector(rdb, prefix, defaultTestTimeout, &counters{})
	ctx := context.Background()
	if err := rdb.HSet(ctx, p.key("store:1"), "n", 3, "p0", 10, "h0", 0, "v0", 4, "p1", -7, "h1", 2, "v1", 9,
		"p2", 5, "h2", 0, "v2", 1).Err(); err != nil {
		t.Fatal(err)
	}
	totals, incomplete := p.write(ctx, []change{{code: "store:1", slot: 1, slots: 3, posted: -3, pending: 2, version: 10}})
	if b := totals["store:1"]; len(incomplete) != 0 || b.Posted != 12 || b.Pending != 2 || b.Version != 15 {
		t.Fatalf("totals %+v, incomplete %v", b, incomplete)
	}
	hashTotals(t, p, "store:1")

	if err := p.replace(ctx, accountRows{code: "store:1", slots: 3, rows: [][3]int64{{1, 0, 5}, {2, 1, 11}, {3, 0, 2}}}); err != nil {
		t.Fatal(err)
	}
	if sum, _ := hashTotals(t, p, "store:1"); sum != [3]int64{6, 1, 18} {
		t.Fatalf("after replace: %v", sum)
	}
	totals, _ = p.write(ctx, []change{{code: "store:1", slot: 2, slots: 3, posted: 4, pending: 0, version: 3}})
	if b := totals["store:1"]; b.Posted != 7 || b.Version != 19 {
		t.Fatalf("write after replace: %+v", b)
	}
	hashTotals(t, p, "store:1")
}

// bucketField reads a one-row account's field in its bucket.
func bucketField(t *testing.T, p *projector, code string) [3]int64 {
	t.Helper()
	key, field := p.bucket(code)
	s, err := p.rdb.HGet(context.Background(), key, field).Result()
	if err != nil {
		t.Fatal(err)
	}
	r, ok := parseBucket(s)
	if !ok {
		t.Fatalf("%s: field %q", code, s)
	}
	return r
}

// A one-row account's write is its total; an older write changes nothing and reports what Redis has.
func TestProjectScriptOneRow(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	p := newProjector(rdb, prefix, defaultTestTimeout, &counters{})
	ctx := context.Background()
	for _, w := range []struct {
		c    change
		want [3]int64
	}{
		{change{code: "vol:1", slots: 1, posted: 123456789012345, pending: 5, version: 7}, [3]int64{123456789012345, 5, 7}},
		{change{code: "vol:1", slots: 1, posted: 1, pending: 0, version: 6}, [3]int64{123456789012345, 5, 7}},
		{change{code: "vol:1", slots: 1, posted: -2, pending: 0, version: 7}, [3]int64{123456789012345, 5, 7}},
		{change{code: "vol:1", slots: 1, posted: 40, pending: 1, version: 8}, [3]int64{40, 1, 8}},
	} {
		totals, incomplete := p.write(ctx, []change{w.c})
		b, ok := totals["vol:1"]
		if !ok || len(incomplete) != 0 || [3]int64{b.Posted, b.Pending, b.Version} != w.want {
			t.Fatalf("write %+v: %+v %v, want %v", w.c, b, incomplete, w.want)
		}
		if got := bucketField(t, p, "vol:1"); got != w.want {
			t.Fatalf("write %+v: bucket holds %v", w.c, got)
		}
	}
}
