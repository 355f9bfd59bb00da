package ledger

import (
	"context"
	"strconv"
	"testing"

	"timebank/pkg/dbtest"
)

// The projection's hot path as Redis sees it: a batch's one-row accounts written by the
// compare-by-version script (64 changes a pipeline, as a posting batch writes them), and balance
// reads arriving from many goroutines at once (the read group's pipelines).
const benchAccounts = 10000

func benchProjector(b *testing.B) *projector {
	rdb, prefix := dbtest.Redis(b)
	return newProjector(rdb, prefix, defaultTestTimeout, &counters{})
}

func benchChanges(from, version int64) []change {
	chs := make([]change, 64)
	for i := range chs {
		id := (from + int64(i)) % benchAccounts
		chs[i] = change{accountID: id + 1, code: "vol:" + strconv.FormatInt(id+1, 10), slots: 1,
			posted: 100 + version, pending: 0, version: version}
	}
	return chs
}

func BenchmarkProjectOneRow(b *testing.B) {
	p := benchProjector(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		from := int64(i) * 64
		if _, bad := p.write(ctx, benchChanges(from, 1+from/benchAccounts)); len(bad) != 0 {
			b.Fatalf("incomplete: %v", bad)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/account")
}

func BenchmarkReadOneRow(b *testing.B) {
	p := benchProjector(b)
	ctx := context.Background()
	for from := int64(0); from < benchAccounts; from += 64 {
		p.write(ctx, benchChanges(from, 1))
	}
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i += 7919
			code := "vol:" + strconv.Itoa(1+i%benchAccounts)
			if _, ok := p.read(ctx, code); !ok {
				b.Errorf("%s not read from redis", code)
				return
			}
		}
	})
}
