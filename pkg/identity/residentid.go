package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Errors of NormalizeResidentID, one per rule, so the form can say which part is wrong.
var (
	// ErrResidentIDFormat means the text is not 17 digits followed by a digit or X.
	ErrResidentIDFormat = errors.New("identity: resident ID must be 17 digits and a check digit or X")
	// ErrResidentIDRegion means the first two digits name no province-level division.
	ErrResidentIDRegion = errors.New("identity: resident ID has an unknown region")
	// ErrResidentIDBirthDate means digits 7–14 are not a real date between 1900-01-01 and today.
	ErrResidentIDBirthDate = errors.New("identity: resident ID has an impossible birth date")
	// ErrResidentIDChecksum means the check character does not match the other 17 digits, which
	// almost always means a typing mistake.
	ErrResidentIDChecksum = errors.New("identity: resident ID check digit does not match")
)

// Gender is the sex recorded in a resident ID number. The values double as translation key suffixes.
type Gender string

// The two values GB 11643 can encode.
const (
	Female Gender = "female"
	Male   Gender = "male"
)

// NormalizeResidentID validates an 18-character resident identity number (GB 11643-1999) and returns
// it trimmed, with an upper-case X. now bounds the birth date; the date is read in now's time zone,
// so someone born today in Zhejiang is accepted by a server running in UTC.
func NormalizeResidentID(s string, now time.Time) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", ErrResidentIDFormat
	}
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrResidentIDFormat
		}
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		return "", ErrResidentIDFormat
	}
	if !residentRegion(s[:2]) {
		return "", ErrResidentIDRegion
	}
	birth, err := time.ParseInLocation("20060102", s[6:14], now.Location())
	if err != nil || birth.Year() < 1900 || birth.After(now) {
		return "", ErrResidentIDBirthDate
	}
	if residentIDCheck(s[:17]) != s[17] {
		return "", ErrResidentIDChecksum
	}
	return s, nil
}

// residentRegion reports whether pp is a province-level code of GB/T 2260, or 81–83, which the
// residence permits of Hong Kong, Macau and Taiwan residents (港澳台居民居住证) use.
func residentRegion(pp string) bool {
	n := int(pp[0]-'0')*10 + int(pp[1]-'0')
	switch {
	case n >= 11 && n <= 15, n >= 21 && n <= 23, n >= 31 && n <= 37, n >= 41 && n <= 46,
		n >= 50 && n <= 54, n >= 61 && n <= 65, n == 71, n >= 81 && n <= 83:
		return true
	}
	return false
}

// residentIDCheck computes the ISO 7064 MOD 11-2 check character of 17 digits, as GB 11643 does.
func residentIDCheck(digits string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// BirthDateFromResidentID returns the birth date (midnight UTC) written in a resident ID number that
// has passed NormalizeResidentID; it checks only what it reads.
func BirthDateFromResidentID(id string) (time.Time, error) {
	if len(id) != 18 {
		return time.Time{}, ErrResidentIDFormat
	}
	d, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}, ErrResidentIDBirthDate
	}
	return d, nil
}

// GenderFromResidentID reads the 17th digit of a resident ID number: odd for men, even for women.
func GenderFromResidentID(id string) (Gender, error) {
	if len(id) != 18 || id[16] < '0' || id[16] > '9' {
		return "", ErrResidentIDFormat
	}
	if (id[16]-'0')%2 == 1 {
		return Male, nil
	}
	return Female, nil
}

// MaskResidentID hides all but the first four and last four characters: 3301**********123X. Values
// of another length are masked entirely, since they cannot be told apart from other data.
func MaskResidentID(id string) string {
	r := []rune(id)
	if len(r) != 18 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", 10) + string(r[14:])
}

// HashResidentID returns the hex HMAC-SHA256 of a normalized resident ID number under key. Stored
// instead of the number, it finds a person registering twice without keeping the number, and the key
// (kept outside the database) stops a leaked table from being reversed by trying all birth dates.
// A lower-case x or surrounding spaces give the same hash as the normalized form.
func HashResidentID(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))
}
