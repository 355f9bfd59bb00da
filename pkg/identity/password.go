package identity

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits. The upper one is in bytes because it protects the hash function, not the
// user; a hundred Chinese characters still fit.
const (
	MinPasswordRunes = 8
	MaxPasswordBytes = 128
)

// Errors of ValidatePassword and CheckPassword.
var (
	// ErrPasswordTooShort means the password has fewer than MinPasswordRunes characters.
	ErrPasswordTooShort = errors.New("identity: password too short")
	// ErrPasswordTooLong means the password is longer than MaxPasswordBytes bytes.
	ErrPasswordTooLong = errors.New("identity: password too long")
	// ErrPasswordCommon means the password is on the list of common passwords, or is one character
	// repeated: either is among the first guesses of anyone trying numbers one by one.
	ErrPasswordCommon = errors.New("identity: password too common")
	// ErrPasswordLikePhone means the password is or contains the user's phone number, which is the
	// log-in name and printed on every voucher.
	ErrPasswordLikePhone = errors.New("identity: password contains the phone number")
	// ErrPasswordHashFormat means a stored hash is not an argon2id PHC string with sane parameters;
	// it points at a damaged or foreign database value, not at the user.
	ErrPasswordHashFormat = errors.New("identity: malformed password hash")
)

//go:embed common_passwords.txt
var commonPasswordList string

// ValidatePassword checks a new password for the account of phone (normalized or as typed; empty
// skips that rule). The list is compared in lower case, so Woaini1314 is as refused as woaini1314.
func ValidatePassword(pw, phone string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordRunes:
		return ErrPasswordTooShort
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordTooLong
	case isCommonPassword(pw) || oneRepeatedRune(pw):
		return ErrPasswordCommon
	case containsPhone(pw, phone):
		return ErrPasswordLikePhone
	}
	return nil
}

// isCommonPassword scans the embedded list on each call: a few hundred lines at registration cost
// microseconds, and no package-level table has to be built or kept.
func isCommonPassword(pw string) bool {
	pw = strings.ToLower(strings.TrimSpace(pw))
	for line := range strings.Lines(commonPasswordList) {
		line = strings.TrimSpace(line)
		if line != "" && line[0] != '#' && line == pw {
			return true
		}
	}
	return false
}

func oneRepeatedRune(pw string) bool {
	first, _ := utf8.DecodeRuneInString(pw)
	return strings.Trim(pw, string(first)) == ""
}

// containsPhone also looks through spaces and dashes, so 138-1234-5678 in a password is caught.
func containsPhone(pw, phone string) bool {
	p, err := NormalizePhone(phone)
	if err != nil {
		p = strings.TrimSpace(phone)
	}
	if p == "" {
		return false
	}
	bare := strings.NewReplacer(" ", "", "-", "").Replace(pw)
	return strings.Contains(pw, p) || strings.Contains(bare, p)
}

// argon2id parameters: the OWASP minimum (19 MiB, one pass, one lane), so a 2-core server can log
// people in quickly. Each hash records them, so raising them later leaves old hashes valid.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 1
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash of pw with a fresh random salt, in the PHC string format
// $argon2id$v=19$m=19456,t=1,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches encoded, with the parameters read from encoded and the
// keys compared in constant time. A wrong password is (false, nil); only a malformed hash is an error.
func CheckPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" ||
		parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, ErrPasswordHashFormat
	}
	memory, iterations, threads, ok := parseArgonParams(parts[3])
	if !ok {
		return false, ErrPasswordHashFormat
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(want) < 16 || len(want) > 64 {
		return false, ErrPasswordHashFormat
	}
	got := argon2.IDKey([]byte(pw), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parseArgonParams reads "m=…,t=…,p=…". The bounds keep a tampered database row from making one
// log-in take gigabytes or minutes; they are far above anything this server would choose.
func parseArgonParams(s string) (memory, iterations uint32, threads uint8, ok bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var v [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, found := strings.CutPrefix(fields[i], name)
		n, err := strconv.ParseUint(digits, 10, 32)
		if !found || err != nil {
			return 0, 0, 0, false
		}
		v[i] = n
	}
	if v[0] < 8 || v[0] > 1<<20 || v[1] < 1 || v[1] > 32 || v[2] < 1 || v[2] > 64 {
		return 0, 0, 0, false
	}
	return uint32(v[0]), uint32(v[1]), uint8(v[2]), true
}

// dummyHash is hashed on first use rather than at start-up, so programs that never log anyone in do
// not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not the password of any account")
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return h
})

// DummyCheckPassword spends the time of a real CheckPassword, for log-ins with an unknown phone
// number, so that response times do not tell which numbers are registered.
func DummyCheckPassword(pw string) {
	_, _ = CheckPassword(dummyHash(), pw)
}
