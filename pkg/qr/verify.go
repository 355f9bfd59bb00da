package qr

import (
	"crypto/hmac"
	"errors"
	"time"
)

// The errors of Parse and Verify. A scan can be anything a camera or a keyboard produces, so every
// way a token can be wrong has its own error, and none of them is a server fault.
var (
	// ErrMalformed means the input is not a token at all: wrong length, characters or layout.
	ErrMalformed = errors.New("qr: malformed token")
	// ErrBadSignature means the token is well formed but was not signed by us: forged or altered.
	ErrBadSignature = errors.New("qr: bad token signature")
	// ErrUnknownKey means the token names a key this server does not hold: retired, or made up.
	ErrUnknownKey = errors.New("qr: token signed with an unknown key")
	// ErrExpired means the token was genuine but its time is over (a photo of yesterday's code).
	ErrExpired = errors.New("qr: token expired")
	// ErrWrongType means a genuine token of another kind, such as a member code held to the pickup
	// scanner.
	ErrWrongType = errors.New("qr: wrong kind of token")
)

// maxScanLen bounds what Parse will even look at; a URL around the longest token is far shorter.
const maxScanLen = 2048

// Parse checks a token of any type and returns its claims. It takes what a scanner typed or a camera
// read: the bare token or a whole URL ending in /q/<token>, with whitespace around it (see FromScan).
// The token must be signed by one of the signer's keys and not expired at now. A single-use token
// must also be spent (Spend) before it is acted on.
// Errors: ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrExpired.
func (s *Signer) Parse(token string, now time.Time) (Claims, error) {
	c, _, err := s.decode(token)
	if err != nil {
		return Claims{}, err
	}
	if c.expired(now) {
		return Claims{}, ErrExpired
	}
	return c, nil
}

// Verify is Parse for a token that must be of type want. The type is checked only once the signature
// holds, so an altered token is reported as such and not as the wrong kind.
// Errors: ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrWrongType, ErrExpired.
func (s *Signer) Verify(token string, want Type, now time.Time) (Claims, error) {
	c, _, err := s.decode(token)
	if err != nil {
		return Claims{}, err
	}
	if c.Type != want {
		return Claims{}, ErrWrongType
	}
	if c.expired(now) {
		return Claims{}, ErrExpired
	}
	return c, nil
}

// decode checks the token's signature and returns its claims and key id, without looking at the
// time. The MAC is checked, in constant time, before any field is read.
func (s *Signer) decode(input string) (Claims, byte, error) {
	if len(input) > maxScanLen {
		return Claims{}, 0, ErrMalformed
	}
	token := FromScan(input)
	if len(token) < minTokenLen || len(token) > MaxTokenLen {
		return Claims{}, 0, ErrMalformed
	}
	t := Type(token[0])
	if !t.Valid() {
		return Claims{}, 0, ErrMalformed
	}
	// The decoder would skip newlines inside the token; only the alphabet keeps one spelling per token.
	for i := 1; i < len(token); i++ {
		if !isBase64URL(token[i]) {
			return Claims{}, 0, ErrMalformed
		}
	}
	body, err := b64.DecodeString(token[1:])
	if err != nil || len(body) < minBody {
		return Claims{}, 0, ErrMalformed
	}
	kid := body[0]
	secret := s.keys[kid]
	if secret == nil {
		return Claims{}, 0, ErrUnknownKey
	}
	fields, sum := body[1:len(body)-macLen], body[len(body)-macLen:]
	if !hmac.Equal(sum, mac(secret, t, body[:len(body)-macLen])) {
		return Claims{}, 0, ErrBadSignature
	}
	c, ok := parseFields(t, fields)
	if !ok {
		return Claims{}, 0, ErrMalformed
	}
	return c, kid, nil
}

// expired reports whether the claims' time is over at now. The expiry second itself is over: a code
// "valid for 60 s" is refused in its 61st second, never in its 62nd.
func (c Claims) expired(now time.Time) bool { return c.Expires != 0 && now.Unix() >= c.Expires }

func isBase64URL(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_'
}
