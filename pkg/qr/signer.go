package qr

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// Key is one QR signing key. Its ID travels in every token it signs, so that after a rotation the
// codes already printed or shown keep verifying under the old key while new ones use the new.
type Key struct {
	ID     byte
	Secret []byte
}

// MinKeyLen is the shortest key secret a Signer accepts (128 bits).
const MinKeyLen = 16

// keyLabel separates the QR key from every other key derived from the service secret (sessions,
// CSRF …): a token of one kind can never be passed off as another, and the raw secret never signs
// anything a stranger can photograph.
const keyLabel = "timebank qr token v1"

// DeriveKey returns the QR key with the given id derived from the service secret (TIMEBANK_SECRET) by
// HMAC-SHA256 under a fixed label.
//
// Certificates and donation receipts never expire, so a secret that has ever signed them must stay
// listed (as an older key) for as long as those papers should verify: dropping it turns every
// printed certificate into "bad signature".
func DeriveKey(id byte, secret []byte) Key {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(keyLabel))
	return Key{ID: id, Secret: m.Sum(nil)}
}

// Signer signs tokens with its current key and verifies tokens signed by any of its keys. It is safe
// for concurrent use.
type Signer struct {
	current Key
	keys    [256][]byte // secret by key id; nil = unknown
}

// NewSigner returns a signer that signs with current and also accepts tokens signed by older keys.
// It refuses key ids given twice and secrets shorter than MinKeyLen.
func NewSigner(current Key, older ...Key) (*Signer, error) {
	s := &Signer{current: current}
	for _, k := range append([]Key{current}, older...) {
		if len(k.Secret) < MinKeyLen {
			return nil, fmt.Errorf("qr: key %d is shorter than %d bytes", k.ID, MinKeyLen)
		}
		if s.keys[k.ID] != nil {
			return nil, fmt.Errorf("qr: key id %d is given twice", k.ID)
		}
		s.keys[k.ID] = append([]byte(nil), k.Secret...)
	}
	s.current.Secret = s.keys[current.ID]
	return s, nil
}

// NewSignerFromSecret returns a signer with one key, id 1, derived from the service secret. Give
// NewSigner the derived keys of old and new secrets instead when the secret rotates.
func NewSignerFromSecret(secret []byte) (*Signer, error) {
	return NewSigner(DeriveKey(1, secret))
}

// macLen is the length of the cut MAC: 96 bits, beyond any online guessing, in 16 base64 characters.
const macLen = 12

// The bounds of a token's body: key id, flags, a one-byte subject and the MAC, up to the same with
// every field at its longest (nine varint bytes for an int64, five for an expiry).
const (
	minBody     = 2 + 1 + macLen
	maxBody     = 2 + 9 + 9 + 5 + 8 + macLen
	minTokenLen = 1 + (minBody*8+5)/6
)

// MaxTokenLen is the length of the longest token a Signer makes (61 characters). Parse refuses
// longer input before doing any work on it.
const MaxTokenLen = 1 + (maxBody*8+5)/6

var b64 = base64.RawURLEncoding.Strict()

// mac returns the cut MAC of a token's type character and body (without the MAC).
func mac(secret []byte, t Type, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte{byte(t)})
	m.Write(body)
	return m.Sum(nil)[:macLen]
}

// sign encodes c and signs it with k. Same key and claims, same token: kiosk codes rely on it.
func sign(k Key, c Claims) string {
	body := c.appendFields([]byte{k.ID})
	body = append(body, mac(k.Secret, c.Type, body)...)
	return string(c.Type) + b64.EncodeToString(body)
}

// Sign returns the token for c, signed with the current key. Issue is the usual way to make one; Sign
// is for callers that set every field themselves.
// Errors: ErrInvalidClaims.
func (s *Signer) Sign(c Claims) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	return sign(s.current, c), nil
}

// Issue returns a new token of type t for subject (and aux, 0 for none) that expires at expires (the
// zero time for never), with a fresh random nonce when the type is single use. Every call for a
// single-use type gives a different token, so a page that shows a member or pickup code can simply
// issue a new one whenever it refreshes.
// Errors: ErrInvalidClaims.
func (s *Signer) Issue(t Type, subject, aux int64, expires time.Time) (string, Claims, error) {
	c := Claims{Type: t, Subject: subject, Aux: aux}
	if !expires.IsZero() {
		c.Expires = expires.Unix()
	}
	if t.SingleUse() {
		c.Nonce = newNonce()
	}
	tok, err := s.Sign(c)
	if err != nil {
		return "", Claims{}, err
	}
	return tok, c, nil
}

// newNonce returns a random non-zero nonce; zero means "no nonce" on the wire.
func newNonce() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
		if n := binary.BigEndian.Uint64(b[:]); n != 0 {
			return n
		}
	}
}
