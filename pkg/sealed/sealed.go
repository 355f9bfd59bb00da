// Package sealed keeps personal data encrypted at the column level: names, addresses and phone
// numbers of people who receive care, and residents' contacts on service requests. A plain
// database dump shows only ciphertext.
//
// Each value is sealed with AES-256-GCM under a key derived from the service secret and a key
// version; the version travels in the first two bytes, so values sealed under an older version
// still open after the current one moves on. The versions are the rows of one table,
// sealed_key_versions, for every sealed column of the service (keys.go): writers seal under the
// newest (Current, Box.At), and Rotate re-seals every sealed table under a new one. The
// column's name is bound into the seal (additional data), so a value copied into another column
// does not open there.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// ErrBroken is returned by Open for a value that was not sealed by this service's secret, was
// sealed for another column, or was changed.
var ErrBroken = errors.New("sealed: value does not open")

// Box seals and opens values. It is safe for concurrent use.
type Box struct {
	derive  func(label string) []byte
	current uint16
	keys    *keyCache // shared by the boxes At returns
}

// keyCache holds the ciphers of the key versions met so far.
type keyCache struct {
	mu    sync.Mutex
	aeads map[uint16]cipher.AEAD
}

// New returns a box sealing under key version current (≥ 1); derive is config.DeriveKey.
func New(derive func(label string) []byte, current int) *Box {
	checkVersion(current)
	return &Box{derive: derive, current: uint16(current), keys: &keyCache{aeads: map[uint16]cipher.AEAD{}}}
}

func checkVersion(v int) {
	if v < 1 || v > 0xffff {
		panic(fmt.Sprintf("sealed: key version %d out of range", v))
	}
}

// At returns a box of the same secret sealing under key version v (≥ 1). Writers seal under the
// version Current reads from the key table: At(v) of the service's box.
func (b *Box) At(v int) *Box {
	checkVersion(v)
	if uint16(v) == b.current {
		return b
	}
	return &Box{derive: b.derive, current: uint16(v), keys: b.keys}
}

// Current is the key version new values are sealed under.
func (b *Box) Current() int { return int(b.current) }

func (b *Box) aead(version uint16) cipher.AEAD {
	b.keys.mu.Lock()
	defer b.keys.mu.Unlock()
	if a, ok := b.keys.aeads[version]; ok {
		return a
	}
	block, err := aes.NewCipher(b.derive(fmt.Sprintf("sealed column v%d", version)))
	if err != nil {
		panic(err) // DeriveKey returns 32 bytes: AES-256 always accepts them
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	b.keys.aeads[version] = a
	return a
}

// Seal encrypts plain for column (e.g. "care_people.phone"). An empty value seals to nil, so an
// absent phone stays NULL in the database.
func (b *Box) Seal(column, plain string) []byte {
	if plain == "" {
		return nil
	}
	return b.sealWith(b.current, column, plain)
}

func (b *Box) sealWith(version uint16, column, plain string) []byte {
	a := b.aead(version)
	out := make([]byte, 2+a.NonceSize(), 2+a.NonceSize()+len(plain)+a.Overhead())
	binary.BigEndian.PutUint16(out, version)
	if _, err := rand.Read(out[2:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return a.Seal(out, out[2:], []byte(plain), []byte(column))
}

// Open decrypts a value sealed for column; nil opens to "".
func (b *Box) Open(column string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if len(sealed) < 2 {
		return "", ErrBroken
	}
	version := binary.BigEndian.Uint16(sealed)
	if version == 0 {
		return "", ErrBroken
	}
	a := b.aead(version)
	if len(sealed) < 2+a.NonceSize()+a.Overhead() {
		return "", ErrBroken
	}
	plain, err := a.Open(nil, sealed[2:2+a.NonceSize()], sealed[2+a.NonceSize():], []byte(column))
	if err != nil {
		return "", ErrBroken
	}
	return string(plain), nil
}

// Version is the key version a value was sealed under (0 for an empty value).
func Version(sealed []byte) int {
	if len(sealed) < 2 {
		return 0
	}
	return int(binary.BigEndian.Uint16(sealed))
}

// Reseal opens a value and seals it again under the current version; a value already under the
// current version comes back unchanged (changed reports whether it moved).
func (b *Box) Reseal(column string, sealed []byte) (out []byte, changed bool, err error) {
	if len(sealed) == 0 || Version(sealed) == int(b.current) {
		return sealed, false, nil
	}
	plain, err := b.Open(column, sealed)
	if err != nil {
		return nil, false, err
	}
	return b.sealWith(b.current, column, plain), true, nil
}

// Index is a keyed hash of a value for finding rows by it (a phone number, say) without storing it
// in the clear; it does not change with the key version, so lookups survive a rotation.
func (b *Box) Index(column, plain string) []byte {
	m := hmac.New(sha256.New, b.derive("sealed column index"))
	m.Write([]byte(column))
	m.Write([]byte{0})
	m.Write([]byte(plain))
	return m.Sum(nil)
}
