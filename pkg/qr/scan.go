package qr

import "strings"

// URL returns the address a code carries: base (TIMEBANK_BASE_URL) followed by /q/<token>. A phone
// camera or WeChat opens it as a page; a USB scanner types it into the counter page.
func URL(base, token string) string {
	return strings.TrimRight(base, "/") + "/q/" + token
}

// FromScan returns the token in what a scanner typed or a camera read: the bare token, or a URL
// ending in /q/<token>, with surrounding whitespace (scanners end with Enter, some with Tab) and any
// query or fragment a messenger appended. It does not check the token, nor the host before /q/: the
// signature is what makes a code ours, not the address printed around it.
func FromScan(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "/q/"); i >= 0 {
		s = s[i+len("/q/"):]
	}
	return strings.TrimRight(s, "/")
}
