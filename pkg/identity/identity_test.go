package identity

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{" 138 1234 5678 ", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"+8613812345678", "13812345678"},
		{"+86 199 0000 1111", "19900001111"},
		{"008615712345678", "15712345678"},
		{"8618912345678", "18912345678"},
	} {
		if got, err := NormalizePhone(c.in); err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "1381234567", "138123456789", "12812345678", "10012345678", "23812345678",
		"0571-87654321", "1381234567a", "１３８１２３４５６７８", "+1 2025550123", "86138123456789"} {
		if got, err := NormalizePhone(in); !errors.Is(err, ErrPhoneInvalid) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want ErrPhoneInvalid", in, got, err)
		}
	}
	if m := MaskPhone("13812345678"); m != "138****5678" {
		t.Errorf("MaskPhone: %s", m)
	}
}

// checkDigit computes the GB 11643 check character another way than the code does: from the weights
// 2^(17-i) mod 11, as the standard defines them.
func checkDigit(body string) string {
	sum := 0
	for i := range 17 {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(body[i]-'0') * w
	}
	return string("10X98765432"[sum%11])
}

func TestNormalizeResidentID(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	valid := []string{
		"11010519491231002X",
		"330481199001011234"[:17] + checkDigit("330481199001011234"),
		"33048120000229456"[:17] + checkDigit("33048120000229456"),
		"81000019850615123"[:17] + checkDigit("81000019850615123"),
	}
	for _, id := range valid {
		if got, err := NormalizeResidentID(id, now); err != nil || got != strings.ToUpper(id) {
			t.Errorf("%s: %q %v", id, got, err)
		}
	}
	if got, err := NormalizeResidentID(" 11010519491231002x ", now); err != nil || got != "11010519491231002X" {
		t.Errorf("lower-case x: %q %v", got, err)
	}
	bad := func(body string) string { return body + checkDigit(body) }
	for _, c := range []struct {
		id   string
		want error
	}{
		{"110105194912310021", ErrResidentIDChecksum},
		{"11010519491231002", ErrResidentIDFormat},
		{"1101051949123100211", ErrResidentIDFormat},
		{"11010519491231002Y", ErrResidentIDFormat},
		{"1101051949A231002X", ErrResidentIDFormat},
		{bad("99010519491231002"), ErrResidentIDRegion},
		{bad("33048120990101123"), ErrResidentIDBirthDate},
		{bad("33048119900230123"), ErrResidentIDBirthDate},
		{bad("33048118991231123"), ErrResidentIDBirthDate},
		{bad("33048120010229123"), ErrResidentIDBirthDate},
	} {
		if _, err := NormalizeResidentID(c.id, now); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.id, err, c.want)
		}
	}
	if m := MaskResidentID("33010519491231123X"); m != "3301**********123X" {
		t.Errorf("mask: %s", m)
	}
	k1, k2 := []byte("key one"), []byte("key two")
	if HashResidentID(k1, "11010519491231002x") != HashResidentID(k1, "11010519491231002X") ||
		HashResidentID(k1, "11010519491231002X") == HashResidentID(k2, "11010519491231002X") {
		t.Error("HashResidentID must depend on the normalized number and the key")
	}
}

func TestValidatePassword(t *testing.T) {
	for _, c := range []struct {
		pw, phone string
		want      error
	}{
		{"correct horse battery", "13812345678", nil},
		{"志愿服务很快乐呀", "", nil},
		{"short", "", ErrPasswordTooShort},
		{"短密码", "", ErrPasswordTooShort},
		{strings.Repeat("x", 129), "", ErrPasswordTooLong},
		{"12345678", "", ErrPasswordCommon},
		{"Woaini1314", "", ErrPasswordCommon},
		{"zzzzzzzzzz", "", ErrPasswordCommon},
		{"a13812345678", "13812345678", ErrPasswordLikePhone},
	} {
		if err := ValidatePassword(c.pw, c.phone); !errors.Is(err, c.want) {
			t.Errorf("ValidatePassword(%q): %v, want %v", c.pw, err, c.want)
		}
	}
}

func TestHashAndCheckPassword(t *testing.T) {
	h1, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h1 == h2 || !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=1,p=1$") {
		t.Fatalf("hashes must be salted PHC strings: %s %s", h1, h2)
	}
	if ok, err := CheckPassword(h1, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := CheckPassword(h1, "correct horse batterx"); ok {
		t.Fatal("wrong password accepted")
	}
	for _, broken := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$bcrypt$...",
		strings.Replace(h1, "$argon2id$", "$argon2i$", 1), h1[:len(h1)-30] + "!!!"} {
		if _, err := CheckPassword(broken, "x"); !errors.Is(err, ErrPasswordHashFormat) {
			t.Errorf("CheckPassword(%q): %v, want ErrPasswordHashFormat", broken, err)
		}
	}
	DummyCheckPassword("anything") // must not panic
}
