package certificate

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Key is one key that signs certificates' codes, as the register of keys (certificate_keys) and
// the public keys document show it: its id, printed in every code it signs, and since when it signs.
type Key struct {
	ID    int       `db:"kid" json:"kid"`
	Since time.Time `db:"since" json:"since"`
}

// Signer holds the Ed25519 keys that sign certificates' verification codes: the current one, and
// every older one still accepted, so that keys can rotate without voiding printed certificates.
type Signer struct {
	current byte
	keys    map[byte]ed25519.PrivateKey
	since   map[byte]time.Time
}

// KeyLabel is the label under which the secret derives the seed of key id (see config.DeriveKey):
// a label of its own, so the key is worthless for any other use of the secret.
func KeyLabel(id byte) string { return "certificate-ed25519:" + strconv.Itoa(int(id)) }

// DeriveKey derives the private key of id from the secret (derive is config.DeriveKey).
func DeriveKey(derive func(label string) []byte, id byte) (ed25519.PrivateKey, error) {
	seed := derive(KeyLabel(id))
	if len(seed) < ed25519.SeedSize {
		return nil, fmt.Errorf("certificate: derived seed of key %d is too short", id)
	}
	return ed25519.NewKeyFromSeed(seed[:ed25519.SeedSize]), nil
}

// NewSigner derives the keys listed from the secret (derive is config.DeriveKey) and signs with
// the one of the highest id. Only the keys listed verify: a code naming any other id is refused,
// even one the secret could derive.
func NewSigner(derive func(label string) []byte, keys []Key) (*Signer, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("certificate: no signing key")
	}
	s := &Signer{keys: map[byte]ed25519.PrivateKey{}, since: map[byte]time.Time{}}
	for _, k := range keys {
		if k.ID < 1 || k.ID > 255 {
			return nil, fmt.Errorf("certificate: key id %d is not a key", k.ID)
		}
		id := byte(k.ID)
		priv, err := DeriveKey(derive, id)
		if err != nil {
			return nil, err
		}
		s.keys[id], s.since[id] = priv, k.Since
		s.current = max(s.current, id)
	}
	return s, nil
}

// KeyID returns the id of the key that signs new certificates.
func (s *Signer) KeyID() int { return int(s.current) }

// WellKnown returns the JSON document served at /.well-known/timebank-certificates.json: every
// public key with its id and since when it signs, the algorithm, and the layout of a verification
// code, so that a third party can check a certificate offline. verifyURL is where a code is opened
// (BASE_URL/c/).
func (s *Signer) WellKnown(verifyURL string) []byte {
	type key struct {
		ID        int    `json:"kid"`
		Algorithm string `json:"alg"`
		PublicKey string `json:"public_key"`
		Since     string `json:"since"` // RFC 3339: from then on it signs new certificates
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
		Rotation  string  `json:"rotation"`
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
		Digest:   "binds the code to the certificate number and the masked name printed on the certificate",
		Rotation: "the current key signs new certificates; every key listed keeps verifying what it signed; a key id not listed is not genuine",
	}
	for id := byte(1); id != 0; id++ {
		priv, ok := s.keys[id]
		if !ok {
			continue
		}
		doc.Keys = append(doc.Keys, key{ID: int(id), Algorithm: "Ed25519",
			PublicKey: base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)),
			Since:     s.since[id].UTC().Format(time.RFC3339), Current: id == s.current})
	}
	b, _ := json.MarshalIndent(doc, "", "  ") // a struct of strings and numbers always marshals
	return b
}
