package audit

import (
	"encoding/json"
	"testing"
)

func TestMaskString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13800138000", "138****8000"},
		{"联系人 王老师 19912345678。", "联系人 王老师 199****5678。"},
		{"tel:+86 13800138000", "tel:+86 138****8000"},
		{"+8613800138000", "+86138****8000"},
		{"330481199001011234", "3304**********1234"},
		{"身份证33048120001231123X号", "身份证3304**********123X号"},
		{"33048120001231123x", "3304**********123x"},
		// Left alone: division codes, credit codes, landlines, ids, a 12-digit run, no date in place.
		{"330481001001", "330481001001"},
		{"52330481000000015K", "52330481000000015K"},
		{"913304811234567890", "913304811234567890"},
		{"0573-87012345", "0573-87012345"},
		{"12800138000", "12800138000"},
		{"138001380001", "138001380001"},
		{"org:42:issued", "org:42:issued"},
	}
	for _, tt := range tests {
		if got := maskString(tt.in); got != tt.want {
			t.Errorf("maskString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	in := `{"name":"张三","contact":{"phones":["13800138000",13900139000]},"n":330481001001,"id":"330481199001011234"}`
	out, err := maskJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	phones := got["contact"].(map[string]any)["phones"].([]any)
	if phones[0] != "138****8000" || phones[1] != "139****9000" || got["id"] != "3304**********1234" ||
		got["n"] != float64(330481001001) || got["name"] != "张三" {
		t.Errorf("masked %s", out)
	}
	// Documents without a long digit run are passed through untouched.
	plain := []byte(`{"b":1,"a":"x"}`)
	if out, _ := maskJSON(plain); string(out) != string(plain) {
		t.Errorf("plain document rewritten: %s", out)
	}
}

func TestRegionPrefix(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"330000000000", "33", true},
		{"330000", "33", true},
		{"330400000000", "3304", true},
		{"330481", "330481", true},
		{"330481001000", "330481001", true},
		{"330481001010", "330481001010", true},
		{"500000000000", "50", true},
		{"330481000001", "", false},
		{"330081000000", "", false},
		{"000000000000", "", false},
		{"33048100100", "", false},
		{"", "", false},
		{"33048100100x", "", false},
	}
	for _, tt := range tests {
		if got, ok := regionPrefix(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("regionPrefix(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
