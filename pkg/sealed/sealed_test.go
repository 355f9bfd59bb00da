package sealed

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
)

func derive(secret string) func(string) []byte {
	return func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
}

func TestSealOpensOnlyForItsColumnAndSecret(t *testing.T) {
	b := New(derive("one"), 1)
	s := b.Seal("care_people.phone", "13812345678")
	if bytes.Contains(s, []byte("13812345678")) || bytes.Contains(s, []byte("12345678")) {
		t.Fatalf("sealed value shows the number: %x", s)
	}
	if got, err := b.Open("care_people.phone", s); err != nil || got != "13812345678" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := b.Open("care_people.address", s); !errors.Is(err, ErrBroken) {
		t.Fatalf("another column opened it: %v", err)
	}
	if _, err := New(derive("two"), 1).Open("care_people.phone", s); !errors.Is(err, ErrBroken) {
		t.Fatalf("another secret opened it: %v", err)
	}
	for i := range s {
		c := bytes.Clone(s)
		c[i] ^= 1
		if _, err := b.Open("care_people.phone", c); err == nil {
			t.Fatalf("a changed byte %d still opened", i)
		}
	}
	if again := b.Seal("care_people.phone", "13812345678"); bytes.Equal(again, s) {
		t.Fatal("two seals of one value are equal: the nonce is not fresh")
	}
	if b.Seal("x", "") != nil {
		t.Fatal("empty value sealed to bytes")
	}
	if got, err := b.Open("x", nil); got != "" || err != nil {
		t.Fatalf("nil opened to %q, %v", got, err)
	}
	for _, short := range [][]byte{{0}, {0, 1}, {0, 0, 1, 2}} {
		if _, err := b.Open("x", short); !errors.Is(err, ErrBroken) {
			t.Fatalf("short value %x opened: %v", short, err)
		}
	}
}

func TestResealMovesOldValuesToTheCurrentKey(t *testing.T) {
	old := New(derive("s"), 1)
	s1 := old.Seal("c", "浙江省海宁市硖石街道")
	now := New(derive("s"), 2)
	if got, err := now.Open("c", s1); err != nil || got != "浙江省海宁市硖石街道" {
		t.Fatalf("old version does not open after rotation: %q %v", got, err)
	}
	s2, changed, err := now.Reseal("c", s1)
	if err != nil || !changed || Version(s2) != 2 || Version(s1) != 1 {
		t.Fatalf("reseal: changed=%v err=%v versions %d→%d", changed, err, Version(s1), Version(s2))
	}
	if got, _ := now.Open("c", s2); got != "浙江省海宁市硖石街道" {
		t.Fatalf("resealed opens to %q", got)
	}
	if s3, changed, _ := now.Reseal("c", s2); changed || !bytes.Equal(s3, s2) {
		t.Fatal("a value under the current key was sealed again")
	}
	if !bytes.Equal(old.Index("c", "138"), now.Index("c", "138")) || bytes.Equal(now.Index("c", "138"), now.Index("d", "138")) {
		t.Fatal("index changes with the version or ignores the column")
	}
}
