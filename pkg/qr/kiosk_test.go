package qr

import (
	"errors"
	"testing"
	"time"
)

func TestKiosk(t *testing.T) {
	key := testKey(1)
	s := newTestSigner(t, key)
	start := time.Unix(testNow.Unix()/30*30, 0) // a window boundary
	tok, next, err := s.Kiosk(CheckIn, 501, start)
	if err != nil {
		t.Fatal(err)
	}
	if !next.Equal(start.Add(KioskStep)) {
		t.Errorf("next = %v, want %v", next, start.Add(KioskStep))
	}

	// One code for the whole window, on every screen and every server holding the key.
	otherServer := newTestSigner(t, key)
	for _, d := range []time.Duration{0, time.Second, 29*time.Second + 999*time.Millisecond} {
		a, n, _ := s.Kiosk(CheckIn, 501, start.Add(d))
		b, _, _ := otherServer.Kiosk(CheckIn, 501, start.Add(d))
		if a != tok || b != tok || !n.Equal(next) {
			t.Errorf("at +%v: %q / %q, want %q", d, a, b, tok)
		}
	}
	following, _, _ := s.Kiosk(CheckIn, 501, start.Add(KioskStep))
	if following == tok {
		t.Error("the code did not change with the window")
	}
	if out, _, _ := s.Kiosk(CheckOut, 501, start); out == tok {
		t.Error("check-out code equals check-in code")
	}
	if other, _, _ := s.Kiosk(CheckIn, 502, start); other == tok {
		t.Error("two activities share a code")
	}

	tests := []struct {
		name  string
		token string
		want  Type
		at    time.Duration // after start
		err   error
	}{
		{"while shown", tok, CheckIn, 10 * time.Second, nil},
		{"scanned just before the change, sent after it", tok, CheckIn, KioskStep + 5*time.Second, nil},
		{"last accepted second", tok, CheckIn, KioskTTL - time.Second, nil},
		{"photo sent home", tok, CheckIn, KioskTTL, ErrExpired},
		{"next code in its own window", following, CheckIn, KioskStep + KioskTTL - time.Second, nil},
		{"check-in code at check-out", tok, CheckOut, 0, ErrWrongType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Verify(tt.token, tt.want, start.Add(tt.at))
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Verify = %+v, %v; want %v", c, err, tt.err)
			}
			if err == nil && (c.Subject != 501 || c.Nonce != 0) {
				t.Errorf("claims %+v", c)
			}
		})
	}

	for _, typ := range []Type{Member, Pickup, Certificate, Receipt} {
		if _, _, err := s.Kiosk(typ, 501, start); !errors.Is(err, ErrInvalidClaims) {
			t.Errorf("Kiosk(%s) = %v, want ErrInvalidClaims", typ, err)
		}
	}
	if _, _, err := s.Kiosk(CheckIn, 0, start); !errors.Is(err, ErrInvalidClaims) {
		t.Errorf("Kiosk for activity 0 = %v, want ErrInvalidClaims", err)
	}
}
