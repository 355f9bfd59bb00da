package qr

import (
	"errors"
	"sync"
	"testing"
)

// FuzzParse feeds Parse anything. It must never panic, must fail only with its own errors, and must
// accept nothing but the tokens this test signed: an accepted input holds one of them, re-encodes from
// its claims to exactly that token, and every alteration of it is refused.
func FuzzParse(f *testing.F) {
	oldKey, newKey := testKey(1), testKey(2)
	s := newTestSigner(f, newKey, oldKey)
	keys := map[byte]Key{1: oldKey, 2: newKey}
	exp := testNow.Unix() + 3600

	signed := map[string]bool{}
	for _, k := range keys {
		for _, c := range []Claims{
			longest,
			{Type: CheckIn, Subject: 501, Expires: exp},
			{Type: CheckOut, Subject: 501, Expires: exp},
			{Type: Member, Subject: 4711, Expires: exp, Nonce: 77},
			{Type: Pickup, Subject: 90001, Aux: 12, Expires: exp, Nonce: 1 << 63},
			{Type: Certificate, Subject: 1},
			{Type: Receipt, Subject: 300, Aux: 2},
			{Type: Member, Subject: 1, Expires: testNow.Unix(), Nonce: 1}, // expired
		} {
			tok := sign(k, c)
			signed[tok] = true
			f.Add(tok)
			f.Add("https://vol.example.gov.cn/q/" + tok + "\r\n")
		}
	}
	for _, g := range []string{"", "m", "hello", "pAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "c\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", "/q/"} {
		f.Add(g)
	}
	sentinels := []error{ErrMalformed, ErrBadSignature, ErrUnknownKey, ErrExpired}
	var altered sync.Map // tokens whose alterations were already tried, to keep the fuzzer fast

	f.Fuzz(func(t *testing.T, input string) {
		c, err := s.Parse(input, testNow)
		if err != nil {
			for _, e := range sentinels {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("Parse(%q) failed with a foreign error: %v", input, err)
		}
		tok := FromScan(input)
		if !signed[tok] {
			t.Fatalf("Parse accepted %q, which this test never signed: %+v", input, c)
		}
		_, kid, _ := s.decode(tok)
		if again := sign(keys[kid], c); again != tok {
			t.Fatalf("accepted %q but its claims re-encode to %q", tok, again)
		}
		if v, err := s.Verify(input, c.Type, testNow); err != nil || v != c {
			t.Fatalf("Verify disagrees with Parse on %q: %+v, %v", input, v, err)
		}
		if _, done := altered.LoadOrStore(tok, true); done {
			return
		}
		for _, m := range mutations(t, tok) {
			if mc, err := s.Parse(m, testNow); err == nil {
				t.Fatalf("alteration %q of %q accepted: %+v", m, tok, mc)
			}
		}
	})
}
