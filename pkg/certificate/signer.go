package certificate

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// Signer holds the Ed25519 keys that sign certificates' verification codes: the current one, and
// every older one still accepted, so that keys can rotate without voiding printed certificates.
type Signer struct {
	current byte
	keys    map[byte]ed25519.PrivateKey
}

// KeyLabel is the label under which the secret derives the seed of key id (see config.DeriveKey):
// a label of its own, so the key is worthless for any other use of the secret.
func KeyLabel(id byte) string { return "certificate-ed25519:" + strconv.Itoa(int(id)) }

// NewSigner derives the keys with ids 1 to current from the secret (derive is config.DeriveKey)
// and signs with key current. Rotating means raising current: the older keys keep verifying.
func NewSigner(derive func(label string) []byte, current byte) (*Signer, error) {
	if current == 0 {
		return nil, fmt.Errorf("certificate: key id 0 is not a key")
	}
	s := &Signer{current: current, keys: map[byte]ed25519.PrivateKey{}}
	for id := byte(1); id <= current && id != 0; id++ {
		seed := derive(KeyLabel(id))
		if len(seed) < ed25519.SeedSize {
			return nil, fmt.Errorf("certificate: derived seed of key %d is too short", id)
		}
		s.keys[id] = ed25519.NewKeyFromSeed(seed[:ed25519.SeedSize])
	}
	return s, nil
}

// KeyID returns the id of the key that signs new certificates.
func (s *Signer) KeyID() int { return int(s.current) }

// WellKnown returns the JSON document served at /.well-known/timebank-certificates.json: the
// public keys with their ids, the algorithm, and the layout of a verification code, so that a third
// party can check a certificate offline. verifyURL is where a code is opened (BASE_URL/c/).
func (s *Signer) WellKnown(verifyURL string) []byte {
	type key struct {
		ID        int    `json:"kid"`
		Algorithm string `json:"alg"`
		PublicKey string `json:"public_key"`
		Current   bool   `json:"current"`
	}
	type field struct {
		Offset int    `json:"offset"`
		Size   int    `json:"size"`
		Name   string `json:"name"`
		Format string `json:"format"`
	}
	doc := struct {
		Algorithm string  `json:"algorithm"`
		Keys      []key   `json:"keys"`
		Encoding  string  `json:"encoding"`
		VerifyURL string  `json:"verify_url"`
		Size      int     `json:"size"`
		Layout    []field `json:"layout"`
		Digest    string  `json:"digest"`
	}{
		Algorithm: "Ed25519 (RFC 8032)",
		Encoding:  "base64url without padding (RFC 4648 §5)",
		VerifyURL: verifyURL + "{code}",
		Size:      tokenSize,
		Layout: []field{
			{0, 1, "version", "unsigned integer, 1"},
			{1, 1, "key_id", "unsigned integer: the kid of the key that signed"},
			{2, 8, "certificate_id", "unsigned integer, big-endian"},
			{10, 8, "org_id", "unsigned integer, big-endian"},
			{18, 4, "issue_date", "unsigned integer YYYYMMDD, big-endian"},
			{22, 4, "total_minutes", "unsigned integer, big-endian"},
			{26, 8, "digest", "first 8 bytes of SHA-256 of \"timebank certificate\\x00\" number \"\\x00\" masked name, UTF-8"},
			{34, 64, "signature", "Ed25519 signature of bytes 0-33"},
		},
		Digest: "binds the code to the certificate number and the masked name printed on the certificate",
	}
	for id := byte(1); id <= s.current && id != 0; id++ {
		pub := s.keys[id].Public().(ed25519.PublicKey)
		doc.Keys = append(doc.Keys, key{ID: int(id), Algorithm: "Ed25519",
			PublicKey: base64.RawURLEncoding.EncodeToString(pub), Current: id == s.current})
	}
	b, _ := json.MarshalIndent(doc, "", "  ") // a struct of strings and numbers always marshals
	return b
}
