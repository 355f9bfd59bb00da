package certificate_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"timebank/pkg/certificate"
)

// A code verifies to its claims; flipping any bit of any byte, or changing any character, breaks it.
func TestTamperedTokenRefused(t *testing.T) {
	e := newEnv(t)
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	c := e.issue(t, e.orgID, u.ID)
	claims, err := e.svc.Verify(context.Background(), c.Token)
	if err != nil {
		t.Fatal(err)
	}
	if claims.CertificateID != c.ID || claims.OrgID != e.orgID || claims.IssueDate != "2026-03-16" ||
		claims.TotalMinutes != 95 || claims.KeyID != 1 || string(claims.Digest) != string(certificate.Digest(c.Number, "王**")) {
		t.Errorf("claims = %+v", claims)
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Token)
	if err != nil || len(raw) != 98 {
		t.Fatalf("token of %d bytes: %v", len(raw), err)
	}
	for i := range raw {
		for _, mask := range []byte{0x01, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= mask
			if _, err := e.svc.Verify(context.Background(), base64.RawURLEncoding.EncodeToString(b)); !errors.Is(err, certificate.ErrBadToken) {
				t.Errorf("byte %d ^ %#x: err = %v, want ErrBadToken", i, mask, err)
			}
		}
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(c.Token) {
		b := []byte(c.Token)
		b[i] = alphabet[(indexOf(alphabet, b[i])+1)%64]
		if _, err := e.svc.Verify(context.Background(), string(b)); !errors.Is(err, certificate.ErrBadToken) {
			t.Errorf("character %d changed: err = %v", i, err)
		}
		pc, err := e.svc.Check(context.Background(), string(b))
		if err != nil || pc.Genuine {
			t.Errorf("character %d changed: check = %+v, %v", i, pc, err)
		}
	}
	for _, bad := range []string{"", "x", c.Token + "A", c.Token[:len(c.Token)-1]} {
		if _, err := e.svc.Verify(context.Background(), bad); !errors.Is(err, certificate.ErrBadToken) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
}

func indexOf(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// A third party checks a code with nothing but the well-known document: the key by its id, the
// signature over the payload, and the digest of the number and masked name printed on the paper.
func TestOfflineCheckFromWellKnown(t *testing.T) {
	e := newEnv(t)
	u := e.volunteer(t, "欧阳娜娜", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	c := e.issue(t, e.orgID, u.ID)
	var doc struct {
		Keys []struct {
			ID        int    `json:"kid"`
			PublicKey string `json:"public_key"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(wellKnown(t, e.svc), &doc); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(c.Token)
	var pub []byte
	for _, k := range doc.Keys {
		if k.ID == int(raw[1]) {
			pub, _ = base64.RawURLEncoding.DecodeString(k.PublicKey)
		}
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, raw[:34], raw[34:]) {
		t.Fatalf("the signature does not verify with the published key %d", raw[1])
	}
	sum := sha256.Sum256([]byte("timebank certificate\x00" + c.Number + "\x00" + "欧***"))
	if !bytes.Equal(raw[26:34], sum[:8]) || binary.BigEndian.Uint32(raw[22:]) != 95 ||
		binary.BigEndian.Uint32(raw[18:]) != 20260316 || binary.BigEndian.Uint64(raw[2:]) != uint64(c.ID) {
		t.Errorf("payload %x does not match the paper", raw[:34])
	}
}
