package qr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Claims are what a token says. Zero in an optional field means the field is absent and takes no
// room in the token.
type Claims struct {
	Type    Type
	Subject int64  // the activity, user, order, certificate or donation the token names (> 0)
	Aux     int64  // a second id where one helps, such as the store of a pickup order; 0 = none
	Expires int64  // unix seconds from which the token is refused; 0 = never
	Nonce   uint64 // random, on single-use types only, so Redis can mark this one token spent; 0 = none
}

// ExpiresAt returns the expiry as a time, or the zero time when the token never expires.
func (c Claims) ExpiresAt() time.Time {
	if c.Expires == 0 {
		return time.Time{}
	}
	return time.Unix(c.Expires, 0)
}

// ErrInvalidClaims means the claims cannot be put in a token: an unknown type, a subject that is not
// positive, an expiring type without expiry, or a nonce missing on a single-use type (or present on
// another).
var ErrInvalidClaims = errors.New("qr: invalid claims")

// maxExpires keeps an expiry within five varint bytes (the year 3058), so the longest token stays
// within the QR version the design promises.
const maxExpires = 1<<35 - 1

// The flags byte says which optional fields follow the subject.
const (
	flagAux     = 1 << 0
	flagExpires = 1 << 1
	flagNonce   = 1 << 2
	flagsKnown  = flagAux | flagExpires | flagNonce
)

// validate checks that c can be signed, and so also what every accepted token must satisfy.
func (c Claims) validate() error {
	switch {
	case !c.Type.Valid():
		return fmt.Errorf("%w: unknown type %q", ErrInvalidClaims, byte(c.Type))
	case c.Subject <= 0:
		return fmt.Errorf("%w: subject %d is not positive", ErrInvalidClaims, c.Subject)
	case c.Aux < 0:
		return fmt.Errorf("%w: aux %d is negative", ErrInvalidClaims, c.Aux)
	case c.Expires < 0 || c.Expires > maxExpires:
		return fmt.Errorf("%w: expiry %d out of range", ErrInvalidClaims, c.Expires)
	case c.Type.Expiring() && c.Expires == 0:
		return fmt.Errorf("%w: a %s token must expire", ErrInvalidClaims, c.Type)
	case c.Type.SingleUse() != (c.Nonce != 0):
		return fmt.Errorf("%w: a %s token has a nonce if and only if it is single use", ErrInvalidClaims, c.Type)
	}
	return nil
}

// appendFields appends the claims' fields (everything between the key id and the MAC).
func (c Claims) appendFields(b []byte) []byte {
	var flags byte
	if c.Aux != 0 {
		flags |= flagAux
	}
	if c.Expires != 0 {
		flags |= flagExpires
	}
	if c.Nonce != 0 {
		flags |= flagNonce
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(c.Subject))
	if c.Aux != 0 {
		b = binary.AppendUvarint(b, uint64(c.Aux))
	}
	if c.Expires != 0 {
		b = binary.AppendUvarint(b, uint64(c.Expires))
	}
	if c.Nonce != 0 {
		b = binary.BigEndian.AppendUint64(b, c.Nonce)
	}
	return b
}

// parseFields reads what appendFields wrote. It is only given fields whose MAC has been checked, but
// it still refuses anything that does not re-encode to the same bytes, so one set of claims has one
// spelling and a signer bug cannot open a second one.
func parseFields(t Type, b []byte) (Claims, bool) {
	c := Claims{Type: t}
	if len(b) == 0 || b[0]&^flagsKnown != 0 {
		return Claims{}, false
	}
	flags, rest := b[0], b[1:]
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, false
		}
		rest = rest[n:]
		return v, true
	}
	v, ok := next()
	if !ok || v > 1<<63-1 {
		return Claims{}, false
	}
	c.Subject = int64(v)
	if flags&flagAux != 0 {
		if v, ok = next(); !ok || v > 1<<63-1 {
			return Claims{}, false
		}
		c.Aux = int64(v)
	}
	if flags&flagExpires != 0 {
		if v, ok = next(); !ok || v > maxExpires {
			return Claims{}, false
		}
		c.Expires = int64(v)
	}
	if flags&flagNonce != 0 {
		if len(rest) < 8 {
			return Claims{}, false
		}
		c.Nonce, rest = binary.BigEndian.Uint64(rest), rest[8:]
	}
	if len(rest) != 0 || c.validate() != nil || string(c.appendFields(nil)) != string(b) {
		return Claims{}, false
	}
	return c, true
}
