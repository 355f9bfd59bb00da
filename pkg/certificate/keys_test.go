package certificate_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"timebank/pkg/certificate"
)

// wellKnownDoc is the public keys document as a third party reads it.
type wellKnownDoc struct {
	Keys []struct {
		ID        int    `json:"kid"`
		PublicKey string `json:"public_key"`
		Since     string `json:"since"`
		Current   bool   `json:"current"`
	} `json:"keys"`
	Size   int `json:"size"`
	Layout []struct {
		Offset, Size int
		Name         string
	} `json:"layout"`
	VerifyURL string `json:"verify_url"`
}

func wellKnown(t *testing.T, svc *certificate.Service) []byte {
	t.Helper()
	b, err := svc.WellKnown(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// offlineOK checks a code with nothing but the document: the key its second byte names, and the
// signature over the payload.
func (d wellKnownDoc) offlineOK(token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 98 {
		return false
	}
	for _, k := range d.Keys {
		if k.ID == int(raw[1]) {
			pub, _ := base64.RawURLEncoding.DecodeString(k.PublicKey)
			return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, raw[:34], raw[34:])
		}
	}
	return false
}

// Keys rotate for real: after RotateKey, new certificates are signed by key 2 while a certificate
// signed by key 1 still checks, online (by this instance and by another one over the same
// database) and offline from the public keys document, which lists both keys with the date each
// began to sign. A code signed by key 3, which the secret could derive but nobody rotated to, is
// refused, and so is any code under another secret.
func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	old := e.issue(t, e.orgID, u.ID)
	if old.KeyID != 1 {
		t.Fatalf("first key %d", old.KeyID)
	}
	*e.clock = now.Add(24 * time.Hour)
	k, err := e.svc.RotateKey(ctx, "operator")
	if err != nil || k.ID != 2 || !k.Since.Equal(*e.clock) {
		t.Fatalf("rotate = %+v, %v", k, err)
	}
	e.record(t, e.orgID, u.ID, "2026-01-11", "陪伴", 60, "scan")
	fresh := e.issue(t, e.orgID, u.ID)
	if raw, _ := base64.RawURLEncoding.DecodeString(fresh.Token); fresh.KeyID != 2 || raw[1] != 2 {
		t.Fatalf("a certificate after rotation is signed by key %d", fresh.KeyID)
	}
	another, err := certificate.New(e.db, derive, certificate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []certificate.Certificate{old, fresh} {
		for _, svc := range []*certificate.Service{e.svc, another} {
			if pc, err := svc.Check(ctx, c.Token); err != nil || !pc.Genuine || pc.Number != c.Number {
				t.Errorf("check of %s (key %d) = %+v, %v", c.Number, c.KeyID, pc, err)
			}
			if _, err := svc.Verify(ctx, c.Token); err != nil {
				t.Errorf("verify of key %d: %v", c.KeyID, err)
			}
		}
	}
	var doc wellKnownDoc
	if err := json.Unmarshal(wellKnown(t, e.svc), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 || doc.Keys[0].ID != 1 || doc.Keys[1].ID != 2 || !doc.Keys[1].Current || doc.Keys[0].Current ||
		doc.Keys[1].Since != "2026-03-17T02:00:00Z" || doc.Keys[0].Since == "" || doc.Size != 98 || len(doc.Layout) != 8 ||
		doc.VerifyURL != "https://tb.example/c/{code}" {
		t.Errorf("well-known document = %+v", doc)
	}
	if !doc.offlineOK(old.Token) || !doc.offlineOK(fresh.Token) {
		t.Error("a certificate does not verify offline from the document")
	}
	sum := 0
	for _, f := range doc.Layout {
		if f.Offset != sum {
			t.Errorf("field %s at %d, want %d", f.Name, f.Offset, sum)
		}
		sum += f.Size
	}
	if sum != doc.Size {
		t.Errorf("layout covers %d bytes, want %d", sum, doc.Size)
	}

	// Key 3: derivable from the secret, but not in the register of keys.
	raw, _ := base64.RawURLEncoding.DecodeString(fresh.Token)
	raw[1] = 3
	key3, err := certificate.DeriveKey(derive, 3)
	if err != nil {
		t.Fatal(err)
	}
	forged := base64.RawURLEncoding.EncodeToString(append(raw[:34:34], ed25519.Sign(key3, raw[:34])...))
	if _, err := e.svc.Verify(ctx, forged); !errors.Is(err, certificate.ErrBadToken) {
		t.Errorf("a code under key 3: %v", err)
	}
	if pc, err := e.svc.Check(ctx, forged); err != nil || pc.Genuine {
		t.Errorf("a code under key 3 checks: %+v, %v", pc, err)
	}
	if doc.offlineOK(forged) {
		t.Error("a code under key 3 verifies offline")
	}
	other, err := certificate.New(e.db, func(l string) []byte { return derive("other " + l) }, certificate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Verify(ctx, old.Token); !errors.Is(err, certificate.ErrBadToken) {
		t.Errorf("code under another secret: %v", err)
	}
	var audited int
	if err := e.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'certificate.rotate_key'
AND target = 'certificate-key:2' AND actor = 'operator'`); err != nil || audited != 1 {
		t.Errorf("audit entries of the rotation: %d, %v", audited, err)
	}
	if _, err := e.db.Exec(`DELETE FROM certificate_keys WHERE kid = 1`); err == nil {
		t.Error("a key that signed certificates was removed")
	}
}

// Rotations at the same moment, on many connections, move the keys on one id each or are told
// someone else rotated: the key ids stay contiguous.
func TestConcurrentRotations(t *testing.T) {
	e := newEnv(t)
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]bool{}
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			k, err := e.svc.RotateKey(context.Background(), "operator")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && !got[k.ID]:
				got[k.ID] = true
			case errors.Is(err, certificate.ErrKeyRotated):
			default:
				t.Errorf("rotate: %+v, %v", k, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	keys, err := e.svc.Keys(context.Background())
	if err != nil || len(keys) != len(got)+1 || len(got) == 0 {
		t.Fatalf("keys %+v after %d rotations: %v", keys, len(got), err)
	}
	for i, k := range keys {
		if k.ID != i+1 {
			t.Errorf("key ids %+v are not contiguous", keys)
		}
	}
}
