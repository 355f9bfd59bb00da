package fields_test

import (
	"errors"
	"fmt"
	"testing"

	"timebank/fields"
)

var errInvalid = errors.New("area: invalid request")

func TestError(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		fields  map[string]string
		message string
	}{
		{"one field", fields.New(errInvalid, "name", "required"), map[string]string{"name": "required"},
			"area: invalid request; name: required"},
		{"several, sorted", fields.Set{"store": "required", "lines[0].qty": "range"}.Err(errInvalid),
			map[string]string{"store": "required", "lines[0].qty": "range"},
			"area: invalid request; lines[0].qty: range; store: required"},
		{"wrapped again", fmt.Errorf("placing order: %w", fields.New(errInvalid, "qty", "range")),
			map[string]string{"qty": "range"}, "placing order: area: invalid request; qty: range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fe *fields.Error
			if !errors.As(c.err, &fe) {
				t.Fatalf("errors.As found no *fields.Error in %v", c.err)
			}
			if !errors.Is(c.err, errInvalid) {
				t.Errorf("errors.Is(err, sentinel) = false")
			}
			if got := fe.Fields(); len(got) != len(c.fields) {
				t.Errorf("Fields() = %v, want %v", got, c.fields)
			}
			for f, r := range c.fields {
				if got := fe.Reason(f); got != r {
					t.Errorf("Reason(%q) = %q, want %q", f, got, r)
				}
			}
			if fe.Reason("absent") != "" {
				t.Errorf("Reason of a field not named = %q, want empty", fe.Reason("absent"))
			}
			if got := c.err.Error(); got != c.message {
				t.Errorf("Error() = %q, want %q", got, c.message)
			}
		})
	}
}

func TestEmptySetIsNoError(t *testing.T) {
	for _, s := range []fields.Set{nil, {}} {
		if err := s.Err(errInvalid); err != nil {
			t.Errorf("Set(%v).Err = %v, want nil", s, err)
		}
	}
}

func TestOtherSentinelIsNotMatched(t *testing.T) {
	err := fields.New(errInvalid, "name", "required")
	if errors.Is(err, errors.New("area: invalid request")) {
		t.Error("errors.Is matched a different sentinel with the same text")
	}
}
