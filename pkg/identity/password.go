package identity

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	MinPasswordRunes = 8
	MaxPasswordBytes = 128
)

// Errors of ValidatePassword and CheckPassword.
var (
	// ErrPasswordTooShort means fewer than MinPasswordRunes characters.
	ErrPasswordTooShort = errors.New("identity: password too short")
	// ErrPasswordTooLong means more than MaxPasswordBytes bytes.
	ErrPasswordTooLong = errors.New("identity: password too long")
	// ErrPasswordCommon means the password is on the list of common passwords, or one repeated character.
	ErrPasswordCommon = errors.New("identity: password too common")
	// ErrPasswordLikePhone means the password contains the phone number.
	ErrPasswordLikePhone = errors.New("identity: password contains the phone number")
	// ErrPasswordHashFormat means a stored hash is not in the expected format.
	ErrPasswordHashFormat = errors.New("identity: malformed password hash")
)

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
})

// ValidatePassword refuses passwords that are short, overlong, common, one repeated character, or
// that contain the user's phone number.
func ValidatePassword(pw, phone string) error {
	switch {
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordTooLong
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return ErrPasswordTooShort
	case commonPasswords()[strings.ToLower(pw)]:
		return ErrPasswordCommon
	case strings.Count(pw, string([]rune(pw)[0])) == utf8.RuneCountInString(pw):
		return ErrPasswordCommon
	case phone != "" && strings.Contains(pw, phone):
		return ErrPasswordLikePhone
	}
	return nil
}

// argon2id parameters: the OWASP minimum (19 MiB, one pass), so a 2-core server can log people in
// quickly. They are written into each hash, so they can be raised later.
const (
	argonMemory  = 19 * 1024
	argonTime    = 1
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword says whether pw matches the encoded hash, comparing in constant time.
func CheckPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrPasswordHashFormat
	}
	var version int
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrPasswordHashFormat
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil ||
		memory == 0 || memory > 1<<20 || iterations == 0 || iterations > 10 || threads == 0 {
		return false, ErrPasswordHashFormat
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, ErrPasswordHashFormat
	}
	got := argon2.IDKey([]byte(pw), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("dummy password for unknown users")
	return h
})

// DummyCheckPassword spends the time of a real check, for log-ins with an unknown phone number, so
// that response times do not tell which numbers are registered.
func DummyCheckPassword(pw string) {
	_, _ = CheckPassword(dummyHash(), pw)
}
