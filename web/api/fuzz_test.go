package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/web/problem"
)

// FuzzDecodeTransaction: whatever the body and key, decodeTransaction never panics and returns
// either an error that is a client error (400) or a request that passes Validate, with two to 64
// postings on distinct accounts, none zero, summing to exactly zero. An accepted request survives
// a round trip through JSON unchanged.
//
//	go test ./web/api -run XXX -fuzz FuzzDecodeTransaction -fuzztime 30s
func FuzzDecodeTransaction(f *testing.F) {
	valid := `{"kind":"earn","postings":[{"account":"org:1:issued","amount":-60},{"account":"vol:1","amount":60}]}`
	many := make([]string, 64)
	for i := range many {
		many[i] = fmt.Sprintf(`{"account":"vol:%d","amount":%d}`, i, 1-2*(i%2))
	}
	for _, seed := range []struct{ body, key string }{
		{valid, "k-1"},
		{`{"kind":"transfer","memo":"为老服务 2 小时","reference":"act:9","postings":[{"account":"vol:1","amount":-30},{"account":"vol:2","amount":10},{"account":"pool:x","amount":20}]}`, "k"},
		{`{"kind":"earn","postings":[` + strings.Join(many, ",") + `]}`, "k"},
		{`{"kind":"earn","postings":[` + strings.Join(append(many, `{"account":"vol:99","amount":1}`), ",") + `]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":9223372036854775807},{"account":"vol:2","amount":1}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":-9223372036854775808},{"account":"vol:2","amount":9223372036854775807}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":1000000000000},{"account":"vol:2","amount":-1000000000000}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":1e2},{"account":"vol:2","amount":-100}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":1.5},{"account":"vol:2","amount":-1.5}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":"1"},{"account":"vol:2","amount":"-1"}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":1},{"account":"vol:1","amount":-1}]}`, "k"},
		{`{"kind":"earn","postings":[{"account":"vol:1","amount":0},{"account":"vol:2","amount":0}]}`, "k"},
		{`{"KIND":"earn","Postings":[{"ACCOUNT":"vol:1","amount":1},{"account":"vol:2","Amount":-1}]}`, "k"},
		{`{"kind":"earn","kind":"steal","postings":[{"account":"vol:1","amount":1},{"account":"vol:2","amount":-1}]}`, "k"},
		{`{"kind":"transfer","memo":"\u0000","postings":[]}`, ""},
		{"{\"kind\":\"earn\",\"memo\":\"\xff\",\"postings\":[{\"account\":\"vol:1\",\"amount\":1},{\"account\":\"vol:2\",\"amount\":-1}]}", "k"},
		{valid + ` {}`, "k"},
		{"\xef\xbb\xbf" + valid, "k"},
		{` ` + valid + "\n\t", "k"},
		{`{"kind":"earn","extra":true,"postings":[]}`, "k"},
		{`[1,2,3]`, "ledger:hold:1:commit"},
		{`null`, "k"},
		{``, "k"},
		{`{"kind":"earn"`, "k"},
		{valid, "ledger:reverse:1"},
		{valid, "k\x00"},
		{valid, strings.Repeat("k", 201)},
	} {
		f.Add([]byte(seed.body), seed.key)
	}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		req, err := decodeTransaction(body, key, "fuzz")
		if err != nil {
			var pe *problem.Error
			if !errors.As(err, &pe) && !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("error that is neither a problem nor ErrInvalid: %T %v", err, err)
			}
			if status, _ := problem.Classify(err); status != 400 {
				t.Fatalf("decode error is a %d: %v", status, err)
			}
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("accepted a request that does not validate: %v", err)
		}
		if req.IdempotencyKey != key || req.CreatedBy != "fuzz" {
			t.Fatalf("key %q / actor %q not carried over", req.IdempotencyKey, req.CreatedBy)
		}
		if n := len(req.Postings); n < 2 || n > ledger.MaxPostings {
			t.Fatalf("accepted %d postings", n)
		}
		sum := new(big.Int)
		seen := map[string]bool{}
		for _, p := range req.Postings {
			if p.Amount == 0 || seen[p.Account] || p.Account == "" {
				t.Fatalf("accepted a zero, duplicate or empty posting: %+v", req.Postings)
			}
			seen[p.Account] = true
			sum.Add(sum, big.NewInt(p.Amount))
		}
		if sum.Sign() != 0 {
			t.Fatalf("accepted postings summing to %s: %+v", sum, req.Postings)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeTransaction(again, key, "fuzz")
		if err != nil || !reflect.DeepEqual(back, req) {
			t.Fatalf("round trip changed the request: %+v → %s → %+v (%v)", req, again, back, err)
		}
	})
}
