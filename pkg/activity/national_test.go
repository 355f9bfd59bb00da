package activity

import (
	"os"
	"strings"
	"testing"
)

// The README's mapping of the national export lists the columns of NationalFields, in order: a
// column changed in one place and not the other fails here.
func TestNationalFieldsInReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "**The national export's fields.**")
	if !ok {
		t.Fatal("the README has no mapping of the national export")
	}
	var listed []string
	inTable := false
	for _, line := range strings.Split(after, "\n") {
		switch {
		case strings.HasPrefix(line, "| column |"), strings.HasPrefix(line, "|---"):
			inTable = true
		case inTable && strings.HasPrefix(line, "| "):
			for _, h := range strings.Split(strings.TrimSpace(strings.Split(line, "|")[1]), ", ") {
				listed = append(listed, h)
			}
		case inTable:
			inTable = false
		}
		if len(listed) > 0 && !inTable {
			break
		}
	}
	var want []string
	for _, f := range NationalFields {
		want = append(want, f.Header)
	}
	if strings.Join(listed, "|") != strings.Join(want, "|") {
		t.Errorf("the README lists %q,\nNationalFields has %q", listed, want)
	}
}
