package qr

import (
	"bytes"
	"errors"
	"testing"
)

// keyID returns the key id a token was signed with.
func keyID(t *testing.T, tok string) byte {
	t.Helper()
	body, err := b64.DecodeString(tok[1:])
	if err != nil {
		t.Fatal(err)
	}
	return body[0]
}

func TestRotation(t *testing.T) {
	oldKey, newKey := testKey(1), testKey(2)
	before := newTestSigner(t, oldKey)
	during := newTestSigner(t, newKey, oldKey)
	after := newTestSigner(t, newKey)

	cert := Claims{Type: Certificate, Subject: 31}
	printed := mustSign(t, before, cert)
	fresh := mustSign(t, during, cert)
	if keyID(t, printed) != 1 || keyID(t, fresh) != 2 {
		t.Fatalf("key ids %d and %d, want 1 and 2", keyID(t, printed), keyID(t, fresh))
	}
	if printed == fresh {
		t.Fatal("old and new key made the same token")
	}
	tests := []struct {
		name   string
		signer *Signer
		token  string
		err    error
	}{
		{"old token, old key only", before, printed, nil},
		{"old token, old key still listed", during, printed, nil},
		{"new token, both keys", during, fresh, nil},
		{"new token on a server not yet rotated", before, fresh, ErrUnknownKey},
		{"old token after the old key is dropped", after, printed, ErrUnknownKey},
		{"new token, new key only", after, fresh, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.signer.Verify(tt.token, Certificate, testNow)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.err)
			}
			if err == nil && c != cert {
				t.Fatalf("claims %+v, want %+v", c, cert)
			}
		})
	}

	// The same key id with another secret is a forgery, not an unknown key.
	impostor := newTestSigner(t, Key{ID: 1, Secret: bytes.Repeat([]byte("x"), 32)})
	if _, err := impostor.Verify(printed, Certificate, testNow); !errors.Is(err, ErrBadSignature) {
		t.Errorf("token under another secret with the same id: %v", err)
	}
}

func TestNewSignerRefusesBadKeys(t *testing.T) {
	if _, err := NewSigner(testKey(1), testKey(2), testKey(1)); err == nil {
		t.Error("a key id given twice was accepted")
	}
	if _, err := NewSigner(Key{ID: 1, Secret: []byte("short")}); err == nil {
		t.Error("a short secret was accepted")
	}
	if _, err := NewSigner(testKey(1), Key{ID: 2}); err == nil {
		t.Error("an empty older secret was accepted")
	}
}

func TestDeriveKey(t *testing.T) {
	secret := []byte("the service secret, at least 32 bytes long")
	k := DeriveKey(4, secret)
	if k.ID != 4 || len(k.Secret) != 32 || bytes.Contains(k.Secret, secret) {
		t.Fatalf("DeriveKey = %+v", k)
	}
	if again := DeriveKey(4, secret); !bytes.Equal(again.Secret, k.Secret) {
		t.Error("DeriveKey is not deterministic: servers would not agree")
	}
	if other := DeriveKey(4, append(secret, '!')); bytes.Equal(other.Secret, k.Secret) {
		t.Error("another secret derived the same key")
	}

	// A token signed with the raw secret (as a careless caller would) does not verify: the QR key is
	// not the service secret.
	derived, err := NewSignerFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	raw := newTestSigner(t, Key{ID: 1, Secret: secret})
	cert := Claims{Type: Certificate, Subject: 9}
	if _, err := derived.Verify(mustSign(t, raw, cert), Certificate, testNow); !errors.Is(err, ErrBadSignature) {
		t.Errorf("token signed with the raw secret: %v", err)
	}
	if _, err := derived.Verify(mustSign(t, newTestSigner(t, DeriveKey(1, secret)), cert), Certificate, testNow); err != nil {
		t.Errorf("token signed with the derived key: %v", err)
	}
}

// TestSignerKeepsItsOwnCopy checks that a caller wiping or reusing its key buffer after NewSigner does
// not change the signer's keys.
func TestSignerKeepsItsOwnCopy(t *testing.T) {
	secret := bytes.Repeat([]byte("k"), 32)
	s := newTestSigner(t, Key{ID: 1, Secret: secret})
	tok := mustSign(t, s, Claims{Type: Receipt, Subject: 3})
	for i := range secret {
		secret[i] = 0
	}
	if _, err := s.Verify(tok, Receipt, testNow); err != nil {
		t.Errorf("after the caller wiped its buffer: %v", err)
	}
	if again := mustSign(t, s, Claims{Type: Receipt, Subject: 3}); again != tok {
		t.Errorf("signing changed after the caller wiped its buffer")
	}
}
