package qr

import "testing"

func TestFromScan(t *testing.T) {
	const tok = "mAQbnJMyZi74GASNFZ4mrze_0m-4FstHFF8UlVwc"
	tests := []struct{ in, want string }{
		{tok, tok},
		{tok + "\r\n", tok},
		{"\t " + tok + "\n", tok},
		{"https://vol.example.gov.cn/q/" + tok, tok},
		{"https://vol.example.gov.cn/q/" + tok + "\r", tok},
		{"https://vol.example.gov.cn/q/" + tok + "/", tok},
		{"https://vol.example.gov.cn/q/" + tok + "?from=singlemessage", tok},
		{"https://vol.example.gov.cn/q/" + tok + "#top", tok},
		{"http://10.0.0.5:8080/app/q/" + tok, tok},
		{"vol.example.gov.cn/q/" + tok, tok},
		{"https://x/q/" + tok + "?next=/q/other", tok},
		{"https://vol.example.gov.cn/q/", ""},
		{"", ""},
		{"hello world", "hello world"},
	}
	for _, tt := range tests {
		if got := FromScan(tt.in); got != tt.want {
			t.Errorf("FromScan(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
	for _, base := range []string{"https://vol.example.gov.cn", "https://vol.example.gov.cn/"} {
		if got := URL(base, "cAQB"); got != "https://vol.example.gov.cn/q/cAQB" {
			t.Errorf("URL(%q) = %q", base, got)
		}
	}
	if got := FromScan(URL("https://vol.example.gov.cn", "cAQB")); got != "cAQB" {
		t.Errorf("FromScan(URL(…)) = %q", got)
	}
}
