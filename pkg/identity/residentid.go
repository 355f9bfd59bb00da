package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Errors of NormalizeResidentID.
var (
	// ErrResidentIDFormat means the text is not 17 digits and a check character.
	ErrResidentIDFormat = errors.New("identity: resident ID must be 17 digits and a check digit or X")
	// ErrResidentIDRegion means the first two digits name no province-level division.
	ErrResidentIDRegion = errors.New("identity: resident ID has an unknown region")
	// ErrResidentIDBirthDate means digits 7–14 are not a real date between 1900 and today.
	ErrResidentIDBirthDate = errors.New("identity: resident ID has an impossible birth date")
	// ErrResidentIDChecksum means the check character does not match (a typo).
	ErrResidentIDChecksum = errors.New("identity: resident ID check digit does not match")
)

// provinces are the province-level codes of GB/T 2260, plus 83 used on residence permits of
// residents from Hong Kong, Macau and Taiwan.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "41": true,
	"42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true, "52": true,
	"53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true, "71": true,
	"81": true, "82": true, "83": true,
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheck computes the GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits.
func residentIDCheck(digits string) byte {
	sum := 0
	for i := range 17 {
		sum += int(digits[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// NormalizeResidentID validates an 18-character resident identity number (GB 11643-1999) and returns
// it with an upper-case X. now bounds the birth date.
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
	if !provinces[s[:2]] {
		return "", ErrResidentIDRegion
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(now) {
		return "", ErrResidentIDBirthDate
	}
	if residentIDCheck(s) != s[17] {
		return "", ErrResidentIDChecksum
	}
	return s, nil
}

// MaskResidentID shows the first four and last four characters: 3301**********123X.
func MaskResidentID(id string) string {
	if len(id) != 18 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", 10) + id[14:]
}

// HashResidentID is the keyed hash under which an ID number is stored, so that one person cannot
// register twice without the number itself being kept.
func HashResidentID(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))
}
