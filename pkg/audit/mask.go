package audit

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// The audit log is read by administrators of every level above the thing changed, for years, so it
// must not become a list of phone numbers and ID numbers (PIPL: collect and show only what a
// function needs). Callers leave them out; the masking below is a net for a struct that carries one
// by mistake, say a contact field a user typed a number into.

// digitRun finds the runs of digits (with a trailing X, as ID numbers end) in a string.
var digitRun = regexp.MustCompile(`[0-9]+[Xx]?`)

// longDigits is the cheap test that lets most documents skip the walk.
var longDigits = regexp.MustCompile(`[0-9]{11}`)

// maskJSON returns the JSON document with every mainland mobile number and resident ID number found
// in its strings (and numbers) masked as the rest of the service shows them.
func maskJSON(b []byte) ([]byte, error) {
	if !longDigits.Match(b) {
		return b, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(maskValue(v))
}

func maskValue(v any) any {
	switch v := v.(type) {
	case string:
		return maskString(v)
	case json.Number:
		if m := maskString(v.String()); m != v.String() {
			return m
		}
		return v
	case []any:
		for i := range v {
			v[i] = maskValue(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = maskValue(v[k])
		}
	}
	return v
}

// maskString masks the digit runs that are a mobile number (with or without the 86 country code)
// or shaped like a resident ID number.
func maskString(s string) string {
	return digitRun.ReplaceAllStringFunc(s, func(run string) string {
		switch {
		case isMobile(run):
			return run[:3] + "****" + run[7:]
		case len(run) == 13 && strings.HasPrefix(run, "86") && isMobile(run[2:]):
			return run[:5] + "****" + run[9:]
		case isResidentID(run):
			return run[:4] + strings.Repeat("*", 10) + run[14:]
		}
		return run
	})
}

// isMobile reports whether d is an 11-digit mainland mobile number (1, then 3–9, then 9 digits).
func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allDigits(d)
}

// isResidentID reports whether r has the shape of an 18-character resident ID number: 17 digits, a
// digit or X, and a birth date in positions 7–14 that could be one. The check digit is not tested:
// a mistyped number is still somebody's.
func isResidentID(r string) bool {
	if len(r) != 18 || !allDigits(r[:17]) || r[0] == '0' {
		return false
	}
	year, month, day := r[6:10], r[10:12], r[12:14]
	return (year[:2] == "19" || year[:2] == "20") && month >= "01" && month <= "12" && day >= "01" && day <= "31"
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
