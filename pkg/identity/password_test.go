package identity

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, pw, phone string
		want            error
	}{
		{"passphrase", "correct horse battery", "13812345678", nil},
		{"eight characters", "Tb7#kq2m", "", nil},
		{"Chinese characters", "志愿服务很快乐呀", "", nil},
		{"exactly 128 bytes", strings.Repeat("ab", 64), "", nil},
		{"part of the phone only", "x5678abcdef", "13812345678", nil},
		{"empty", "", "", ErrPasswordTooShort},
		{"seven characters", "Tb7#kq2", "", ErrPasswordTooShort},
		{"short Chinese counted in characters", "短密码很短", "", ErrPasswordTooShort},
		{"129 bytes", strings.Repeat("x", 128) + "y", "", ErrPasswordTooLong},
		{"43 Chinese characters", strings.Repeat("志", 43), "", ErrPasswordTooLong},
		{"12345678", "12345678", "", ErrPasswordCommon},
		{"123456789", "123456789", "", ErrPasswordCommon},
		{"88888888", "88888888", "", ErrPasswordCommon},
		{"woaini1314 capitalized", "Woaini1314", "", ErrPasswordCommon},
		{"PASSWORD", "PASSWORD", "", ErrPasswordCommon},
		{"1qaz2wsx", "1qaz2wsx", "", ErrPasswordCommon},
		{"147258369", "147258369", "", ErrPasswordCommon},
		{"11223344", "11223344", "", ErrPasswordCommon},
		{"aa123456", "aa123456", "", ErrPasswordCommon},
		{"iloveyou with trailing space", "iloveyou ", "", ErrPasswordCommon},
		{"sequence", "abcdefgh", "", ErrPasswordCommon},
		{"one repeated letter", "zzzzzzzzzz", "", ErrPasswordCommon},
		{"one repeated Chinese character", "好好好好好好好好", "", ErrPasswordCommon},
		{"equals the phone", "13812345678", "13812345678", ErrPasswordLikePhone},
		{"contains the phone", "a13812345678!", "13812345678", ErrPasswordLikePhone},
		{"phone given with prefix", "pw13812345678", "+86 138 1234 5678", ErrPasswordLikePhone},
		{"phone typed with dashes", "138-1234-5678ab", "13812345678", ErrPasswordLikePhone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidatePassword(tt.pw, tt.phone); !errors.Is(err, tt.want) {
				t.Errorf("ValidatePassword(%q, %q) = %v, want %v", tt.pw, tt.phone, err, tt.want)
			}
		})
	}
}

// The embedded list must be lower case, or its entries could never match.
func TestCommonPasswordListIsLowerCase(t *testing.T) {
	n := 0
	for line := range strings.Lines(commonPasswordList) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		n++
		if line != strings.ToLower(line) {
			t.Errorf("entry %q is not lower case", line)
		}
	}
	if n < 250 {
		t.Errorf("only %d common passwords listed", n)
	}
}

func TestHashAndCheckPassword(t *testing.T) {
	const pw = "correct horse battery"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=1,p=1$") {
		t.Errorf("not the expected PHC string: %s", h1)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, encoded, pw string
		want              bool
	}{
		{"right password", h1, pw, true},
		{"right password, second hash", h2, pw, true},
		{"one character off", h1, "correct horse batterx", false},
		{"empty password", h1, "", false},
		{"other case", h1, strings.ToUpper(pw), false},
	}
	for _, tt := range tests {
		ok, err := CheckPassword(tt.encoded, tt.pw)
		if err != nil || ok != tt.want {
			t.Errorf("%s: CheckPassword = %v, %v; want %v", tt.name, ok, err, tt.want)
		}
	}
}

// Hashes made with other parameters (stored before they were raised) must still verify, so the
// parameters are read from the string rather than taken from the constants.
func TestCheckPasswordParameters(t *testing.T) {
	salt := []byte("saltsaltsaltsalt")
	b64 := base64.RawStdEncoding
	tests := []struct {
		memory, time uint32
		threads      uint8
		keyLen       uint32
	}{
		{64, 2, 2, 32},
		{256, 1, 4, 16},
		{19456, 3, 1, 64},
	}
	for _, tt := range tests {
		key := argon2.IDKey([]byte("pw"), salt, tt.time, tt.memory, tt.threads, tt.keyLen)
		encoded := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", tt.memory, tt.time, tt.threads,
			b64.EncodeToString(salt), b64.EncodeToString(key))
		if ok, err := CheckPassword(encoded, "pw"); !ok || err != nil {
			t.Errorf("%s: right password = %v, %v", encoded, ok, err)
		}
		if ok, err := CheckPassword(encoded, "pW"); ok || err != nil {
			t.Errorf("%s: wrong password = %v, %v", encoded, ok, err)
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"bcrypt", "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"},
		{"argon2i", with(1, "argon2i")},
		{"old version", with(2, "v=16")},
		{"no version", with(2, "")},
		{"zero memory", with(3, "m=0,t=1,p=1")},
		{"huge memory", with(3, "m=4194304,t=1,p=1")},
		{"zero time", with(3, "m=19456,t=0,p=1")},
		{"zero threads", with(3, "m=19456,t=1,p=0")},
		{"parameters reordered", with(3, "t=1,m=19456,p=1")},
		{"trailing garbage", with(3, "m=19456,t=1,p=1x")},
		{"signed number", with(3, "m=+19456,t=1,p=1")},
		{"salt not base64", with(4, "!!!!")},
		{"salt too short", with(4, "AAAA")},
		{"padded key", with(5, parts[5]+"=")},
		{"key cut short", with(5, parts[5][:10])},
		{"extra field", h + "$x"},
		{"missing leading $", strings.TrimPrefix(h, "$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := CheckPassword(tt.encoded, "correct horse battery"); ok || !errors.Is(err, ErrPasswordHashFormat) {
				t.Errorf("CheckPassword(%q) = %v, %v; want ErrPasswordHashFormat", tt.encoded, ok, err)
			}
		})
	}
}

func TestDummyCheckPassword(t *testing.T) {
	DummyCheckPassword("anything")
	DummyCheckPassword("") // the second call reuses the hash of the first
}
