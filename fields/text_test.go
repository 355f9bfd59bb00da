package fields_test

import (
	"strings"
	"testing"

	"timebank/fields"
)

func TestTextClean(t *testing.T) {
	line := fields.Text{Max: 4, Required: true}
	note := fields.Text{Max: 10, Multiline: true}
	cases := []struct {
		name   string
		rule   fields.Text
		in     string
		out    string
		reason string
	}{
		{"trimmed", line, "  米面 \n", "米面", ""},
		{"empty but required", line, "   ", "", "required"},
		{"empty and optional", note, " ", "", ""},
		{"exactly the most characters", line, "粮油米面", "粮油米面", ""},
		{"one character too many", line, "粮油米面盐", "粮油米面盐", "too_long"},
		{"long in bytes, short in characters", fields.Text{Max: 2}, "粮油", "粮油", ""},
		{"a newline inside one line", line, "米\n面", "米\n面", "format"},
		{"a newline inside a note", note, "米\n面\t油", "米\n面\t油", ""},
		{"another control character in a note", note, "米\x07面", "米\x07面", "format"},
		{"invalid UTF-8", note, "米\xff", "米\xff", "format"},
		{"NUL", note, "a\x00b", "a\x00b", "format"},
		{"format before length", fields.Text{Max: 1}, strings.Repeat("\x01", 5), strings.Repeat("\x01", 5), "format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, reason := c.rule.Clean(c.in)
			if out != c.out || reason != c.reason {
				t.Errorf("Clean(%q) = %q, %q; want %q, %q", c.in, out, reason, c.out, c.reason)
			}
		})
	}
}
