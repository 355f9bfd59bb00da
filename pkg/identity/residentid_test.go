package identity

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// withCheck completes 17 digits into a resident ID the way ISO 7064 MOD 11-2 defines it, not the way
// the code does: weight i is 2^(17-i) mod 11, and the check value c (X for 10) makes the weighted sum
// of all 18 characters ≡ 1 (mod 11).
func withCheck(body string) string {
	sum := 0
	for i := range 17 {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(body[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return body + "X"
	}
	return body + string(rune('0'+c))
}

func TestNormalizeResidentID(t *testing.T) {
	if got := withCheck("11010519491231002"); got != "11010519491231002X" {
		t.Fatalf("test helper is wrong: %s", got) // the published sample must come out right
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in, want string
	}{
		{"published sample", "11010519491231002X", "11010519491231002X"},
		{"lower-case x", "11010519491231002x", "11010519491231002X"},
		{"surrounding spaces", " 11010519491231002X\n", "11010519491231002X"},
		{"Haining", withCheck("33048119900101123"), withCheck("33048119900101123")},
		{"leap day", withCheck("33010220000229456"), withCheck("33010220000229456")},
		{"first day allowed", withCheck("33010219000101001"), withCheck("33010219000101001")},
		{"born today", withCheck("33010220261123002"), withCheck("33010220261123002")},
		{"Hong Kong permit", withCheck("81000019850615123"), withCheck("81000019850615123")},
		{"Taiwan permit", withCheck("83000019700101456"), withCheck("83000019700101456")},
		{"Xinjiang", withCheck("65010219881010777"), withCheck("65010219881010777")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeResidentID(tt.in, now)
			if err != nil || got != tt.want {
				t.Errorf("NormalizeResidentID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeResidentIDInvalid(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     error
	}{
		{"wrong checksum", "110105194912310021", ErrResidentIDChecksum},
		{"digits swapped", "11010519491231020X", ErrResidentIDChecksum},
		{"empty", "", ErrResidentIDFormat},
		{"17 characters", "11010519491231002", ErrResidentIDFormat},
		{"19 characters", "1101051949123100211", ErrResidentIDFormat},
		{"old 15-digit form", "110105491231002", ErrResidentIDFormat},
		{"check Y", "11010519491231002Y", ErrResidentIDFormat},
		{"X inside", "1101051949X231002X", ErrResidentIDFormat},
		{"full-width digit", "１1010519491231002X", ErrResidentIDFormat},
		{"province 99", withCheck("99010519491231002"), ErrResidentIDRegion},
		{"province 00", withCheck("00010519491231002"), ErrResidentIDRegion},
		{"province 16", withCheck("16010519491231002"), ErrResidentIDRegion},
		{"province 84", withCheck("84000019491231002"), ErrResidentIDRegion},
		{"future birth date", withCheck("33048120990101123"), ErrResidentIDBirthDate},
		{"born tomorrow", withCheck("33048120261124123"), ErrResidentIDBirthDate},
		{"February 30", withCheck("33048119900230123"), ErrResidentIDBirthDate},
		{"February 29 of 2001", withCheck("33048120010229123"), ErrResidentIDBirthDate},
		{"month 13", withCheck("33048119901301123"), ErrResidentIDBirthDate},
		{"day 00", withCheck("33048119900100123"), ErrResidentIDBirthDate},
		{"before 1900", withCheck("33048118991231123"), ErrResidentIDBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := NormalizeResidentID(tt.in, now); !errors.Is(err, tt.want) {
				t.Errorf("NormalizeResidentID(%q) = %q, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// Each of the eleven check characters must come out right, not only those of the samples above.
func TestNormalizeResidentIDEveryCheckCharacter(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	seen := map[byte]bool{}
	for n := 100; n < 1000 && len(seen) < 11; n++ {
		id := withCheck("33048119900101" + strconv.Itoa(n))
		if seen[id[17]] {
			continue
		}
		seen[id[17]] = true
		if _, err := NormalizeResidentID(id, now); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	if len(seen) != 11 {
		t.Errorf("only %d check characters tried", len(seen))
	}
}

// A person born on 23 November in Zhejiang may register at 01:00 local time, while UTC still says
// the 22nd.
func TestNormalizeResidentIDUsesLocalDate(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, shanghai)
	if _, err := NormalizeResidentID(withCheck("33048120261123002"), now); err != nil {
		t.Errorf("born today in local time: %v", err)
	}
}

func TestResidentIDHelpers(t *testing.T) {
	tests := []struct {
		id     string
		birth  string
		gender Gender
		mask   string
	}{
		{"11010519491231002X", "1949-12-31", Female, "1101**********002X"},
		{withCheck("33010219900101122"), "1990-01-01", Female, "3301**********122" + withCheck("33010219900101122")[17:]},
		{withCheck("33048120000229451"), "2000-02-29", Male, "3304**********451" + withCheck("33048120000229451")[17:]},
	}
	for _, tt := range tests {
		b, err := BirthDateFromResidentID(tt.id)
		if err != nil || b.Format(time.DateOnly) != tt.birth {
			t.Errorf("BirthDateFromResidentID(%s) = %v, %v; want %s", tt.id, b, err, tt.birth)
		}
		if g, err := GenderFromResidentID(tt.id); err != nil || g != tt.gender {
			t.Errorf("GenderFromResidentID(%s) = %v, %v; want %v", tt.id, g, err, tt.gender)
		}
		if m := MaskResidentID(tt.id); m != tt.mask {
			t.Errorf("MaskResidentID(%s) = %s, want %s", tt.id, m, tt.mask)
		}
	}
	if m := MaskResidentID("33010519491231123X"); m != "3301**********123X" {
		t.Errorf("MaskResidentID: %s", m)
	}
	for in, want := range map[string]string{"": "", "12345": "*****", "身份证号码": "*****"} {
		if m := MaskResidentID(in); m != want {
			t.Errorf("MaskResidentID(%q) = %q, want %q", in, m, want)
		}
	}
	if _, err := BirthDateFromResidentID("short"); !errors.Is(err, ErrResidentIDFormat) {
		t.Errorf("BirthDateFromResidentID(short): %v", err)
	}
	if _, err := GenderFromResidentID("short"); !errors.Is(err, ErrResidentIDFormat) {
		t.Errorf("GenderFromResidentID(short): %v", err)
	}
}

func TestHashResidentID(t *testing.T) {
	k1, k2 := []byte("key one"), []byte("key two")
	id := "11010519491231002X"
	other := withCheck("33048119900101123")
	h := HashResidentID(k1, id)
	tests := []struct {
		name     string
		got      string
		wantSame bool
	}{
		{"same key and number", HashResidentID(k1, id), true},
		{"lower-case x and spaces", HashResidentID(k1, " 11010519491231002x "), true},
		{"other key", HashResidentID(k2, id), false},
		{"other number", HashResidentID(k1, other), false},
		{"no key", HashResidentID(nil, id), false},
	}
	for _, tt := range tests {
		if (tt.got == h) != tt.wantSame {
			t.Errorf("%s: %s vs %s, same=%v", tt.name, tt.got, h, tt.wantSame)
		}
	}
	if len(h) != 64 {
		t.Errorf("hash %q is not 64 hex digits", h)
	}
}
