package principal_test

import (
	"testing"

	"timebank/pkg/principal"
)

func TestLabel(t *testing.T) {
	for _, c := range []struct {
		p    *principal.Principal
		want string
	}{
		{&principal.Principal{UserID: 42, Name: "李"}, "user:42"},
		{&principal.Principal{DeviceID: 7, Name: "counter 1"}, "device:7"},
		{&principal.Principal{UserID: 42, DeviceID: 7}, "user:42"}, // a person at a device is the person
		{principal.Operator(), "operator"},
		{&principal.Principal{}, "operator"},
		{&principal.Principal{Name: "服务对象确认", Resident: true}, "resident"},
		{nil, ""},
	} {
		if got := c.p.Label(); got != c.want {
			t.Errorf("%+v: Label() = %q, want %q", c.p, got, c.want)
		}
	}
}

// ParseLabel reads back the labels Label makes of people, devices and the operator, and nothing else
// (a resident's label names no one to read back).
func TestParseLabel(t *testing.T) {
	for _, p := range []*principal.Principal{{UserID: 42}, {DeviceID: 7}, principal.Operator()} {
		u, d, ok := principal.ParseLabel(p.Label())
		if !ok || u != p.UserID || d != p.DeviceID {
			t.Errorf("ParseLabel(%q) = %d, %d, %v", p.Label(), u, d, ok)
		}
	}
	for _, label := range []string{"", "user:", "user:0", "user:-3", "user:x", "device:", "Operator", "org:5", "user:12 ", "bench", principal.ResidentLabel} {
		if u, d, ok := principal.ParseLabel(label); ok || u != 0 || d != 0 {
			t.Errorf("ParseLabel(%q) = %d, %d, %v, want not a label", label, u, d, ok)
		}
	}
}
