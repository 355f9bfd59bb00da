package web

import (
	"math/big"
	"testing"
)

// FuzzDecodeTransaction: whatever the body, the decoder returns an error or a request that is valid,
// with postings summing to exactly zero.
func FuzzDecodeTransaction(f *testing.F) {
	f.Add([]byte(`{"kind":"earn","postings":[{"account":"org:1:issued","amount":-60},{"account":"vol:1","amount":60}]}`), "k-1")
	f.Add([]byte(`{"kind":"earn","postings":[{"account":"vol:1","amount":9223372036854775807},{"account":"vol:2","amount":1}]}`), "k")
	f.Add([]byte(`{"kind":"transfer","memo":"\u0000","postings":[]}`), "")
	f.Add([]byte(`[1,2,3]`), "ledger:hold:1:commit")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		req, err := decodeTransaction(body, key, "fuzz")
		if err != nil {
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("accepted a request that does not validate: %v", err)
		}
		sum := new(big.Int)
		seen := map[string]bool{}
		for _, p := range req.Postings {
			if p.Amount == 0 || seen[p.Account] {
				t.Fatalf("accepted zero or duplicate posting: %+v", req.Postings)
			}
			seen[p.Account] = true
			sum.Add(sum, big.NewInt(p.Amount))
		}
		if sum.Sign() != 0 || len(req.Postings) < 2 {
			t.Fatalf("accepted unbalanced postings: %+v", req.Postings)
		}
	})
}
